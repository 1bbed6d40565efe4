//! A runtime for the rewards pallet's unit tests. The market, the SLA oracle's scores, the clock
//! and the HP pool split are test doubles here (the pallet sees them only through traits): nodes
//! live in a table the tests edit, eras advance when the tests say, and crediting an HP moves the
//! ICNT from the pool to the HP's account so every payout is visible in balances.

use crate as pallet_cluster_rewards;
use icn_primitives::{
	collateral::{EraProvider, RewardCrediting},
	market::{ChallengeTarget, NodeDirectory, NodeReliability, NodeStatus},
	Balance, ClusterId, EraIndex, HardwareClass, NodeId,
};
use polkadot_sdk::{
	frame_support::{
		construct_runtime, derive_impl, parameter_types,
		traits::{fungible::Mutate, tokens::Preservation, ConstU128, ConstU32},
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, sp_io,
	sp_runtime::{BuildStorage, DispatchResult, Perbill},
};
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Rewards: pallet_cluster_rewards,
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
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
}

thread_local! {
	static NODES: RefCell<BTreeMap<NodeId, ChallengeTarget<u64>>> = Default::default();
	static RELIABILITY: RefCell<BTreeMap<NodeId, Perbill>> = Default::default();
	static FREE: RefCell<BTreeMap<(ClusterId, HardwareClass), u64>> = Default::default();
}

/// The market as the tests script it.
pub struct TestNodes;
impl TestNodes {
	/// Adds (or replaces) `node` and tells the pallet, as the market would.
	pub fn set(
		node: NodeId,
		hp: u64,
		cluster: ClusterId,
		capacity: u64,
		status: NodeStatus,
		end: EraIndex,
	) {
		NODES.with(|n| {
			n.borrow_mut().insert(
				node,
				ChallengeTarget {
					hp,
					cluster,
					commitment_end: end,
					class: HardwareClass::Storage,
					capacity,
					status,
					endpoint: vec![],
					proof_root: [0; 32],
					plot: None,
					plot_covered: true,
					// Storage nodes here prove their whole capacity unless a test says otherwise.
					proven: capacity,
				},
			)
		});
		<Rewards as icn_primitives::market::RewardHooks<u64>>::node_changed(node);
	}
	/// Sets the units `node`'s plot proves.
	pub fn proven(node: NodeId, proven: u64) {
		NODES.with(|n| {
			if let Some(t) = n.borrow_mut().get_mut(&node) {
				t.proven = proven;
			}
		});
		<Rewards as icn_primitives::market::RewardHooks<u64>>::node_changed(node);
	}
	/// Changes `node`'s status.
	pub fn status(node: NodeId, status: NodeStatus) {
		NODES.with(|n| {
			if let Some(t) = n.borrow_mut().get_mut(&node) {
				t.status = status;
			}
		});
		<Rewards as icn_primitives::market::RewardHooks<u64>>::node_changed(node);
	}
	/// Sets the market's free (unleased) capacity of `(cluster, storage)`.
	pub fn free(cluster: ClusterId, free: u64) {
		FREE.with(|f| f.borrow_mut().insert((cluster, HardwareClass::Storage), free));
	}
	/// Retires `node`.
	pub fn retire(node: NodeId) {
		NODES.with(|n| n.borrow_mut().remove(&node));
		<Rewards as icn_primitives::market::RewardHooks<u64>>::node_changed(node);
	}
}
impl NodeDirectory<u64> for TestNodes {
	fn target(node: NodeId) -> Option<ChallengeTarget<u64>> {
		NODES.with(|n| n.borrow().get(&node).cloned())
	}
	fn live_nodes() -> Vec<NodeId> {
		NODES.with(|n| n.borrow().keys().copied().collect())
	}
	fn free_capacity(cluster: ClusterId, class: HardwareClass) -> u64 {
		FREE.with(|f| f.borrow().get(&(cluster, class)).copied().unwrap_or(0))
	}
}

/// Reliability scores as the tests set them (`Perbill::one()` by default).
pub struct TestReliability;
impl TestReliability {
	pub fn set(node: NodeId, score: Perbill) {
		RELIABILITY.with(|r| r.borrow_mut().insert(node, score));
		<Rewards as icn_primitives::market::RewardHooks<u64>>::node_changed(node);
	}
}
impl NodeReliability for TestReliability {
	fn reliability(node: NodeId) -> Perbill {
		RELIABILITY.with(|r| r.borrow().get(&node).copied().unwrap_or(Perbill::one()))
	}
}

/// Blocks per era in the tests.
pub const ERA_LENGTH: u32 = 10;

/// The clock: era `e` is blocks `10e + 1 ..= 10e + 10` (the tests start at block 1, the first
/// block of era 0); the tests move it with [`next_era`] or [`run_to_block`].
pub struct TestEras;
impl EraProvider for TestEras {
	fn current_era() -> EraIndex {
		(System::block_number().saturating_sub(1) as u32) / ERA_LENGTH
	}
	fn era_length() -> u32 {
		ERA_LENGTH
	}
	fn blocks_left_in_era() -> u32 {
		ERA_LENGTH - (System::block_number().saturating_sub(1) as u32) % ERA_LENGTH
	}
}

/// Crediting an HP moves the amount from the pool to the HP's free balance.
pub struct TestCrediting;
impl RewardCrediting<u64> for TestCrediting {
	fn credit_reward(source: &u64, hp: &u64, amount: Balance) -> DispatchResult {
		Balances::transfer(source, hp, amount, Preservation::Preserve).map(|_| ())
	}
}

pub const POOL: u64 = 999;
pub const POOL_FUNDS: Balance = 1_000_000_000_000;
pub const MAX_EMISSION: Balance = 10_000;
pub const ORACLE_BUDGET: Balance = 600;

parameter_types! {
	/// Settable so that tests can use the runtime's 18-decimal magnitudes.
	pub storage MaxEmission: Balance = MAX_EMISSION;
	/// See `MaxEmission`.
	pub storage OracleBudget: Balance = ORACLE_BUDGET;
	pub const Pool: u64 = POOL;
	pub const MaxCommitmentBonus: Perbill = Perbill::from_percent(50);
}

impl pallet_cluster_rewards::Config for Test {
	type Currency = Balances;
	type RewardPool = Pool;
	type Rewards = TestCrediting;
	type Nodes = TestNodes;
	type Reliability = TestReliability;
	type Eras = TestEras;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxGroups = ConstU32<4>;
	type MaxEmissionPerEra = MaxEmission;
	type OracleBudgetPerEra = OracleBudget;
	type MaxCommitmentBonus = MaxCommitmentBonus;
	type BonusHorizonEras = ConstU32<10>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestNodes;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for TestNodes {
	fn active_node(index: u32, cluster: ClusterId, capacity: u64) -> NodeId {
		let node = NodeId::from(index) + 1_000_000;
		TestNodes::set(node, 1, cluster, capacity, NodeStatus::Active, 1_000);
		node
	}
	fn next_era() {
		let era = <TestEras as EraProvider>::current_era();
		System::set_block_number(u64::from((era + 1) * ERA_LENGTH) + 1);
	}
	fn retire(node: NodeId) {
		TestNodes::retire(node);
	}
}

/// Starts the next era (its first block) and runs the pallet's era transition.
pub fn next_era() {
	let era = <TestEras as EraProvider>::current_era();
	run_to_block(u64::from((era + 1) * ERA_LENGTH) + 1);
}

/// Moves to `block`, running the pallet's `on_initialize` at the first block of every era on
/// the way (as a chain does) and at `block`.
pub fn run_to_block(block: u64) {
	use polkadot_sdk::frame_support::traits::Hooks;
	let length = u64::from(ERA_LENGTH);
	let mut start = (System::block_number().saturating_sub(1) / length + 1) * length + 1;
	while start < block {
		System::set_block_number(start);
		Rewards::on_initialize(start);
		start += length;
	}
	System::set_block_number(block);
	Rewards::on_initialize(block);
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	NODES.with(|n| n.borrow_mut().clear());
	RELIABILITY.with(|r| r.borrow_mut().clear());
	FREE.with(|f| f.borrow_mut().clear());
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig {
			balances: vec![(POOL, POOL_FUNDS), (1, 10), (2, 10), (50, 10)],
			..Default::default()
		},
		rewards: Default::default(),
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
