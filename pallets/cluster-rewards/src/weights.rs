//! Weights of the cluster rewards pallet: the `WeightInfo` trait. `icn-node benchmark pallet`
//! generates the runtime's `SubstrateWeight` when the pallet joins the runtime; until then only
//! unit-test mocks use it, through `()`, whose weights are zero.

use polkadot_sdk::frame_support::weights::Weight;

/// Weight functions needed by the cluster rewards pallet.
pub trait WeightInfo {
	fn set_group_params() -> Weight;
	fn claim_node_rewards() -> Weight;
	fn claim_oracle_rewards() -> Weight;
	fn on_initialize_era(g: u32) -> Weight;
	fn on_initialize_idle() -> Weight;
}

/// Zero weights, for unit tests only.
impl WeightInfo for () {
	fn set_group_params() -> Weight {
		Weight::zero()
	}
	fn claim_node_rewards() -> Weight {
		Weight::zero()
	}
	fn claim_oracle_rewards() -> Weight {
		Weight::zero()
	}
	fn on_initialize_era(_g: u32) -> Weight {
		Weight::zero()
	}
	fn on_initialize_idle() -> Weight {
		Weight::zero()
	}
}
