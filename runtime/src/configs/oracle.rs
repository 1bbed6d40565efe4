//! SLA oracles (SPEC §5): oracles stake `Oracle` passports and sign their reports with `icno`
//! keys; reports are general (unsigned-by-account) transactions authorized by the pallet's
//! `#[pallet::authorize]` rule, so a valid first report is free. The pallet keeps the protocol
//! clock (era length, challenge period), which the collateral and market pallets read.

use polkadot_sdk::*;

use frame_support::parameter_types;
use icn_primitives::{oracle::OracleKey, EraIndex};
use sp_runtime::Perbill;

use crate::{
	CapacityMarket, ClusterRewards, Collateral, Passports, Runtime, RuntimeCall, UncheckedExtrinsic,
};

parameter_types! {
	/// Up to 64 oracles: each node gets 3 of them per round.
	pub const MaxOracles: u32 = 64;
	/// SPEC §5.2: three oracles per node.
	pub const OraclesPerNode: u32 = 3;
	/// One oracle may be assigned up to 1,024 nodes a round (SPEC issue 5: ≥ 1,000 per oracle).
	pub const MaxOutcomes: u32 = 1_024;
	/// Sixteen chunks per challenge (SPEC §5.8, `docs/design/proof-of-space.md`): an agent that
	/// can answer only a fraction `p` of the chunks within the deadline passes one challenge with
	/// probability `p^16`, and three oracles ask independent chunks. (Which fraction is cheap for
	/// an agent that keeps part of its plot is the design doc's measured table: it is not the
	/// fraction kept.) Each challenged chunk comes with its three parents: 64 chunks, 256 KiB.
	pub const ChunksPerChallenge: u32 = 16;
	/// An agent answers within 2 s (one request per challenge).
	pub const ChallengeTimeoutMs: u64 = 2_000;
	/// SPEC §5.5: one era's worth of blocks of grace, from the block the anomaly opened.
	pub const GraceEras: EraIndex = 1;
	/// SPEC §5.5: an anomaly closes after three passed rounds in a row (three hours; 90 s on
	/// the dev chain), so a node up one round in a few never recovers.
	pub const RecoveryRounds: u32 = 3;
	/// 10% of the node's own collateral per era of `Slashing`.
	pub const SlashPerEra: Perbill = Perbill::from_percent(10);
	/// Below 50% of its own collateral a node is force-retired (after 6 eras of slashing).
	pub const SlashFloor: Perbill = Perbill::from_percent(50);
	/// An oracle may disagree with the majority on at most 20% of a window.
	pub const MaxDisagreement: Perbill = Perbill::from_percent(20);
	/// Windows of 100 votes.
	pub const DisagreementWindow: u32 = 100;
	/// Reports go before ordinary transactions.
	pub const ReportPriority: u64 = 1 << 20;
}

impl pallet_sla_oracle::Config for Runtime {
	type OracleKey = OracleKey;
	type Passports = Passports;
	type Nodes = CapacityMarket;
	type Collateral = Collateral;
	type MaxOracles = MaxOracles;
	type OraclesPerNode = OraclesPerNode;
	type MaxOutcomes = MaxOutcomes;
	type ChunksPerChallenge = ChunksPerChallenge;
	type ChallengeTimeoutMs = ChallengeTimeoutMs;
	type GraceEras = GraceEras;
	type RecoveryRounds = RecoveryRounds;
	type SlashPerEra = SlashPerEra;
	type SlashFloor = SlashFloor;
	type MaxDisagreement = MaxDisagreement;
	type DisagreementWindow = DisagreementWindow;
	type ReportPriority = ReportPriority;
	type Rewards = ClusterRewards;
	type WeightInfo = pallet_sla_oracle::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::market::BenchmarkHelper;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = crate::TxExtension;

	fn create_transaction(call: RuntimeCall, extension: crate::TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// Authorized transactions (the oracles' reports) carry the same extensions as signed ones, with
/// no nonce, tip or mortality to fill in: the pallet's `authorize` rule is their only check, and
/// fees are not charged (no account signs them).
impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> crate::TxExtension {
		crate::signing::immortal_extensions(0, 0)
	}
}
