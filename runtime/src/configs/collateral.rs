//! Collateral and delegation (SPEC §3): HP bonds and delegations are holds on their owners'
//! accounts; slashed collateral goes to the treasury account (so total issuance changes only by
//! emission, SPEC §9); eras come from the SLA oracle pallet's clock (one day in production, short
//! on dev chains).

use polkadot_sdk::*;

use frame_support::{parameter_types, traits::tokens::imbalance::ResolveTo, PalletId};
use frame_system::EnsureRoot;
use icn_primitives::{collateral::ClassShares, EraIndex};
use sp_runtime::Perbill;

use crate::{
	configs::TreasuryAccount, AccountId, Balance, Balances, Runtime, RuntimeHoldReason, SlaOracle,
	ICNT,
};

/// Seed of the account that holds credited rewards until HPs and delegators claim them.
pub const COLLATERAL_REWARDS_PALLET_ID: PalletId = PalletId(*b"icn/colr");

parameter_types! {
	pub const CollateralPalletId: PalletId = COLLATERAL_REWARDS_PALLET_ID;
	/// An HP bonds at least 100 ICNT: enough to make a ledger worth its storage.
	pub const MinSelfBond: Balance = 100 * ICNT;
	/// A delegation is at least 10 ICNT: its hold pays for its storage entry.
	pub const MinDelegation: Balance = 10 * ICNT;
	/// SPEC §3.3 leaves the cap open; half of the rewards keeps delegation attractive.
	pub const MaxCommission: Perbill = Perbill::from_percent(50);
	/// SPEC §3.9 leaves the delay open: a week of one-day eras, time for delegators to claim
	/// their HP's node rewards at the old rate (or to leave) before a raise applies.
	pub const CommissionChangeDelay: EraIndex = 7;
	/// SPEC §3.6: 28 eras (four weeks of one-day eras).
	pub const UnbondingEras: EraIndex = 28;
	/// Enough for one unbond a day through the whole unbonding period, and a few more.
	pub const MaxUnbondingChunks: u32 = 32;
	/// SPEC §3.7 leaves the rate open: 10% of the node's own collateral `S(n)`.
	pub const EarlyExitPenalty: Perbill = Perbill::from_percent(10);
	/// SPEC §3.8 leaves the window open: one week to top up.
	pub const CollateralTopUpEras: EraIndex = 7;
	/// SPEC §3.1: `network_ratio = 50%` (governance may change it; the dev presets do).
	pub const DefaultNetworkRatio: Perbill = Perbill::from_percent(50);
	/// SPEC §3.1's `class_share`, summing to 100%: storage, ICN's first and largest market
	/// (hyperscale storage, litepaper §3), asks for half of the network component; GPUs 30% and
	/// vCPUs 20%. Governance changes them together with `set_class_shares`.
	pub const DefaultClassShares: ClassShares = ClassShares {
		storage: Perbill::from_percent(50),
		gpu: Perbill::from_percent(30),
		cpu: Perbill::from_percent(20),
	};
}

impl pallet_collateral_delegation::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type OnSlash = ResolveTo<TreasuryAccount, Balances>;
	type Eras = SlaOracle;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = CollateralPalletId;
	type MinSelfBond = MinSelfBond;
	type MinDelegation = MinDelegation;
	type MaxCommission = MaxCommission;
	type CommissionChangeDelay = CommissionChangeDelay;
	type UnbondingEras = UnbondingEras;
	type MaxUnbondingChunks = MaxUnbondingChunks;
	type EarlyExitPenalty = EarlyExitPenalty;
	type CollateralTopUpEras = CollateralTopUpEras;
	type DefaultNetworkRatio = DefaultNetworkRatio;
	type DefaultClassShares = DefaultClassShares;
	type WeightInfo = pallet_collateral_delegation::weights::SubstrateWeight<Runtime>;
}
