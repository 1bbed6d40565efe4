//! A runtime for the SLA oracle's unit tests: the real passports, collateral and capacity-market
//! pallets behind the traits, sr25519 oracle keys in an in-memory keystore, and the test
//! off-chain externalities (scripted HTTP answers, a transaction pool that records submissions).
//! Eras of 10 blocks, rounds of 2.

use crate as pallet_sla_oracle;
use icn_primitives::{
	collateral::ClassShares,
	oracle::{crypto, OracleKey, ORACLE_KEY_TYPE},
	passport::PassportKind,
	Balance, HardwareClass,
};
use polkadot_sdk::{
	frame_support::{
		construct_runtime, derive_impl, parameter_types,
		traits::{ConstU128, ConstU32, ConstU64},
		PalletId,
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, sp_core, sp_io, sp_keystore,
	sp_runtime::{
		testing::TestXt,
		traits::{BlakeTwo256, IdentityLookup},
		BuildStorage, Perbill, RuntimeAppPublic,
	},
};
use std::sync::Arc;

pub type TxExtension = frame_system::AuthorizeCall<Test>;
pub type Extrinsic = TestXt<RuntimeCall, TxExtension>;
type Block = polkadot_sdk::sp_runtime::generic::Block<
	polkadot_sdk::sp_runtime::generic::Header<u64, BlakeTwo256>,
	Extrinsic,
>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Passports: pallet_passports,
		Collateral: pallet_collateral_delegation,
		Market: pallet_capacity_market,
		Sla: pallet_sla_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = u64;
	type Lookup = IdentityLookup<u64>;
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
pub const PERIOD: u32 = 2;

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
	pub const SlashPerEra: Perbill = Perbill::from_percent(20);
	pub const SlashFloor: Perbill = Perbill::from_percent(50);
	pub const MaxDisagreement: Perbill = Perbill::from_percent(50);
}

impl pallet_collateral_delegation::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type OnSlash = ();
	type Eras = Sla;
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

impl pallet_capacity_market::Config for Test {
	type Passports = Passports;
	type Collateral = Collateral;
	type Eras = Sla;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxRegionLen = ConstU32<16>;
	type MaxEndpointLen = ConstU32<64>;
	type MinCommitmentEras = ConstU32<5>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Reliability = Sla;
	type MaxCandidates = ConstU32<8>;
	type MaxAllocations = ConstU32<4>;
	type MaxSkipped = ConstU32<8>;
	type Rewards = Collateral;
	// The SLA oracle drops the records of nodes that retire.
	type Hooks = Sla;
	type LeaseTake = ();
	type Treasury = TreasuryAccount;
	type LeaseDeposit = ConstU128<0>;
	type CancelNoticeEras = ConstU32<2>;
	type PlotGraceEras = ConstU32<1>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
	type WeightInfo = ();
}

pub const OUTCOMES: u32 = 16;

parameter_types! {
	pub const TreasuryAccount: u64 = 99;
}

thread_local! {
	static REWARD_CALLS: core::cell::RefCell<Vec<RewardCall>> = Default::default();
}

/// What the SLA oracle told the rewards pallet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RewardCall {
	NodeChanged(u64),
	ReportAccepted(u64, u32),
}

/// Records the SLA oracle's reward hook calls (the rewards pallet's role).
pub struct RewardLog;
impl RewardLog {
	/// The calls since the last `take`.
	pub fn take() -> Vec<RewardCall> {
		REWARD_CALLS.with(|c| core::mem::take(&mut *c.borrow_mut()))
	}
}
impl icn_primitives::market::RewardHooks<u64> for RewardLog {
	fn node_changed(node: u64) {
		REWARD_CALLS.with(|c| c.borrow_mut().push(RewardCall::NodeChanged(node)));
	}
	fn fees_paid(_cluster: u32, _class: HardwareClass, _amount: Balance, _take: Balance) {}
	fn report_accepted(oracle: &u64, outcomes: u32) {
		REWARD_CALLS.with(|c| c.borrow_mut().push(RewardCall::ReportAccepted(*oracle, outcomes)));
	}
}

impl pallet_sla_oracle::Config for Test {
	type OracleKey = OracleKey;
	type Passports = Passports;
	type Nodes = Market;
	type Collateral = Collateral;
	type MaxOracles = ConstU32<8>;
	type OraclesPerNode = ConstU32<3>;
	type MaxOutcomes = ConstU32<OUTCOMES>;
	type ChunksPerChallenge = ConstU32<2>;
	type ChallengeTimeoutMs = ConstU64<1_000>;
	type GraceEras = ConstU32<1>;
	type RecoveryRounds = ConstU32<2>;
	type SlashPerEra = SlashPerEra;
	type SlashFloor = SlashFloor;
	type MaxDisagreement = MaxDisagreement;
	type DisagreementWindow = ConstU32<4>;
	type ReportPriority = ConstU64<1_000>;
	type Rewards = RewardLog;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Passports, bonds and nodes for the benchmarks, through the real pallets.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_capacity_market::BenchmarkHelper<u64> for MockBenchmarkHelper {
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
		if <Sla as EraProvider>::current_era() < window {
			Self::advance_eras(window);
		}
		pallet_collateral_delegation::Pallet::<Test>::uncover_for_benchmarks(hp);
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for MockBenchmarkHelper {
	fn oracle_passport(who: &u64) -> u32 {
		let passport = pallet_passports::NextPassportId::<Test>::get();
		let _ =
			Passports::mint(RuntimeOrigin::root(), *who, PassportKind::Oracle, Default::default());
		passport
	}
	fn active_node(index: u32) -> u64 {
		use icn_primitives::market::{NodeHealth, NodeStatus};
		use pallet_capacity_market::BenchmarkHelper as _;
		let hp = 1_000 + u64::from(index);
		let passport = Self::provision_hp(&hp);
		let node = pallet_capacity_market::NextNodeId::<Test>::get();
		let (plot, root) =
			icn_primitives::pos::declared_plot(&codec::Encode::encode(&hp), passport, 10 << 30);
		let _ = Market::register_node(
			RuntimeOrigin::signed(hp),
			passport,
			0,
			HardwareClass::Storage,
			10,
			5,
			100,
			b"http://agent.test".to_vec(),
			root,
			plot,
		);
		let _ = <Market as NodeHealth>::set_status(node, NodeStatus::Active);
		node
	}
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Test
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> TxExtension {
		TxExtension::new()
	}
}

/// HPs 1 and 2 (hardware passports 0..=2 and 3), oracles 11..=15 (oracle passports 4..=8), SP 20.
pub const HP: u64 = 1;
pub const HP2: u64 = 2;
pub const SP: u64 = 20;
pub const ORACLES: [u64; 5] = [11, 12, 13, 14, 15];
pub const ENDOWMENT: Balance = 10_000_000;

/// The dev phrase's derivation for oracle `who`: `//oracle<who>`.
pub fn oracle_seed(who: u64) -> String {
	format!("//oracle{who}")
}

/// Test externalities with the genesis above, an in-memory keystore holding the keys of
/// `local_oracles`, and off-chain / pool extensions. Returns the off-chain and pool states too.
pub fn new_test_ext(
	local_oracles: &[u64],
) -> (
	sp_io::TestExternalities,
	Arc<parking_lot::RwLock<sp_core::offchain::testing::OffchainState>>,
	Arc<parking_lot::RwLock<sp_core::offchain::testing::PoolState>>,
) {
	use sp_core::offchain::{
		testing::{TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
	};
	use sp_keystore::{Keystore, KeystoreExt};
	let mut passports: Vec<(u64, PassportKind, Vec<u8>)> = vec![
		(HP, PassportKind::HardwareProvider, vec![]),
		(HP, PassportKind::HardwareProvider, vec![]),
		(HP, PassportKind::HardwareProvider, vec![]),
		(HP2, PassportKind::HardwareProvider, vec![]),
	];
	passports.extend(ORACLES.iter().map(|o| (*o, PassportKind::Oracle, vec![])));
	let mut balances: Vec<(u64, Balance)> =
		vec![(HP, ENDOWMENT), (HP2, ENDOWMENT), (SP, ENDOWMENT)];
	balances.extend(ORACLES.iter().map(|o| (*o, ENDOWMENT)));
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
		passports: pallet_passports::GenesisConfig { passports },
		collateral: pallet_collateral_delegation::GenesisConfig {
			self_per_unit: vec![
				(HardwareClass::Storage, 10),
				(HardwareClass::Gpu, 100),
				(HardwareClass::Cpu, 5),
			],
			network_ratio: Some(Perbill::from_parts(1_000)),
			class_shares: None,
			_config: Default::default(),
		},
		market: pallet_capacity_market::GenesisConfig {
			clusters: vec![(b"eu".to_vec(), vec![HardwareClass::Storage])],
			// The dev chains' coverage: 256 chunks of 4 KiB cover a 10 GiB node.
			proof_coverage: Some(Perbill::from_parts(953)),
			_config: Default::default(),
		},
		sla: pallet_sla_oracle::GenesisConfig {
			era_length: Some(ERA_LENGTH),
			challenge_period: Some(PERIOD),
			_config: Default::default(),
		},
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	let keystore = sp_keystore::testing::MemoryKeystore::new();
	for who in local_oracles {
		keystore
			.sr25519_generate_new(ORACLE_KEY_TYPE, Some(&oracle_seed(*who)))
			.expect("key generated");
	}
	ext.register_extension(KeystoreExt(Arc::new(keystore)));
	let (offchain, offchain_state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| System::set_block_number(1));
	(ext, offchain_state, pool_state)
}

/// The public oracle key of `who` (derived from its seed, as the keystore holds it).
pub fn oracle_key(who: u64) -> OracleKey {
	use sp_core::Pair;
	let pair = sp_core::sr25519::Pair::from_string(&oracle_seed(who), None).expect("valid seed");
	OracleKey::from(pair.public())
}

/// `who`'s proof of possession of its key.
pub fn possession_proof(who: u64) -> <OracleKey as RuntimeAppPublic>::Signature {
	use codec::Encode;
	use sp_core::Pair;
	let pair = sp_core::sr25519::Pair::from_string(&oracle_seed(who), None).expect("valid seed");
	let message = (crate::POSSESSION_CONTEXT, who).encode();
	crypto::Signature::from(pair.sign(&message))
}

/// Signs `report` with `who`'s oracle key.
pub fn sign_report(
	who: u64,
	report: &crate::Report<u64, ConstU32<OUTCOMES>>,
) -> <OracleKey as RuntimeAppPublic>::Signature {
	use codec::Encode;
	use sp_core::Pair;
	let pair = sp_core::sr25519::Pair::from_string(&oracle_seed(who), None).expect("valid seed");
	crypto::Signature::from(pair.sign(&report.encode()))
}
