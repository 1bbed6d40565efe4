//! Capacity market (SPEC §4): clusters created by root (sudo on dev chains, governance later);
//! nodes stake passports and commit collateral through the collateral pallet's traits; SP escrow is
//! a hold on the SP's account; lease income is credited to the HP's pool in the collateral pallet;
//! the SLA oracle drives node status and supplies reliability scores and the era clock.

use polkadot_sdk::*;

use frame_support::parameter_types;
use frame_system::EnsureRoot;
use icn_primitives::EraIndex;
use sp_runtime::Perbill;

use crate::{
	configs::TreasuryAccount, AccountId, Balances, ClusterRewards, Collateral, Passports, Runtime,
	RuntimeHoldReason, SlaOracle,
};

parameter_types! {
	/// Region codes such as `eu-central-1`; 32 bytes leave room for longer provider codes.
	pub const MaxRegionLen: u32 = 32;
	/// An agent URL: scheme, host, port and a short path.
	pub const MaxEndpointLen: u32 = 256;
	/// A node commits for at least a week of one-day eras, so that leases can be planned on it.
	pub const MinCommitmentEras: EraIndex = 7;
	/// SPEC §4.6 suggests 64 candidates per request.
	pub const MaxCandidates: u32 = 64;
	/// A request is split across at most 16 nodes: each allocation is a lease with its own
	/// writes, and 16 keeps the worst-case request far under 1% of a block
	/// (`docs/performance.md`).
	pub const MaxAllocations: u32 = 16;
	/// SPEC §4.10: a request passes over up to 128 index entries that cannot serve it (short
	/// commitment, uncovered HP) on a budget of its own, so 64 cheap ineligible nodes never hide
	/// the eligible ones; hiding them takes 129 such nodes, each with a governance-minted
	/// passport and its own collateral. Charged per entry at the rate of a scored candidate.
	pub const MaxSkipped: u32 = 128;
	/// SPEC §4.8 leaves the notice open: two eras (two days).
	pub const CancelNoticeEras: EraIndex = 2;
	/// SPEC §4.10: 10% of every lease payment goes to the treasury, and the usage reward a
	/// payment generates is capped by its take, so leasing one's own node always loses at least
	/// the take minus what it can earn back (never a gain). The usage multiplier thus pays at
	/// most 10% of fees (`docs/design/cluster-rewards.md`).
	pub const LeaseTake: Perbill = Perbill::from_percent(10);
	/// SPEC §9: 0.1 ICNT held per open lease (a lease and its two index entries, about 200
	/// bytes: 0.5 milli-ICNT per byte), returned when the lease is removed.
	pub const LeaseDeposit: icn_primitives::Balance = icn_primitives::ICNT / 10;
	/// SPEC §5.8: an HP whose leases ended has one era to plot the freed capacity (a day: a
	/// 1 TiB plot takes a few hours on one core, `docs/design/proof-of-space.md`).
	pub const PlotGraceEras: EraIndex = 1;
}

impl pallet_capacity_market::Config for Runtime {
	type Passports = Passports;
	type Collateral = Collateral;
	type Eras = SlaOracle;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxRegionLen = MaxRegionLen;
	type MaxEndpointLen = MaxEndpointLen;
	type MinCommitmentEras = MinCommitmentEras;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Reliability = SlaOracle;
	type MaxCandidates = MaxCandidates;
	type MaxAllocations = MaxAllocations;
	type MaxSkipped = MaxSkipped;
	type Rewards = Collateral;
	/// The rewards pallet re-weighs shares and counts fees; the SLA oracle drops the records of
	/// nodes that retire.
	type Hooks = (ClusterRewards, SlaOracle);
	type LeaseTake = LeaseTake;
	type Treasury = TreasuryAccount;
	type LeaseDeposit = LeaseDeposit;
	type CancelNoticeEras = CancelNoticeEras;
	type PlotGraceEras = PlotGraceEras;
	type WeightInfo = pallet_capacity_market::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Gives benchmark HPs and oracles passports (and HPs a bond) through the real pallets, registers
/// active nodes, and moves blocks forward by whole eras.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;

/// A plot bound to `hp`'s `passport` that covers `capacity` GiB at full coverage (benchmark
/// setup: registration checks the plot's binding and size, never its data).
#[cfg(feature = "runtime-benchmarks")]
fn declared_plot(
	hp: &AccountId,
	passport: icn_primitives::passport::PassportId,
	capacity: u64,
) -> (icn_primitives::pos::Plot, [u8; 32]) {
	use codec::Encode;
	icn_primitives::pos::declared_plot(&hp.encode(), passport, u128::from(capacity) << 30)
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_capacity_market::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn provision_hp(hp: &AccountId) -> icn_primitives::passport::PassportId {
		use frame_support::traits::fungible::Mutate;
		use icn_primitives::{passport::PassportKind, ICNT};
		let passport = pallet_passports::NextPassportId::<Runtime>::get();
		// Benchmark setup: a failure here shows up as the benchmark's own failed assertion.
		let _ = Passports::mint(
			crate::RuntimeOrigin::root(),
			sp_runtime::MultiAddress::Id(hp.clone()),
			PassportKind::HardwareProvider,
			Default::default(),
		);
		let _ = Balances::set_balance(hp, 10_000_000 * ICNT);
		let _ = Collateral::bond(crate::RuntimeOrigin::signed(hp.clone()), 1_000_000 * ICNT);
		passport
	}

	fn advance_eras(eras: EraIndex) {
		let now = crate::System::block_number();
		let length = pallet_sla_oracle::EraLength::<Runtime>::get();
		crate::System::set_block_number(now.saturating_add(eras.saturating_mul(length)));
	}
	fn uncover_hp(hp: &AccountId) {
		let window = super::collateral::CollateralTopUpEras::get();
		if crate::SlaOracle::current_era() < window {
			Self::advance_eras(window);
		}
		pallet_collateral_delegation::Pallet::<Runtime>::uncover_for_benchmarks(hp);
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_sla_oracle::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn oracle_passport(who: &AccountId) -> icn_primitives::passport::PassportId {
		use icn_primitives::passport::PassportKind;
		let passport = pallet_passports::NextPassportId::<Runtime>::get();
		let _ = Passports::mint(
			crate::RuntimeOrigin::root(),
			sp_runtime::MultiAddress::Id(who.clone()),
			PassportKind::Oracle,
			Default::default(),
		);
		passport
	}

	fn active_node(index: u32) -> icn_primitives::NodeId {
		use icn_primitives::{market::NodeHealth, HardwareClass};
		use pallet_capacity_market::BenchmarkHelper as _;
		let hp: AccountId = frame_benchmarking::account("sla-hp", index, 0);
		let passport = Self::provision_hp(&hp);
		let node = pallet_capacity_market::NextNodeId::<Runtime>::get();
		let (plot, root) = declared_plot(&hp, passport, 1_024);
		let _ = crate::CapacityMarket::register_node(
			crate::RuntimeOrigin::signed(hp),
			passport,
			0,
			HardwareClass::Storage,
			1_024,
			icn_primitives::MILLI_ICNT,
			MinCommitmentEras::get().saturating_add(100),
			b"http://127.0.0.1:7100".to_vec(),
			root,
			plot,
		);
		let _ = <crate::CapacityMarket as NodeHealth>::set_status(
			node,
			icn_primitives::market::NodeStatus::Active,
		);
		node
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_cluster_rewards::BenchmarkHelper for BenchmarkHelper {
	fn active_node(
		index: u32,
		cluster: icn_primitives::ClusterId,
		capacity: u64,
	) -> icn_primitives::NodeId {
		use icn_primitives::{market::NodeHealth, HardwareClass};
		use pallet_capacity_market::BenchmarkHelper as _;
		// Clusters up to `cluster` exist (the benchmarks use up to `MaxRewardGroups` of them).
		while pallet_capacity_market::NextClusterId::<Runtime>::get() <= cluster {
			let next = pallet_capacity_market::NextClusterId::<Runtime>::get();
			let region = alloc::format!("bench-{next}").into_bytes();
			let _ = crate::CapacityMarket::create_cluster(
				crate::RuntimeOrigin::root(),
				region,
				HardwareClass::ALL.to_vec(),
			);
		}
		let hp: AccountId = frame_benchmarking::account("rewards-hp", index, cluster);
		let passport = Self::provision_hp(&hp);
		let node = pallet_capacity_market::NextNodeId::<Runtime>::get();
		let (plot, root) = declared_plot(&hp, passport, capacity);
		let _ = crate::CapacityMarket::register_node(
			crate::RuntimeOrigin::signed(hp),
			passport,
			cluster,
			HardwareClass::Storage,
			capacity,
			icn_primitives::MILLI_ICNT,
			MinCommitmentEras::get().saturating_add(100),
			b"http://127.0.0.1:7100".to_vec(),
			root,
			plot,
		);
		// Activation reaches the rewards pallet through the market's hooks.
		let _ = <crate::CapacityMarket as NodeHealth>::set_status(
			node,
			icn_primitives::market::NodeStatus::Active,
		);
		node
	}

	fn next_era() {
		let length = pallet_sla_oracle::EraLength::<Runtime>::get().max(1);
		let now = crate::System::block_number();
		crate::System::set_block_number((now / length).saturating_add(1).saturating_mul(length));
	}

	fn retire(node: icn_primitives::NodeId) {
		use icn_primitives::market::NodeHealth;
		let _ = <crate::CapacityMarket as NodeHealth>::force_retire(node);
	}
}
