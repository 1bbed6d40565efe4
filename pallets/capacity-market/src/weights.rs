//! Weights of the capacity-market pallet: the `WeightInfo` trait. Until `icn-node benchmark
//! pallet` generates this file (when the pallet joins the runtime), only unit-test mocks use it,
//! through `()`, whose weights are zero.

use polkadot_sdk::frame_support::weights::Weight;

/// Weight functions needed by the capacity-market pallet.
pub trait WeightInfo {
	fn create_cluster() -> Weight;
	fn register_node() -> Weight;
	fn set_price() -> Weight;
	fn set_endpoint() -> Weight;
	fn add_capacity() -> Weight;
	fn extend_commitment() -> Weight;
	fn exit_node() -> Weight;
	fn request_capacity(c: u32, a: u32) -> Weight;
	fn settle_lease() -> Weight;
	fn cancel_lease() -> Weight;
	fn renew_lease() -> Weight;
}

/// Zero weights, for unit tests only.
impl WeightInfo for () {
	fn create_cluster() -> Weight {
		Weight::zero()
	}
	fn register_node() -> Weight {
		Weight::zero()
	}
	fn set_price() -> Weight {
		Weight::zero()
	}
	fn set_endpoint() -> Weight {
		Weight::zero()
	}
	fn add_capacity() -> Weight {
		Weight::zero()
	}
	fn extend_commitment() -> Weight {
		Weight::zero()
	}
	fn exit_node() -> Weight {
		Weight::zero()
	}
	fn request_capacity(_c: u32, _a: u32) -> Weight {
		Weight::zero()
	}
	fn settle_lease() -> Weight {
		Weight::zero()
	}
	fn cancel_lease() -> Weight {
		Weight::zero()
	}
	fn renew_lease() -> Weight {
		Weight::zero()
	}
}
