//! Weights of the passports pallet.
//!
//! NOT YET GENERATED: the `WeightInfo` trait is final, but the runtime must not use this pallet
//! until `SubstrateWeight` here is produced by `icn-node benchmark pallet` from the benchmarks in
//! `benchmarking.rs`. Only the unit-test mock uses `()`, whose weights are zero.

use polkadot_sdk::frame_support::weights::Weight;

/// Weight functions needed by the passports pallet.
pub trait WeightInfo {
	/// `mint` with metadata of `m` bytes.
	fn mint(m: u32) -> Weight;
	/// `transfer`.
	fn transfer() -> Weight;
	/// `set_metadata` with metadata of `m` bytes.
	fn set_metadata(m: u32) -> Weight;
}

/// Zero weights, for unit tests only.
impl WeightInfo for () {
	fn mint(_m: u32) -> Weight {
		Weight::zero()
	}
	fn transfer() -> Weight {
		Weight::zero()
	}
	fn set_metadata(_m: u32) -> Weight {
		Weight::zero()
	}
}
