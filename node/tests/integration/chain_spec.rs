//! The committed raw `local` chain spec must be what the current runtime and node produce.

use crate::support::{run_node_command, workspace_file};
use serde_json::Value;

fn export(chain: &str, raw: bool) -> Value {
	let mut args = vec!["export-chain-spec", "--chain", chain];
	if raw {
		args.push("--raw");
	}
	let (status, stdout, stderr) = run_node_command(&args);
	assert!(status.success(), "export-chain-spec --chain {chain} failed: {stderr}");
	serde_json::from_str(&stdout).expect("export-chain-spec prints JSON")
}

#[test]
fn committed_local_raw_spec_matches_the_current_runtime() {
	let path = workspace_file("chain-specs/local.raw.json");
	let committed: Value = serde_json::from_str(
		&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
	)
	.expect("committed spec is JSON");
	let current = export("local", true);
	assert!(
		committed == current,
		"chain-specs/local.raw.json is stale: the runtime or node changed its genesis. \
		 Regenerate it with `chain-specs/regenerate.sh` and commit the result."
	);
}

#[test]
fn specs_carry_the_token_properties_wallets_need() {
	for chain in ["dev", "local"] {
		let spec = export(chain, false);
		let properties = &spec["properties"];
		assert_eq!(properties["tokenSymbol"], "ICNT", "{chain}");
		assert_eq!(properties["tokenDecimals"], 18, "{chain}");
		assert_eq!(properties["ss58Format"], u64::from(icn_primitives::SS58_PREFIX), "{chain}");
	}
	let local = export("local", false);
	assert_eq!(local["id"], "icn_local");
	assert_eq!(local["chainType"], "Local");
}
