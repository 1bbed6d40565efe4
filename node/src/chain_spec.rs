//! Chain specs: `dev` (one validator) and `local` (four validators) from the runtime's genesis
//! presets, or any chain spec JSON file.

use icn_primitives::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};
use icn_runtime::WASM_BINARY;
use polkadot_sdk::{
	sc_chain_spec::{ChainType, Properties},
	sc_service,
	sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
};

/// The chain spec type of ICN Chain: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Network protocol id: keeps ICN peers apart from other Substrate chains.
const PROTOCOL_ID: &str = "icn";

/// What wallets need to show balances: symbol ICNT, 18 decimals, the chain's SS58 prefix.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's wasm binary is not available: rebuild icn-node without SKIP_WASM_BUILD"
			.to_string()
	})
}

/// Single-validator development chain (Alice).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("ICN Development")
		.with_id("icn_dev")
		.with_protocol_id(PROTOCOL_ID)
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// Four-validator local test network (Alice, Bob, Charlie, Dave).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("ICN Local Testnet")
		.with_id("icn_local")
		.with_protocol_id(PROTOCOL_ID)
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// Resolves `--chain`: a built-in name, or the path of a chain spec JSON file. Errors are one line
/// that says what was expected.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development_chain_spec()?),
		"" | "local" => Box::new(local_chain_spec()?),
		path => {
			let file = std::path::PathBuf::from(path);
			if !file.is_file() {
				return Err(format!(
					"unknown chain `{path}`: expected `dev`, `local` or the path of a chain spec \
					 JSON file"
				));
			}
			let spec = ChainSpec::from_json_file(file)
				.map_err(|e| format!("invalid chain spec file `{path}`: {}", one_line(&e)))?;
			Box::new(spec)
		},
	})
}

/// Collapses a multi-line error into one line.
pub(crate) fn one_line(message: &str) -> String {
	message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn properties_make_wallets_show_icnt() {
		let p = properties();
		assert_eq!(p.get("tokenSymbol").and_then(|v| v.as_str()), Some("ICNT"));
		assert_eq!(p.get("tokenDecimals").and_then(|v| v.as_u64()), Some(18));
		assert_eq!(p.get("ss58Format").and_then(|v| v.as_u64()), Some(u64::from(SS58_PREFIX)));
	}

	#[test]
	fn unknown_chain_name_is_a_clear_error() {
		let err = load("icn-mainnet-does-not-exist").err().unwrap_or_default();
		assert!(err.starts_with("unknown chain `icn-mainnet-does-not-exist`"), "{err}");
		assert!(!err.contains('\n'));
	}

	#[test]
	fn errors_are_folded_into_one_line() {
		assert_eq!(one_line("a\n  b\tc "), "a b c");
	}
}
