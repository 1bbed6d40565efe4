//! The pallets `icn-node benchmark pallet` measures (only in `runtime-benchmarks` builds): every
//! ICN pallet, whose `weights.rs` `scripts/benchmark-pallets.sh` generates, and every FRAME pallet
//! the runtime uses with calls or transaction extensions, whose weights
//! `scripts/benchmark-frame.sh` writes to `runtime/src/weights/`. All of them are measured on the
//! same machine, so a block's weight limit means the same thing for a transfer as for a lease.
//! GRANDPA is absent: its only dispatchable calls are equivocation reports, which this runtime
//! cannot accept (no key-ownership proofs), and the Root-only `note_stalled`.

use polkadot_sdk::*;

pub use frame_system_benchmarking::{
	extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench,
};

use crate::Runtime;

/// `set_code`'s benchmark uses frame-system-benchmarking's sample runtime; the version checks it
/// would fail (another spec name) are off in benchmark builds.
impl frame_system_benchmarking::Config for Runtime {}

impl pallet_transaction_payment::BenchmarkConfig for Runtime {}

polkadot_sdk::frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_sudo, Sudo]
	[pallet_utility, Utility]
	[pallet_passports, Passports]
	[pallet_collateral_delegation, Collateral]
	[pallet_capacity_market, CapacityMarket]
	[pallet_sla_oracle, SlaOracle]
	[pallet_cluster_rewards, ClusterRewards]
);
