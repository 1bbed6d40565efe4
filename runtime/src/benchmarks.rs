//! The pallets `icn-node benchmark pallet` measures (only in `runtime-benchmarks` builds). Every
//! ICN pallet is listed here; its `weights.rs` is generated from these runs by
//! `scripts/benchmark-pallets.sh`.

polkadot_sdk::frame_benchmarking::define_benchmarks!(
	[pallet_passports, Passports]
	[pallet_collateral_delegation, Collateral]
	[pallet_capacity_market, CapacityMarket]
	[pallet_sla_oracle, SlaOracle]
	[pallet_cluster_rewards, ClusterRewards]
);
