//! A runtime for the capacity market's unit tests, with the real passports and collateral
//! pallets behind the traits (eras of 10 blocks; collateral parameters small next to the test
//! endowments).

use crate as pallet_capacity_market;
use icn_primitives::{
	collateral::{BlockEras, ClassShares},
	passport::PassportKind,
	Balance, HardwareClass,
};
use polkadot_sdk::{
	frame_support::{
		construct_runtime, derive_impl, parameter_types,
		traits::{ConstU128, ConstU32},
		PalletId,
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, sp_io,
	sp_runtime::{BuildStorage, Perbill},
};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Passports: pallet_passports,
		Collateral: pallet_collateral_delegation,
		Market: pallet_capacity_market,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	/// The runtime's database weights, so refunds of storage writes are not zero here.
	type DbWeight = polkadot_sdk::frame_support::weights::constants::ParityDbWeight;
	type AccountId = u64;
	type Lookup = polkadot_sdk::sp_runtime::traits::IdentityLookup<u64>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<10>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_passports::Config for Test {
	type MintOrigin = EnsureRoot<u64>;
	type MaxMetadataLen = ConstU32<32>;
	type WeightInfo = ();
}

pub const ERA_LENGTH: u32 = 10;
pub type Eras = BlockEras<System, ConstU32<ERA_LENGTH>>;

parameter_types! {
	pub const CollateralPalletId: PalletId = PalletId(*b"icn/colr");
	pub const MaxCommission: Perbill = Perbill::from_percent(50);
	pub const EarlyExitPenalty: Perbill = Perbill::from_percent(10);
	/// 100% of the supply split 50/30/20: storage asks `50%` of it, so the storage
	/// requirements these tests were written against stay as they were (`ceil(X / 2)` either
	/// way); the split is the collateral pallet's to test.
	pub const DefaultNetworkRatio: Perbill = Perbill::one();
	pub const DefaultClassShares: ClassShares = ClassShares {
		storage: Perbill::from_percent(50),
		gpu: Perbill::from_percent(30),
		cpu: Perbill::from_percent(20),
	};
}

impl pallet_collateral_delegation::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type OnSlash = ();
	type Eras = Eras;
	type GovernanceOrigin = EnsureRoot<u64>;
	type PalletId = CollateralPalletId;
	type MinSelfBond = ConstU128<100>;
	type MinDelegation = ConstU128<50>;
	type MaxCommission = MaxCommission;
	type CommissionChangeDelay = ConstU32<2>;
	type UnbondingEras = ConstU32<3>;
	type MaxUnbondingChunks = ConstU32<4>;
	type EarlyExitPenalty = EarlyExitPenalty;
	type CollateralTopUpEras = ConstU32<2>;
	type DefaultNetworkRatio = DefaultNetworkRatio;
	type DefaultClassShares = DefaultClassShares;
	type WeightInfo = ();
}

pub const MIN_COMMITMENT: u32 = 5;
pub const MAX_CANDIDATES: u32 = 8;
pub const MAX_ALLOCATIONS: u32 = 6;
/// More entries passed over than issue 24's attack uses (64 cheap ineligible nodes): the scan
/// ends once it has passed over this many.
pub const MAX_SKIPPED: u32 = 80;
pub const CANCEL_NOTICE: u32 = 2;
pub const PLOT_GRACE: u32 = 1;
/// `ProofCoverage` of the mock: the dev chains' 2⁻²⁰ (1 MiB of plot per TiB), so the tests'
/// declared plots stay small numbers; the coverage tests set it as they need.
pub const COVERAGE: Perbill = Perbill::from_parts(953);

thread_local! {
	static RELIABILITY: core::cell::RefCell<std::collections::BTreeMap<u64, Perbill>> =
		Default::default();
	static HOOKS: core::cell::RefCell<Vec<Hook>> = Default::default();
}

/// A call the market made to its hooks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Hook {
	NodeChanged(u64),
	FeesPaid(u32, HardwareClass, Balance, Balance),
}

/// Records the market's hook calls (the rewards pallet's role).
pub struct MockHooks;
impl MockHooks {
	/// The calls since the last `take`.
	pub fn take() -> Vec<Hook> {
		HOOKS.with(|h| core::mem::take(&mut *h.borrow_mut()))
	}
}
impl icn_primitives::market::RewardHooks<u64> for MockHooks {
	fn node_changed(node: u64) {
		HOOKS.with(|h| h.borrow_mut().push(Hook::NodeChanged(node)));
	}
	fn fees_paid(cluster: u32, class: HardwareClass, amount: Balance, take: Balance) {
		HOOKS.with(|h| h.borrow_mut().push(Hook::FeesPaid(cluster, class, amount, take)));
	}
	fn report_accepted(_oracle: &u64, _outcomes: u32) {}
}

/// Reliability scores set by tests (the SLA oracle's role); `Perbill::one()` by default.
pub struct MockReliability;
impl MockReliability {
	pub fn set(node: u64, score: Perbill) {
		RELIABILITY.with(|r| r.borrow_mut().insert(node, score));
	}
}
impl icn_primitives::market::NodeReliability for MockReliability {
	fn reliability(node: u64) -> Perbill {
		RELIABILITY.with(|r| r.borrow().get(&node).copied().unwrap_or(Perbill::one()))
	}
}

impl pallet_capacity_market::Config for Test {
	type Passports = Passports;
	type Collateral = Collateral;
	type Eras = Eras;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxRegionLen = ConstU32<16>;
	type MaxEndpointLen = ConstU32<64>;
	type MinCommitmentEras = ConstU32<MIN_COMMITMENT>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Reliability = MockReliability;
	type MaxCandidates = ConstU32<MAX_CANDIDATES>;
	type MaxAllocations = ConstU32<MAX_ALLOCATIONS>;
	type MaxSkipped = ConstU32<MAX_SKIPPED>;
	type Rewards = Collateral;
	type Hooks = MockHooks;
	type LeaseTake = LeaseTake;
	type Treasury = TreasuryAccount;
	type LeaseDeposit = LeaseDeposit;
	type CancelNoticeEras = ConstU32<CANCEL_NOTICE>;
	type PlotGraceEras = ConstU32<PLOT_GRACE>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
	type WeightInfo = ();
}

pub const HP: u64 = 1;
pub const HP2: u64 = 2;
pub const SP: u64 = 10;
/// Receives the lease take.
pub const TREASURY: u64 = 99;

parameter_types! {
	/// No take unless a test sets one (`LeaseTake::set`).
	pub static LeaseTake: Perbill = Perbill::zero();
	/// No lease deposit unless a test sets one (`LeaseDeposit::set`).
	pub static LeaseDeposit: Balance = 0;
	pub const TreasuryAccount: u64 = TREASURY;
}
pub const ENDOWMENT: Balance = 10_000_000;

/// Passports: HP holds 0, 1, 2 (hardware) and 3 (oracle); HP2 holds 4 (hardware).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig {
			balances: vec![(HP, ENDOWMENT), (HP2, ENDOWMENT), (SP, ENDOWMENT), (TREASURY, 10)],
			..Default::default()
		},
		passports: pallet_passports::GenesisConfig {
			passports: vec![
				(HP, PassportKind::HardwareProvider, vec![]),
				(HP, PassportKind::HardwareProvider, vec![]),
				(HP, PassportKind::HardwareProvider, vec![]),
				(HP, PassportKind::Oracle, vec![]),
				(HP2, PassportKind::HardwareProvider, vec![]),
			],
		},
		collateral: pallet_collateral_delegation::GenesisConfig {
			self_per_unit: vec![
				(HardwareClass::Storage, 1),
				(HardwareClass::Gpu, 100),
				(HardwareClass::Cpu, 5),
			],
			network_ratio: Some(Perbill::from_parts(1_000)),
			class_shares: None,
			_config: Default::default(),
		},
		market: pallet_capacity_market::GenesisConfig {
			proof_coverage: Some(COVERAGE),
			..Default::default()
		},
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Provisions HPs with the real passports and collateral pallets of this mock.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for MockBenchmarkHelper {
	fn provision_hp(hp: &u64) -> u32 {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let passport = pallet_passports::NextPassportId::<Test>::get();
		let _ = Passports::mint(
			RuntimeOrigin::root(),
			*hp,
			PassportKind::HardwareProvider,
			Default::default(),
		);
		let _ = Balances::set_balance(hp, 1_000_000_000_000);
		let _ = Collateral::bond(RuntimeOrigin::signed(*hp), 100_000_000_000);
		passport
	}
	fn advance_eras(eras: u32) {
		let now = System::block_number();
		System::set_block_number(now + u64::from(eras) * u64::from(ERA_LENGTH));
	}
	fn uncover_hp(hp: &u64) {
		use icn_primitives::collateral::EraProvider;
		let window = 2; // `CollateralTopUpEras`
		if <Eras as EraProvider>::current_era() < window {
			Self::advance_eras(window);
		}
		pallet_collateral_delegation::Pallet::<Test>::uncover_for_benchmarks(hp);
	}
}
