//! The marketplace web app (`client/web`) in a real browser against a real dev chain and agent:
//! `npm run build` (type check and bundle), then `node client/web/test/browser.mjs` drives
//! Debian's Chromium headless with playwright-core. The test registers an oracle and a node with
//! polkadot.js, waits for the oracle to activate it, and checks the pages against the chain over
//! RPC: the network page's free capacity, the quote box against `CapacityMarketApi.quote`, a
//! request submitted as a dev account creating the lease on chain, a bad input showing the
//! pallet error and its doc, and the node shown `Faulty` with its failure reason after it kills
//! the agent (whose pid it is given). Needs Node.js, `client/web/node_modules` and `chromium`
//! (`scripts/setup.sh` installs them). `ICN_SCREENSHOTS=<dir>` saves each page (what
//! `scripts/web-screenshots.sh` does for `docs/web/`).

use std::{process::Command, time::Duration};

use serde_json::json;

use crate::support::{agent_init, free_port, to_hex, workspace_file, Agent, Node, NodeConfig};

#[test]
fn web_marketplace_shows_the_chain_and_requests_capacity_in_a_real_browser() {
	let web = workspace_file("client/web");
	assert!(
		web.join("node_modules/playwright-core").exists(),
		"client/web/node_modules is missing: run scripts/setup.sh (npm ci in client/web)"
	);
	let build = Command::new("npm")
		.args(["run", "build", "--silent"])
		.current_dir(&web)
		.output()
		.expect("npm runs (install nodejs and npm: scripts/setup.sh)");
	assert!(
		build.status.success(),
		"client/web: npm run build failed:\n{}\n{}",
		String::from_utf8_lossy(&build.stdout),
		String::from_utf8_lossy(&build.stderr)
	);
	let dir = tempfile::tempdir().expect("tmp");
	let alice_account: [u8; 32] =
		polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id().into();
	let plot = agent_init(dir.path(), &alice_account, 0, 256);
	let agent = Agent::start(dir.path(), &format!("127.0.0.1:{}", free_port()), &[]);
	let node =
		Node::start(NodeConfig { name: "dev-web", args: vec!["--dev".into()], use_tmp: true });
	let mut rpc = node.rpc();
	let heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
	let alice = {
		use polkadot_sdk::sp_core::{sr25519, Pair};
		sr25519::Pair::from_string("//Alice", None).expect("dev key").public().0
	};
	rpc.request("author_insertKey", json!(["icno", "//Alice", to_hex(&alice)]));
	let mut test = Command::new("node");
	test.arg("test/browser.mjs")
		.current_dir(&web)
		.env("ICN_URL", format!("ws://127.0.0.1:{}", node.rpc_port))
		.env("ICN_AGENT_URL", agent.url())
		.env("ICN_AGENT_PID", agent.pid().to_string())
		.env("ICN_PLOT", &plot.line);
	let output = test.output().expect("Node.js runs (install nodejs: scripts/setup.sh)");
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "client/web/test/browser.mjs failed:\n{stdout}\n{stderr}");
	assert!(stdout.contains("web: all checks passed"), "{stdout}");
	drop(agent);
}
