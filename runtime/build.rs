//! Builds the runtime's wasm blob (when compiled with `std`) with the metadata hash that
//! `CheckMetadataHash` commits to, so offline signers can verify what they sign.

#[cfg(feature = "std")]
fn main() {
	// The target dir lives outside the clone (scripts/env.sh), so tell the wasm builder where
	// the workspace (and its Cargo.lock) is.
	if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
		let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
		if let Some(workspace_root) = std::path::Path::new(&manifest_dir).parent() {
			// SAFETY: build scripts are single-threaded; nothing reads the environment
			// concurrently.
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace_root);
		}
	}
	println!("cargo:rerun-if-changed=../primitives/src/token.rs");

	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(token::TOKEN_SYMBOL, token::TOKEN_DECIMALS)
		.build();

	// The same runtime with `spec_version` + 1, which the runtime-upgrade test applies to a
	// running chain with `set_code`. Not for benchmark builds (they never run that test).
	let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
	let next = "wasm_binary_next_spec_version.rs";
	if std::env::var_os("CARGO_FEATURE_RUNTIME_BENCHMARKS").is_some() {
		let none = "pub const WASM_BINARY_PATH: Option<&str> = None;\n\
			pub const WASM_BINARY: Option<&[u8]> = None;\n\
			pub const WASM_BINARY_BLOATY: Option<&[u8]> = None;\n";
		if std::fs::read_to_string(out_dir.join(next)).ok().as_deref() != Some(none) {
			if let Err(e) = std::fs::write(out_dir.join(next), none) {
				panic!("writing {next}: {e}");
			}
		}
	} else {
		substrate_wasm_builder::WasmBuilder::init_with_defaults()
			.enable_feature("next-spec-version")
			.enable_metadata_hash(token::TOKEN_SYMBOL, token::TOKEN_DECIMALS)
			.set_file_name(next)
			.build();
	}
}

/// The token's symbol and decimals, from the same file `icn-primitives` exports them from.
#[cfg(feature = "std")]
mod token {
	include!("../primitives/src/token.rs");
}

/// The wasm builder is off when this crate is itself compiled for wasm.
#[cfg(not(feature = "std"))]
fn main() {}
