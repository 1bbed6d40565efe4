//! The marketplace web app (`client/web`) in a real browser against a real dev chain and agent:
//! `npm run test:unit` (the page's indexer against a fake chain), `npm run build` (type check and
//! bundle), then `node client/web/test/browser.mjs` drives
//! Debian's Chromium headless with playwright-core. The test registers an oracle and a node with
//! polkadot.js, waits for the oracle to activate it, and checks the pages against the chain over
//! RPC: the network page's free capacity, the quote box against `CapacityMarketApi.quote`, a
//! request submitted as a dev account creating the lease on chain, a bad input showing the
//! pallet error and its doc, and the node shown `Faulty` with its failure reason after it kills
//! the agent (whose pid it is given), then the compensation due for the faulty era, which the
//! page's Settle button gets back exactly (the chain's `LeaseSettled`). Needs Node.js, `client/web/node_modules` and `chromium`
//! (`scripts/setup.sh` installs them). `ICN_SCREENSHOTS=<dir>` saves each page (what
//! `scripts/web-screenshots.sh` does for `docs/web/`).

use std::process::Command;

use crate::support::{workspace_file, AliceOracleChain};

#[test]
fn web_marketplace_shows_the_chain_and_requests_capacity_in_a_real_browser() {
	let web = workspace_file("client/web");
	assert!(
		web.join("node_modules/playwright-core").exists(),
		"client/web/node_modules is missing: run scripts/setup.sh (npm ci in client/web)"
	);
	// The indexer's unit tests (a fake chain: forks, gaps, failed reads), then the bundle.
	for script in ["test:unit", "build"] {
		let run = Command::new("npm")
			.args(["run", script, "--silent"])
			.current_dir(&web)
			.output()
			.expect("npm runs (install nodejs and npm: scripts/setup.sh)");
		assert!(
			run.status.success(),
			"client/web: npm run {script} failed:\n{}\n{}",
			String::from_utf8_lossy(&run.stdout),
			String::from_utf8_lossy(&run.stderr)
		);
	}
	let chain = AliceOracleChain::start("dev-web");
	let mut test = Command::new("node");
	test.arg("test/browser.mjs")
		.current_dir(&web)
		.envs(chain.env())
		.env("ICN_AGENT_PID", chain.agent.pid().to_string());
	let output = test.output().expect("Node.js runs (install nodejs: scripts/setup.sh)");
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "client/web/test/browser.mjs failed:\n{stdout}\n{stderr}");
	assert!(stdout.contains("web: all checks passed"), "{stdout}");
	drop(chain);
}
