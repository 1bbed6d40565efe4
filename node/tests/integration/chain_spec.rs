//! The committed raw `local` chain spec must be what the current runtime and node produce.
//!
//! Genesis storage is compared entry by entry. The runtime blob (`:code`) cannot be compared byte
//! for byte: a wasm build embeds the paths it was built from (cargo's crate hashes), so two clones
//! at different paths produce different bytes for the same runtime — bit-for-bit reproducible
//! runtimes need a fixed build path, as srtool provides. So `:code` is compared by what the chain
//! sees of it: the runtime version and the full metadata (calls, storage, events, errors, constants,
//! types), read by executing both blobs.

use crate::support::{from_hex, run_node_command, workspace_file};
use polkadot_sdk::{
	sc_executor::{read_embedded_version, RuntimeVersion, WasmExecutor},
	sc_executor_common::runtime_blob::RuntimeBlob,
	sp_io,
};
use serde_json::{Map, Value};

/// Storage key of the runtime code, hex.
const CODE_KEY: &str = "0x3a636f6465";

fn export(chain: &str, raw: bool) -> Value {
	let mut args = vec!["export-chain-spec", "--chain", chain];
	if raw {
		args.push("--raw");
	}
	let (status, stdout, stderr) = run_node_command(&args);
	assert!(status.success(), "export-chain-spec --chain {chain} failed: {stderr}");
	serde_json::from_str(&stdout).expect("export-chain-spec prints JSON")
}

/// The runtime version and metadata of a (possibly compressed) runtime blob. The list of runtime
/// APIs is sorted: its order in the blob is not stable across build paths, its content is.
fn identity_of(code_hex: &str) -> (RuntimeVersion, Vec<u8>) {
	let blob = RuntimeBlob::uncompress_if_needed(&from_hex(code_hex)).expect("a runtime blob");
	let mut version = read_embedded_version(&blob)
		.expect("readable version section")
		.expect("the runtime embeds its version");
	let mut apis = version.apis.to_vec();
	apis.sort();
	version.apis = apis.into();
	let executor = WasmExecutor::<sp_io::SubstrateHostFunctions>::builder().build();
	let mut ext = sp_io::TestExternalities::default();
	let metadata = executor
		.uncached_call(blob, &mut ext.ext(), false, "Metadata_metadata", &[])
		.expect("the runtime returns its metadata");
	(version, metadata)
}

/// `top` without `:code`, and `:code` itself.
fn split_code(spec: &Value) -> (Map<String, Value>, String) {
	let mut top = spec["genesis"]["raw"]["top"].as_object().cloned().expect("a raw spec");
	let code = top.remove(CODE_KEY).and_then(|c| c.as_str().map(str::to_owned));
	(top, code.expect("the spec holds the runtime code"))
}

#[test]
fn committed_local_raw_spec_matches_the_current_runtime() {
	let path = workspace_file("chain-specs/local.raw.json");
	let committed: Value = serde_json::from_str(
		&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
	)
	.expect("committed spec is JSON");
	let current = export("local", true);
	let stale = "chain-specs/local.raw.json is stale: regenerate it with \
	             `chain-specs/regenerate.sh` and commit the result";

	for field in ["name", "id", "chainType", "protocolId", "properties", "bootNodes"] {
		assert_eq!(committed[field], current[field], "{stale} ({field} differs)");
	}
	assert_eq!(
		committed["genesis"]["raw"]["childrenDefault"],
		current["genesis"]["raw"]["childrenDefault"],
		"{stale} (child storage differs)"
	);
	let (committed_top, committed_code) = split_code(&committed);
	let (current_top, current_code) = split_code(&current);
	for (key, value) in &current_top {
		assert_eq!(committed_top.get(key), Some(value), "{stale} (genesis storage {key} differs)");
	}
	assert_eq!(committed_top.len(), current_top.len(), "{stale} (genesis storage keys differ)");

	let (committed_version, committed_metadata) = identity_of(&committed_code);
	let (current_version, current_metadata) = identity_of(&current_code);
	assert_eq!(committed_version, current_version, "{stale} (runtime version differs)");
	assert!(committed_metadata == current_metadata, "{stale} (runtime metadata differs)");
	assert_eq!(current_version.spec_name, icn_runtime::VERSION.spec_name);
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
