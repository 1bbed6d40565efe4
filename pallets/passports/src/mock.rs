//! A minimal runtime for the passports pallet's unit tests.

use crate as pallet_passports;
use polkadot_sdk::{
	frame_support::{construct_runtime, derive_impl, traits::ConstU32},
	frame_system::{self, EnsureRoot},
	sp_io,
	sp_runtime::BuildStorage,
};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Passports: pallet_passports,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = u64;
	type Lookup = polkadot_sdk::sp_runtime::traits::IdentityLookup<u64>;
}

impl pallet_passports::Config for Test {
	type MintOrigin = EnsureRoot<u64>;
	type MaxMetadataLen = ConstU32<32>;
	type WeightInfo = ();
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;

/// Externalities with Alice holding passport 0 (HardwareProvider) and 1 (Oracle) from genesis.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		passports: pallet_passports::GenesisConfig {
			passports: vec![
				(ALICE, icn_primitives::passport::PassportKind::HardwareProvider, b"hp".to_vec()),
				(ALICE, icn_primitives::passport::PassportKind::Oracle, Vec::new()),
			],
		},
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	// Events are recorded from block 1 on.
	ext.execute_with(|| System::set_block_number(1));
	ext
}
