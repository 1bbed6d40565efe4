//! Cluster rewards (SPEC §6): the reward pool account (funded at genesis) pays per-era subsidies
//! and usage rewards per `(cluster, class)`, capped network-wide; node rewards are credited to the
//! HP's pool split in the collateral pallet; oracles share their own budget. Group parameters are
//! set by root (sudo on dev chains); the presets give the dev clusters theirs.

use polkadot_sdk::*;

use frame_support::parameter_types;
use frame_system::EnsureRoot;
use icn_primitives::{EraIndex, ICNT};
use sp_runtime::Perbill;

use crate::{
	configs::RewardPoolAccount, Balance, Balances, CapacityMarket, Collateral, Runtime, SlaOracle,
};

parameter_types! {
	/// 64 `(cluster, class)` groups: the era transition reads each once.
	pub const MaxRewardGroups: u32 = 64;
	/// At most 100,000 ICNT to nodes per era: the 100-million pool of the presets lasts at
	/// least 1,000 eras (about three years of one-day eras) however demand grows.
	pub const MaxEmissionPerEra: Balance = 100_000 * ICNT;
	/// 1,000 ICNT per era to oracles, split by valid reported outcomes.
	pub const OracleBudgetPerEra: Balance = 1_000 * ICNT;
	/// A node committed a year ahead weighs 1.5× (SPEC §6.2's commitment bonus) …
	pub const MaxCommitmentBonus: Perbill = Perbill::from_percent(50);
	/// … and shorter commitments get a linear share of the bonus.
	pub const BonusHorizonEras: EraIndex = 365;
}

impl pallet_cluster_rewards::Config for Runtime {
	type Currency = Balances;
	type RewardPool = RewardPoolAccount;
	type Rewards = Collateral;
	type Nodes = CapacityMarket;
	type Reliability = SlaOracle;
	type Eras = SlaOracle;
	type GovernanceOrigin = EnsureRoot<crate::AccountId>;
	type MaxGroups = MaxRewardGroups;
	type MaxEmissionPerEra = MaxEmissionPerEra;
	type OracleBudgetPerEra = OracleBudgetPerEra;
	type MaxCommitmentBonus = MaxCommitmentBonus;
	type BonusHorizonEras = BonusHorizonEras;
	type WeightInfo = pallet_cluster_rewards::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::market::BenchmarkHelper;
}
