//! The polkadot.js path (`client/js`, `@polkadot/api` with no custom types) against a real dev
//! node and agent: `node client/js/test.mjs` registers an oracle and a node, waits for the
//! oracle to activate it, requests capacity and reads the lease back, all from metadata.
//! Needs Node.js and `client/js/node_modules` (`scripts/setup.sh` installs both).

use std::{process::Command, time::Duration};

use serde_json::json;

use crate::support::{agent_init, free_port, to_hex, workspace_file, Agent, Node, NodeConfig};

#[test]
fn polkadot_js_registers_requests_and_reads_a_lease_from_metadata_alone() {
	let js = workspace_file("client/js");
	assert!(
		js.join("node_modules/@polkadot/api").exists(),
		"client/js/node_modules is missing: run scripts/setup.sh (npm ci in client/js)"
	);
	let dir = tempfile::tempdir().expect("tmp");
	let alice_account: [u8; 32] =
		polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id().into();
	let plot = agent_init(dir.path(), &alice_account, 0, 256);
	let agent = Agent::start(dir.path(), &format!("127.0.0.1:{}", free_port()), &[]);
	let node =
		Node::start(NodeConfig { name: "dev-js", args: vec!["--dev".into()], use_tmp: true });
	let mut rpc = node.rpc();
	let heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
	// The oracle key lives in the node's keystore; everything else happens in JavaScript.
	let alice = {
		use polkadot_sdk::sp_core::{sr25519, Pair};
		sr25519::Pair::from_string("//Alice", None).expect("dev key").public().0
	};
	rpc.request("author_insertKey", json!(["icno", "//Alice", to_hex(&alice)]));
	let output = Command::new("node")
		.arg("test.mjs")
		.current_dir(&js)
		.env("ICN_URL", format!("ws://127.0.0.1:{}", node.rpc_port))
		.env("ICN_AGENT_URL", agent.url())
		.env("ICN_PLOT", &plot.line)
		.output()
		.expect("Node.js runs (install nodejs: scripts/setup.sh)");
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "client/js/test.mjs failed:\n{stdout}\n{stderr}");
	assert!(stdout.contains("polkadot.js: all checks passed"), "{stdout}");
	drop(agent);
}
