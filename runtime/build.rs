//! Builds the runtime's wasm blob (when compiled with `std`) with the metadata hash that
//! `CheckMetadataHash` commits to, so offline signers can verify what they sign.

#[cfg(feature = "std")]
fn main() {
	// The wasm blob goes into the committed chain spec, so it must not depend on where the clone
	// lives: panic locations embed source paths. Remap the workspace root to a fixed name.
	// `WASM_BUILD_RUSTFLAGS` is read by the wasm builder from this process's environment.
	let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
	let workspace_root = std::path::Path::new(&manifest_dir)
		.parent()
		.map(|p| p.display().to_string())
		.unwrap_or_default();
	// The target dir lives outside the clone (scripts/env.sh), so tell the wasm builder where
	// the workspace (and its Cargo.lock) is.
	if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
		std::env::set_var("WASM_BUILD_WORKSPACE_HINT", &workspace_root);
	}
	let mut flags = std::env::var("WASM_BUILD_RUSTFLAGS").unwrap_or_default();
	flags.push_str(&format!(" --remap-path-prefix={workspace_root}=/icn-chain"));
	// SAFETY: build scripts are single-threaded; nothing reads the environment concurrently.
	std::env::set_var("WASM_BUILD_RUSTFLAGS", flags.trim());
	println!("cargo:rerun-if-env-changed=WASM_BUILD_RUSTFLAGS");
	println!("cargo:rerun-if-changed=../primitives/src/token.rs");

	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(token::TOKEN_SYMBOL, token::TOKEN_DECIMALS)
		.build();
}

/// The token's symbol and decimals, from the same file `icn-primitives` exports them from.
#[cfg(feature = "std")]
mod token {
	include!("../primitives/src/token.rs");
}

/// The wasm builder is off when this crate is itself compiled for wasm.
#[cfg(not(feature = "std"))]
fn main() {}
