//! A minimal runtime for the collateral-delegation pallet's unit tests: balances with holds, eras
//! of 10 blocks, slashes burnt (so total issuance shows exactly what was slashed).

use crate as pallet_collateral_delegation;
use icn_primitives::{
	collateral::{BlockEras, ClassShares},
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
		Collateral: pallet_collateral_delegation,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = u64;
	type Lookup = polkadot_sdk::sp_runtime::traits::IdentityLookup<u64>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const ED: Balance = 10;
pub const ERA_LENGTH: u32 = 10;
pub const UNBONDING_ERAS: u32 = 3;
pub const TOP_UP_ERAS: u32 = 2;
pub const MAX_CHUNKS: u32 = 4;

parameter_types! {
	pub const CollateralPalletId: PalletId = PalletId(*b"icn/cdrw");
	pub const MaxCommission: Perbill = Perbill::from_percent(50);
	pub const EarlyExitPenalty: Perbill = Perbill::from_percent(10);
	pub const DefaultNetworkRatio: Perbill = Perbill::from_percent(50);
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
	type Eras = BlockEras<System, ConstU32<ERA_LENGTH>>;
	type GovernanceOrigin = EnsureRoot<u64>;
	type PalletId = CollateralPalletId;
	type MinSelfBond = ConstU128<100>;
	type MinDelegation = ConstU128<50>;
	type MaxCommission = MaxCommission;
	type CommissionChangeDelay = ConstU32<2>;
	type UnbondingEras = ConstU32<UNBONDING_ERAS>;
	type MaxUnbondingChunks = ConstU32<MAX_CHUNKS>;
	type EarlyExitPenalty = EarlyExitPenalty;
	type CollateralTopUpEras = ConstU32<TOP_UP_ERAS>;
	type DefaultNetworkRatio = DefaultNetworkRatio;
	type DefaultClassShares = DefaultClassShares;
	type WeightInfo = ();
}

pub const HP: u64 = 1;
pub const HP2: u64 = 2;
pub const DAVE: u64 = 10;
pub const EVE: u64 = 11;
pub const FERDIE: u64 = 12;
/// The reward pool rewards are credited from.
pub const POOL: u64 = 99;
pub const POOR: u64 = 50;

pub const ENDOWMENT: Balance = 1_000_000;
pub const NETWORK_RATIO: Perbill = Perbill::from_parts(100_000);

/// Externalities with every test account endowed, the reward pool funded, `self_per_unit` of 10
/// per GiB, 100 per GPU and 5 per vCPU, and the network ratio at 0.01% (so that the network
/// component of a node alone in its class, about 10,500, is small next to the test endowments).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut balances: Vec<(u64, Balance)> =
		[HP, HP2, DAVE, EVE, FERDIE].iter().map(|a| (*a, ENDOWMENT)).collect();
	balances.push((POOL, 100 * ENDOWMENT));
	balances.push((POOR, 20));
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
		collateral: pallet_collateral_delegation::GenesisConfig {
			self_per_unit: vec![
				(HardwareClass::Storage, 10),
				(HardwareClass::Gpu, 100),
				(HardwareClass::Cpu, 5),
			],
			network_ratio: Some(NETWORK_RATIO),
			class_shares: None,
			_config: Default::default(),
		},
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Moves to the first block of era `era`.
pub fn go_to_era(era: u32) {
	System::set_block_number(u64::from(era) * u64::from(ERA_LENGTH));
}
