//! The polkadot.js path (`client/js`, `@polkadot/api` with no custom types) against a real dev
//! node and agent: `node client/js/test.mjs` registers an oracle and a node, waits for the
//! oracle to activate it, requests capacity and reads the lease back, all from metadata.
//! Needs Node.js and `client/js/node_modules` (`scripts/setup.sh` installs both).

use std::process::Command;

use crate::support::{workspace_file, AliceOracleChain};

#[test]
fn polkadot_js_registers_requests_and_reads_a_lease_from_metadata_alone() {
	let js = workspace_file("client/js");
	assert!(
		js.join("node_modules/@polkadot/api").exists(),
		"client/js/node_modules is missing: run scripts/setup.sh (npm ci in client/js)"
	);
	let chain = AliceOracleChain::start("dev-js");
	let output = Command::new("node")
		.arg("test.mjs")
		.current_dir(&js)
		.envs(chain.env())
		.output()
		.expect("Node.js runs (install nodejs: scripts/setup.sh)");
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "client/js/test.mjs failed:\n{stdout}\n{stderr}");
	assert!(stdout.contains("polkadot.js: all checks passed"), "{stdout}");
	drop(chain);
}
