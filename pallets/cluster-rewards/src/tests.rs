//! Unit and property tests of the rewards pallet: parameters, the subsidy curve, usage rewards,
//! the emission cap, shares by weight (capacity, reliability, commitment), faulty and retired
//! nodes, oracle rewards, and the accounting invariants.

use crate::{mock::*, *};
use icn_primitives::market::RewardHooks;
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::{DispatchError, FixedU128},
};

const STORAGE: HardwareClass = HardwareClass::Storage;

fn params(base: Balance, cap: u64, usage: u128) -> GroupParameters {
	GroupParameters {
		base_subsidy: base,
		subsidy_cap: cap,
		usage_multiplier: FixedU128::from_u32(usage as u32),
	}
}

fn set(cluster: ClusterId, p: GroupParameters) {
	assert_ok!(Rewards::set_group_params(RuntimeOrigin::root(), cluster, STORAGE, p));
}

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Rewards::do_try_state().expect("invariants hold");
		let paid = POOL_FUNDS - Balances::free_balance(POOL);
		assert_eq!(paid, Claimed::<Test>::get(), "the pool paid exactly what was claimed");
	});
}

fn claim(node: NodeId) -> Balance {
	let before = Rewards::pending_node_rewards(node);
	assert_ok!(Rewards::claim_node_rewards(RuntimeOrigin::signed(50), node));
	before
}

#[test]
fn governance_sets_group_parameters() {
	test(|| {
		assert_noop!(
			Rewards::set_group_params(RuntimeOrigin::signed(1), 0, STORAGE, params(1, 1, 0)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Rewards::set_group_params(RuntimeOrigin::root(), 0, STORAGE, params(1, 0, 0)),
			Error::<Test>::BadParameters
		);
		// A rate whose peak (base × cap / 4) is not a representable amount.
		assert_noop!(
			Rewards::set_group_params(
				RuntimeOrigin::root(),
				0,
				STORAGE,
				params(u128::MAX / 2, 3, 0)
			),
			Error::<Test>::BadParameters
		);
		for cluster in 0..4 {
			set(cluster, params(100, 1_000, 1));
		}
		assert_noop!(
			Rewards::set_group_params(RuntimeOrigin::root(), 9, STORAGE, params(1, 1, 0)),
			Error::<Test>::TooManyGroups
		);
		// Updating an existing group is fine when full.
		set(0, params(5, 10, 2));
		assert_eq!(GroupParams::<Test>::get((0, STORAGE)), Some(params(5, 10, 2)));
		System::assert_last_event(
			Event::GroupParamsSet { cluster: 0, class: STORAGE, params: params(5, 10, 2) }.into(),
		);
	});
}

#[test]
fn the_subsidy_is_a_rate_per_unit_that_shrinks_linearly_and_usage_follows_fees_up_to_the_take() {
	let p = params(1_000, 400, 3);
	// capacity × 1,000 × (1 − capacity / 400): per unit 750, 500, 250, then nothing.
	assert_eq!(Pallet::<Test>::group_reward(&p, 0, 0, 0), (0, 0));
	assert_eq!(Pallet::<Test>::group_reward(&p, 1, 0, 0), (997, 0));
	assert_eq!(Pallet::<Test>::group_reward(&p, 100, 0, 0), (75_000, 0));
	assert_eq!(
		Pallet::<Test>::group_reward(&p, 200, 0, 0),
		(100_000, 0),
		"the peak, base × cap / 4"
	);
	assert_eq!(Pallet::<Test>::group_reward(&p, 300, 0, 0), (75_000, 0));
	assert_eq!(Pallet::<Test>::group_reward(&p, 400, 0, 0), (0, 0));
	assert_eq!(Pallet::<Test>::group_reward(&p, 401, 0, 0), (0, 0));
	// The largest parameters `set_group_params` accepts do not overflow anywhere on the curve.
	let big = params(u128::MAX / u128::from(u64::MAX), u64::MAX, 0);
	assert!(Pallet::<Test>::check_params(&big).is_ok());
	for capacity in [1, u64::MAX / 2, u64::MAX - 1] {
		assert!(Pallet::<Test>::group_reward(&big, capacity, 0, 0).0 > 0);
	}
	// 3 × fees, never more than the protocol's take of them (SPEC §4.10).
	assert_eq!(Pallet::<Test>::group_reward(&p, 9_999, 500, 150), (0, 150));
	assert_eq!(Pallet::<Test>::group_reward(&p, 9_999, 500, 5_000), (0, 1_500));
	assert_eq!(Pallet::<Test>::group_reward(&p, 9_999, 500, 0), (0, 0));
}

#[test]
fn an_era_is_shared_by_weight_and_claims_reach_the_hp() {
	test(|| {
		set(0, params(2, 1_000, 0));
		// Equal reliability, commitments beyond the bonus horizon: weight ∝ capacity.
		TestNodes::set(1, 1, 0, 100, NodeStatus::Active, 100);
		TestNodes::set(2, 2, 0, 300, NodeStatus::Active, 100);
		next_era();
		// Capacity 400 of a 1,000 cap: 400 units at 2 × 0.6, subsidy 480, shared 1:3.
		let group = Groups::<Test>::get((0, STORAGE));
		assert_eq!((group.capacity, group.last_subsidy), (400, 480));
		assert_eq!(Rewards::pending_node_rewards(1), 120);
		assert_eq!(Rewards::pending_node_rewards(2), 360);
		assert_eq!(claim(2), 360);
		assert_eq!(Balances::free_balance(2), 10 + 360);
		assert_eq!(Rewards::pending_node_rewards(2), 0);
		assert_noop!(
			Rewards::claim_node_rewards(RuntimeOrigin::signed(50), 2),
			Error::<Test>::NothingToClaim
		);
		assert_noop!(
			Rewards::claim_node_rewards(RuntimeOrigin::signed(50), 77),
			Error::<Test>::UnknownNode
		);
		assert_eq!(Emitted::<Test>::get(), 480);
	});
}

/// Issue 24's review of the per-unit subsidy: a rate pays every unit, so capacity nothing proves
/// (a `Gpu`/`Cpu` node's, or storage beyond its plot) would be emission for locked `S` and no
/// hardware. Only proven units are subsidized; the usage reward still follows capacity.
#[test]
fn attack_farm_the_subsidy_with_capacity_no_plot_proves() {
	test(|| {
		set(0, params(2, 1_000, 1));
		// An honest node proves its 100 units. The attacker commits 300 units and proves none
		// (a GPU node today, or storage leased to itself and re-plotted to cover nothing).
		TestNodes::set(1, 1, 0, 100, NodeStatus::Active, 100);
		TestNodes::set(2, 2, 0, 300, NodeStatus::Active, 100);
		TestNodes::proven(2, 0);
		assert_eq!(Groups::<Test>::get((0, STORAGE)).units, 100);
		Rewards::fees_paid(0, STORAGE, 40, 40);
		next_era();
		let group = Groups::<Test>::get((0, STORAGE));
		// 100 proven units at 2 × 0.9 = 180 (unproven, the 400 units would have been paid 480).
		assert_eq!(
			(group.capacity, group.units, group.last_subsidy, group.last_usage),
			(400, 100, 180, 40)
		);
		// The attacker takes no subsidy, only its share of the usage reward (3/4 of 40, rounded
		// down), the honest node the whole subsidy and the rest.
		assert_eq!(Rewards::pending_node_rewards(2), 29);
		assert_eq!(Rewards::pending_node_rewards(1), 180 + 9);
		// Half proven: half the weight in the subsidy.
		TestNodes::proven(2, 100);
		next_era();
		let subsidy = Groups::<Test>::get((0, STORAGE)).last_subsidy;
		assert_eq!(subsidy, 320, "200 units × 2 × 0.8");
		assert_eq!(Rewards::pending_node_rewards(2), 29 + 160 - 1, "its half, rounded down");
	});
}

/// Issue 24 item 6: shares used to be the weights at the era's end, so a node made rewardable
/// in an era's last block took a whole era's share. They follow weight × blocks now, and the
/// subsidy is computed on the era's average units.
#[test]
fn attack_become_rewardable_in_the_last_block_of_an_era_for_its_whole_reward() {
	test(|| {
		set(0, params(10, 1_000_000, 0));
		TestNodes::set(1, 1, 0, 100, NodeStatus::Active, 100);
		// The era's last block (10 of 1..=10): the attacker's node of the same size arrives.
		run_to_block(u64::from(ERA_LENGTH));
		TestNodes::set(2, 2, 0, 100, NodeStatus::Active, 100);
		next_era();
		// Units averaged over the era: 100 + 100 × 1/10 = 110, at 10 × (1 − 110 / 10^6).
		let subsidy = Groups::<Test>::get((0, STORAGE)).last_subsidy;
		assert_eq!(subsidy, 1_099);
		// Shared 10 : 1 by blocks served, not 1 : 1.
		let (honest, attacker) =
			(Rewards::pending_node_rewards(1), Rewards::pending_node_rewards(2));
		assert_eq!((honest, attacker), (999, 99));
		// From the next era on they are equal.
		next_era();
		let second = Groups::<Test>::get((0, STORAGE)).last_subsidy;
		assert_eq!(Rewards::pending_node_rewards(2) - attacker, second / 2);
	});
}

#[test]
fn a_node_that_leaves_in_an_era_is_paid_for_the_blocks_it_served() {
	test(|| {
		set(0, params(10, 1_000_000, 0));
		TestNodes::set(1, 1, 0, 100, NodeStatus::Active, 100);
		TestNodes::set(2, 2, 0, 100, NodeStatus::Active, 100);
		// Node 2 retires after 4 of the era's 10 blocks: blocks 1–4 served.
		run_to_block(5);
		TestNodes::retire(2);
		assert!(Shares::<Test>::contains_key(2), "kept until the era it served in is paid");
		next_era();
		let subsidy = Groups::<Test>::get((0, STORAGE)).last_subsidy;
		// 140 units on average: 1,399; shared 10 : 4.
		assert_eq!(subsidy, 1_399);
		assert_eq!(Rewards::pending_node_rewards(1), 999);
		assert_eq!(Rewards::pending_node_rewards(2), 399);
		assert_eq!(claim(2), 399);
		assert!(!Shares::<Test>::contains_key(2), "paid out: nothing left to track");
		assert_eq!(EraRates::<Test>::iter().count(), 1, "only node 1's era is kept");
	});
}

#[test]
fn usage_rewards_follow_the_fees_of_the_era() {
	test(|| {
		set(0, params(0, 1, 2));
		TestNodes::set(1, 1, 0, 10, NodeStatus::Active, 100);
		// Fees of 70 with a take of 140 (of more fees, in the test's bookkeeping): the
		// multiplier decides.
		Rewards::fees_paid(0, STORAGE, 70, 140);
		next_era();
		// 2 × 70, less at most one unit of accumulator rounding (always down).
		let paid = Rewards::pending_node_rewards(1);
		assert!((139..=140).contains(&paid), "{paid}");
		// Fees are per era: the next era without fees pays nothing.
		next_era();
		assert_eq!(Rewards::pending_node_rewards(1), paid);
		assert_eq!(Groups::<Test>::get((0, STORAGE)).last_usage, 0);
	});
}

#[test]
fn the_cap_scales_every_group_down_pro_rata() {
	test(|| {
		set(0, params(9_000, 1_000_000, 0));
		set(1, params(6_000, 1_000_000, 0));
		TestNodes::set(1, 1, 0, 1, NodeStatus::Active, 100);
		TestNodes::set(2, 2, 1, 1, NodeStatus::Active, 100);
		next_era();
		// 15,000 asked, 10,000 allowed: two thirds each.
		let a = Groups::<Test>::get((0, STORAGE)).last_subsidy;
		let b = Groups::<Test>::get((1, STORAGE)).last_subsidy;
		assert!(a + b <= MAX_EMISSION);
		// Subsidies 8,999 and 5,999 (capacity 1 of a 10^6 cap), scaled by 10,000 / 14,998, down.
		assert_eq!((a, b), (6_000, 3_999));
		assert!(Emitted::<Test>::get() <= MAX_EMISSION);
	});
}

#[test]
fn faulty_nodes_earn_nothing_hold_what_they_earned_until_they_pass_and_forfeit_it_if_they_retire() {
	test(|| {
		set(0, params(5, 1_000_000, 0));
		TestNodes::set(1, 1, 0, 100, NodeStatus::Active, 100);
		TestNodes::set(2, 2, 0, 100, NodeStatus::Active, 100);
		next_era();
		let earned = Rewards::pending_node_rewards(2);
		assert!(earned > 0);
		// Node 2 faulty through the next era: its units are not paid (the subsidy is a rate per
		// rewardable unit), node 1 earns its own at a rate a hair higher, and what node 2 earned
		// before is held.
		TestNodes::status(2, NodeStatus::Faulty);
		let before = Rewards::pending_node_rewards(1);
		next_era();
		assert_eq!(Rewards::pending_node_rewards(2), earned);
		// (Up to a base unit of rounding: its era-0 blocks and the full era 1 round separately.)
		assert!(Rewards::pending_node_rewards(1) - before + 1 >= earned);
		assert_eq!(Groups::<Test>::get((0, STORAGE)).last_subsidy, 499, "100 units × 5 × 0.9999");
		assert_noop!(
			Rewards::claim_node_rewards(RuntimeOrigin::signed(50), 2),
			Error::<Test>::RewardsHeld
		);
		// It passes again: released.
		TestNodes::status(2, NodeStatus::Active);
		TestNodes::status(2, NodeStatus::Pending);
		// Retired, it earns nothing more, and its HP can still claim what it earned.
		TestNodes::retire(2);
		next_era();
		assert_eq!(Rewards::pending_node_rewards(2), earned);
		assert_eq!(claim(2), earned);
		assert!(!Shares::<Test>::contains_key(2), "nothing left to track");
		// With nobody rewardable, nothing is emitted.
		TestNodes::status(1, NodeStatus::Slashing);
		let emitted = Emitted::<Test>::get();
		next_era();
		assert_eq!(Emitted::<Test>::get(), emitted);
		// Retiring while slashing forfeits the held rewards to the pool.
		let held = Rewards::pending_node_rewards(1);
		assert!(held > 0);
		TestNodes::retire(1);
		assert_eq!(Forfeited::<Test>::get(), held);
		assert!(!Shares::<Test>::contains_key(1) && !HpShares::<Test>::contains_key(1, 1));
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Rewards(Event::RewardsForfeited { node: 1, hp: 1, amount: held })));
	});
}

#[test]
fn the_api_reports_group_rates_and_an_accounts_pending_rewards() {
	test(|| {
		set(0, params(5, 1_000, 2));
		set(1, params(50, 100, 0));
		TestNodes::set(1, 7, 0, 100, NodeStatus::Active, 0);
		TestNodes::set(2, 7, 0, 300, NodeStatus::Active, 0);
		TestNodes::set(3, 8, 1, 10, NodeStatus::Active, 0);
		TestNodes::free(0, 100);
		// Fees of 800 with a take of 80: 2 × 800 is capped at the take.
		Rewards::fees_paid(0, STORAGE, 800, 80);
		let rates = Rewards::rates(Some(0));
		assert_eq!(rates.len(), 1);
		let r = rates[0];
		assert_eq!((r.cluster, r.class, r.capacity), (0, STORAGE, 400));
		assert_eq!(r.utilization, Perbill::from_percent(75), "300 of 400 leased");
		// 400 units at 5 × 0.6.
		assert_eq!((r.subsidy_per_era, r.fees_this_era, r.usage_this_era), (1_200, 800, 80));
		assert_eq!((r.last_subsidy, r.last_usage), (0, 0));
		assert_eq!(Rewards::rates(None).len(), 2);
		next_era();
		let r = Rewards::rates(Some(0))[0];
		assert_eq!((r.last_subsidy, r.last_usage, r.fees_this_era), (1_200, 80, 0));
		// HP 7 runs nodes 1 and 2: 1/4 and 3/4 of 1,280.
		let pending = Rewards::pending_rewards(&7);
		assert_eq!(pending.nodes, vec![(1, 320), (2, 960)]);
		assert_eq!(pending.oracle, 0);
		// Cluster 1: 10 units at 50 × 0.9.
		assert_eq!(Rewards::pending_rewards(&8).nodes, vec![(3, 450)]);
		assert_eq!(claim(1), 320);
		assert_eq!(Rewards::pending_rewards(&7).nodes, vec![(1, 0), (2, 960)]);
		// A retired node that was paid out leaves the index.
		TestNodes::retire(1);
		assert_eq!(Rewards::pending_rewards(&7).nodes, vec![(2, 960)]);
		Rewards::report_accepted(&7, 3);
		next_era();
		assert_eq!(Rewards::pending_rewards(&7).oracle, ORACLE_BUDGET);
	});
}

#[test]
fn reliability_and_commitment_weigh_in() {
	test(|| {
		// 300 units at 10 × (1 − 300 / 10^6): 2,999 in all.
		set(0, params(10, 1_000_000, 0));
		// Same capacity: node 1 reliable with a long commitment (bonus 50%), node 2 at 50%
		// reliability, node 3 reliable with a commitment ending now (no bonus).
		TestNodes::set(1, 1, 0, 100, NodeStatus::Active, 100);
		TestNodes::set(2, 2, 0, 100, NodeStatus::Active, 100);
		TestReliability::set(2, Perbill::from_percent(50));
		TestNodes::set(3, 1, 0, 100, NodeStatus::Active, 0);
		next_era();
		let [a, b, c] = [1, 2, 3].map(Rewards::pending_node_rewards);
		// Weights 1.5 : 0.75 : 1.0 of 2,999, each rounded down.
		assert_eq!((a, b, c), (1_384, 692, 922));
		assert!(a + b + c <= 3_000);
	});
}

#[test]
fn oracles_share_the_budget_of_an_era_by_reports() {
	test(|| {
		Rewards::report_accepted(&7, 1);
		Rewards::report_accepted(&8, 2);
		Rewards::report_accepted(&8, 2);
		assert_eq!(Rewards::pending_oracle_rewards(&7), 0, "the era is not over");
		next_era();
		assert_eq!(Rewards::pending_oracle_rewards(&7), ORACLE_BUDGET / 5);
		assert_eq!(Rewards::pending_oracle_rewards(&8), ORACLE_BUDGET * 4 / 5);
		assert_ok!(Rewards::claim_oracle_rewards(RuntimeOrigin::signed(8)));
		assert_eq!(Balances::free_balance(8), ORACLE_BUDGET * 4 / 5);
		assert_noop!(
			Rewards::claim_oracle_rewards(RuntimeOrigin::signed(8)),
			Error::<Test>::NothingToClaim
		);
		// An era without reports emits no oracle budget.
		let emitted = Emitted::<Test>::get();
		next_era();
		assert_eq!(Emitted::<Test>::get(), emitted);
	});
}

/// One ICNT: the runtime's token has 18 decimals.
const ICNT: Balance = 1_000_000_000_000_000_000;

/// Runs `f` with the runtime's magnitudes: a pool of 10^9 ICNT, 100,000 ICNT of emission and
/// 1,000 ICNT of oracle budget per era.
fn with_runtime_magnitudes(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		MaxEmission::set(&(100_000 * ICNT));
		OracleBudget::set(&(1_000 * ICNT));
		assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), POOL, 1_000_000_000 * ICNT));
		f();
		Rewards::do_try_state().expect("invariants hold");
	});
}

#[test]
fn a_lone_oracle_with_one_report_earns_the_whole_budget_at_the_runtimes_magnitudes() {
	// The budget (10^21) times a per-outcome scale overflowed u128 with fewer than 3 outcomes in
	// an era: oracles of a quiet chain earned nothing. The split is now exact.
	with_runtime_magnitudes(|| {
		Rewards::report_accepted(&7, 1);
		next_era();
		assert_eq!(Rewards::pending_oracle_rewards(&7), 1_000 * ICNT);
		assert_ok!(Rewards::claim_oracle_rewards(RuntimeOrigin::signed(7)));
		assert_eq!(Balances::free_balance(7), 1_000 * ICNT);
		assert_eq!(Claimed::<Test>::get(), 1_000 * ICNT);
		assert_eq!(Emitted::<Test>::get(), 1_000 * ICNT);
		// Three oracles with one outcome each: ⌊budget / 3⌋ each, nothing over the budget.
		for oracle in [7, 8, 9] {
			Rewards::report_accepted(&oracle, 1);
		}
		next_era();
		for oracle in [7, 8, 9] {
			assert_eq!(Rewards::pending_oracle_rewards(&oracle), 1_000 * ICNT / 3);
		}
		// The biggest report count an era can hold still splits exactly.
		Rewards::report_accepted(&7, u32::MAX - 1);
		Rewards::report_accepted(&8, 1);
		next_era();
		let total = Rewards::pending_oracle_rewards(&7) + Rewards::pending_oracle_rewards(&8);
		assert!(total <= 1_000 * ICNT + 2 * (1_000 * ICNT / 3));
		assert!(Rewards::pending_oracle_rewards(&8) >= 1_000 * ICNT / 3);
	});
}

#[test]
fn node_rewards_are_exact_at_the_runtimes_magnitudes_for_tiny_and_large_weights() {
	with_runtime_magnitudes(|| {
		// 10^24 base units of subsidy per unit are over the cap: the whole cap goes to the group.
		set(0, params(1_000_000 * ICNT, 100_000_000_000_000, 0));
		// The smallest weight a node can have: 1 unit of capacity at 1 part per billion.
		TestNodes::set(1, 100, 0, 1, NodeStatus::Active, 0);
		TestReliability::set(1, Perbill::from_parts(1));
		Rewards::node_changed(1);
		assert_eq!(
			Shares::<Test>::get(1).map(|s| (s.subsidy.weight, s.usage.weight)),
			Some((1, 1))
		);
		next_era();
		assert_eq!(Emitted::<Test>::get(), 100_000 * ICNT);
		assert_eq!(Rewards::pending_node_rewards(1), 100_000 * ICNT);
		// A large node joins: 10^12 units at full reliability share the next era by weight.
		TestNodes::set(2, 101, 0, 1_000_000_000_000, NodeStatus::Active, 0);
		Rewards::node_changed(2);
		next_era();
		let second = Rewards::pending_node_rewards(2);
		let dust = 100_000 * ICNT - (Rewards::pending_node_rewards(1) - 100_000 * ICNT) - second;
		assert!(second > 99_999 * ICNT, "the large node earns almost all: {second}");
		// Rounding leaves at most total_weight / SCALE base units (here ~10^9) in the pool.
		assert!(dust <= 1_000_000_001 + 2, "dust {dust}");
		assert_eq!(claim(2), second);
		assert_eq!(Balances::free_balance(101), second);
	});
}

#[test]
fn a_group_whose_accumulator_would_overflow_is_not_paid_and_the_chain_says_so() {
	with_runtime_magnitudes(|| {
		set(0, params(1_000 * ICNT, 100_000_000_000_000_000, 0));
		TestNodes::set(1, 100, 0, 1, NodeStatus::Active, 0);
		TestReliability::set(1, Perbill::from_parts(1));
		Rewards::node_changed(1);
		next_era();
		// The subsidy of 1 unit of a 10^17 cap: a hair under the rate, all of it to the node.
		let pending = Rewards::pending_node_rewards(1);
		assert_eq!(pending, Groups::<Test>::get((0, STORAGE)).last_subsidy);
		assert!(pending > 999 * ICNT);
		let emitted = Emitted::<Test>::get();
		// Thousands of eras of full rewards on a weight of 1 later, the accumulator is near its
		// end: the next increment does not fit.
		Rewards::node_changed(1);
		Groups::<Test>::mutate((0, STORAGE), |g| g.subsidy.per_weight = u128::MAX - 1);
		Shares::<Test>::mutate(1, |s| {
			if let Some(s) = s {
				s.subsidy.paid = u128::MAX - 1;
			}
		});
		next_era();
		let era = <TestEras as EraProvider>::current_era() - 1;
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Rewards(Event::GroupNotRewarded {
				era,
				cluster: 0,
				class: STORAGE,
				amount: pending,
			})));
		assert_eq!(Emitted::<Test>::get(), emitted, "nothing is counted as emitted");
		assert_eq!(Rewards::pending_node_rewards(1), pending, "nothing is credited");
		assert_eq!(Groups::<Test>::get((0, STORAGE)).last_subsidy, 0);
		assert_eq!(Groups::<Test>::get((0, STORAGE)).subsidy.per_weight, u128::MAX - 1);
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Node { node: u8, capacity: u16, end: u8 },
		Status { node: u8, active: bool },
		Reliability { node: u8, percent: u8 },
		Retire { node: u8 },
		Fees { cluster: u8, amount: u32 },
		Report { oracle: u8, outcomes: u8 },
		Era,
		Claim { node: u8 },
		ClaimOracle { oracle: u8 },
		Wait { blocks: u8 },
		Proven { node: u8, percent: u8 },
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			(0u8..8, 1u16..1_000, 0u8..20).prop_map(|(node, capacity, end)| Op::Node {
				node,
				capacity,
				end
			}),
			(0u8..8, any::<bool>()).prop_map(|(node, active)| Op::Status { node, active }),
			(0u8..8, 0u8..=100).prop_map(|(node, percent)| Op::Reliability { node, percent }),
			(0u8..8).prop_map(|node| Op::Retire { node }),
			(0u8..2, 0u32..100_000).prop_map(|(cluster, amount)| Op::Fees { cluster, amount }),
			(0u8..3, 1u8..10).prop_map(|(oracle, outcomes)| Op::Report { oracle, outcomes }),
			Just(Op::Era),
			Just(Op::Era),
			(0u8..8).prop_map(|node| Op::Claim { node }),
			(0u8..3).prop_map(|oracle| Op::ClaimOracle { oracle }),
			(1u8..15).prop_map(|blocks| Op::Wait { blocks }),
			(0u8..8, 0u8..=100).prop_map(|(node, percent)| Op::Proven { node, percent }),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		#[test]
		fn emission_is_capped_and_payouts_never_exceed_it(ops in proptest::collection::vec(op(), 1..80)) {
			new_test_ext().execute_with(|| {
				// Peaks of 3 × 5,000 / 4 = 3,750 and 36 × 2,000 / 4 = 18,000 a group: some eras
				// under the cap, some over.
				set(0, params(3, 5_000, 1));
				set(1, params(36, 2_000, 3));
				for op in ops {
					let emitted = Emitted::<Test>::get();
					match op {
						Op::Node { node, capacity, end } => TestNodes::set(
							u64::from(node), 100 + u64::from(node), ClusterId::from(node % 2),
							u64::from(capacity), NodeStatus::Active, EraIndex::from(end)),
						Op::Status { node, active } => TestNodes::status(
							u64::from(node),
							if active { NodeStatus::Active } else { NodeStatus::Faulty }),
						Op::Reliability { node, percent } => TestReliability::set(
							u64::from(node), Perbill::from_percent(u32::from(percent))),
						Op::Retire { node } => TestNodes::retire(u64::from(node)),
						Op::Fees { cluster, amount } => Rewards::fees_paid(
							ClusterId::from(cluster), STORAGE, Balance::from(amount),
							Balance::from(amount) / 10),
						Op::Report { oracle, outcomes } => Rewards::report_accepted(
							&(200 + u64::from(oracle)), u32::from(outcomes)),
						Op::Era => {
							next_era();
							let delta = Emitted::<Test>::get() - emitted;
							prop_assert!(delta <= MAX_EMISSION + ORACLE_BUDGET, "era over the cap");
						},
						Op::Claim { node } => {
							let _ = Rewards::claim_node_rewards(RuntimeOrigin::signed(50), u64::from(node));
						},
						Op::ClaimOracle { oracle } => {
							let _ = Rewards::claim_oracle_rewards(RuntimeOrigin::signed(200 + u64::from(oracle)));
						},
						Op::Wait { blocks } => {
							let from = <TestEras as EraProvider>::current_era();
							run_to_block(System::block_number() + u64::from(blocks));
							let eras = u128::from(<TestEras as EraProvider>::current_era() - from);
							let delta = Emitted::<Test>::get() - emitted;
							prop_assert!(delta <= eras * (MAX_EMISSION + ORACLE_BUDGET), "era over the cap");
						},
						Op::Proven { node, percent } => {
							let capacity = TestNodes::target(u64::from(node)).map(|t| t.capacity).unwrap_or(0);
							TestNodes::proven(u64::from(node), capacity * u64::from(percent) / 100);
						},
					}
					prop_assert!(Rewards::do_try_state().is_ok(), "{:?}", Rewards::do_try_state());
					// Exact up to the accumulators' rounding: per era at most a unit per share,
					// pot and term (its own era's blocks, the full eras since) and per group and
					// pot is left as dust in the pool.
					let mut claimable = Forfeited::<Test>::get() + Claimed::<Test>::get();
					for (node, _) in Shares::<Test>::iter() {
						claimable += Rewards::pending_node_rewards(node);
					}
					for oracle in 200..203 {
						claimable += Rewards::pending_oracle_rewards(&oracle);
					}
					let dust = Emitted::<Test>::get() - claimable;
					let era = u128::from(<TestEras as EraProvider>::current_era());
					prop_assert!(dust <= (era + 1) * (8 * 2 * 2 + 2 * 2 + 3), "dust {} after {} eras", dust, era);
					prop_assert_eq!(POOL_FUNDS - Balances::free_balance(POOL), Claimed::<Test>::get());
				}
				Ok(())
			})?;
		}
	}
}

#[test]
fn migration_to_v2_adds_an_empty_take_to_every_group() {
	use crate::migrations::v2;
	use polkadot_sdk::frame_support::traits::{
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	};
	test(|| {
		let old = v2::GroupStateV1 {
			total_weight: 5,
			capacity: 6,
			reward_per_weight: 7,
			fees: 8,
			last_subsidy: 9,
			last_usage: 10,
		};
		v2::Groups::<Test>::insert((0, STORAGE), old);
		StorageVersion::new(1).put::<Rewards>();
		v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Rewards::on_chain_storage_version(), StorageVersion::new(2));
		assert_eq!(
			crate::migrations::v4::Groups::<Test>::get((0, STORAGE)),
			Some(crate::migrations::v4::GroupStateV3 {
				total_weight: 5,
				capacity: 6,
				reward_per_weight: 7,
				fees: 8,
				takes: 0,
				last_subsidy: 9,
				last_usage: 10,
			})
		);
		// The invariants compare group totals with shares: leave none behind.
		crate::migrations::v4::Groups::<Test>::remove((0, STORAGE));
	});
}

#[test]
fn migration_to_v3_turns_each_lump_sum_into_the_rate_that_pays_it_at_half_the_cap() {
	use crate::migrations::v3;
	use polkadot_sdk::frame_support::traits::{
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	};
	test(|| {
		// Lump sums as storage version 2 read them: 1,000 an era to zero at 400; none, no cap.
		GroupParams::<Test>::insert((0, STORAGE), params(1_000, 400, 2));
		GroupParams::<Test>::insert((1, STORAGE), params(0, 0, 1));
		StorageVersion::new(2).put::<Rewards>();
		v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(Rewards::on_chain_storage_version(), StorageVersion::new(3));
		let migrated = GroupParams::<Test>::get((0, STORAGE)).expect("kept");
		assert_eq!(migrated, params(10, 400, 2), "⌊4 × 1,000 / 400⌋ per unit, the rest kept");
		assert_eq!(Pallet::<Test>::group_reward(&migrated, 200, 0, 0).0, 1_000, "half full: L");
		assert_eq!(GroupParams::<Test>::get((1, STORAGE)), Some(params(0, 0, 1)));
		// A second run is a no-op (version-checked).
		v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(GroupParams::<Test>::get((0, STORAGE)), Some(params(10, 400, 2)));
	});
}

#[test]
fn migration_to_v4_credits_what_was_earned_and_re_weighs_every_share_by_proven_units() {
	use crate::migrations::v4;
	use polkadot_sdk::frame_support::traits::{
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	};
	test(|| {
		set(0, params(2, 1_000, 0));
		// Two nodes (weights 1.5 × 10^11 and 4.5 × 10^11: capacity × bonus), the second
		// proving nothing; storage as version 3 kept it, mid-era.
		TestNodes::set(1, 1, 0, 100, NodeStatus::Active, 100);
		TestNodes::set(2, 2, 0, 300, NodeStatus::Active, 100);
		TestNodes::proven(2, 0);
		run_to_block(5);
		let _ = Shares::<Test>::clear(u32::MAX, None);
		let _ = Groups::<Test>::clear(u32::MAX, None);
		let _ = EraRates::<Test>::clear(u32::MAX, None);
		let (w1, w2) = (150_000_000_000u128, 450_000_000_000u128);
		v4::Groups::<Test>::insert(
			(0, STORAGE),
			v4::GroupStateV3 {
				total_weight: w1 + w2,
				capacity: 400,
				reward_per_weight: 30_000,
				fees: 0,
				takes: 0,
				last_subsidy: 0,
				last_usage: 0,
			},
		);
		for (node, hp, weight, capacity, pending) in [(1, 1, w1, 100, 7), (2, 2, w2, 300, 0)] {
			v4::Shares::<Test>::insert(
				node,
				v4::NodeShareV3 {
					hp,
					cluster: 0,
					class: STORAGE,
					weight,
					capacity,
					paid_per_weight: 10_000,
					pending,
					held: false,
				},
			);
		}
		// What the accumulator owes them: weight × 20,000 / 10^12.
		Emitted::<Test>::put(1_000_000);
		StorageVersion::new(3).put::<Rewards>();
		v4::MigrateV3ToV4::<Test>::on_runtime_upgrade();
		assert_eq!(Rewards::on_chain_storage_version(), StorageVersion::new(4));
		assert_eq!(Rewards::pending_node_rewards(1), 7 + 3_000);
		assert_eq!(Rewards::pending_node_rewards(2), 9_000);
		let share = Shares::<Test>::get(2).expect("migrated");
		assert_eq!((share.subsidy.weight, share.usage.weight, share.units), (0, w2, 0));
		let group = Groups::<Test>::get((0, STORAGE));
		assert_eq!((group.capacity, group.units, group.usage.total), (400, 100, w1 + w2));
		// Blocks 1–4 at the old weights (the subsidy on all 400 units), 5–10 at the new.
		assert_eq!(group.unit_time, 400 * 4 + 100 * 6);
		next_era();
		assert_eq!(Groups::<Test>::get((0, STORAGE)).last_subsidy, 2 * 220 * 780 / 1_000);
		// A second run is a no-op (version-checked).
		v4::MigrateV3ToV4::<Test>::on_runtime_upgrade();
		assert!(Shares::<Test>::get(2).is_some());
	});
}

/// Issue 24's review: a node that retired mid-era in a group its era paid nothing kept a share
/// (blocks served, nothing pending) that every claim refused to touch, forever. A claim now
/// forgets it.
#[test]
fn a_retired_share_the_era_paid_nothing_is_forgotten_by_a_claim() {
	test(|| {
		// No parameters for cluster 1: its era pays nobody.
		TestNodes::set(1, 1, 1, 100, NodeStatus::Active, 100);
		run_to_block(5);
		TestNodes::retire(1);
		assert!(Shares::<Test>::contains_key(1), "blocks served in the era");
		next_era();
		assert_ok!(Rewards::claim_node_rewards(RuntimeOrigin::signed(50), 1));
		assert!(!Shares::<Test>::contains_key(1) && !HpShares::<Test>::contains_key(1, 1));
		assert_eq!(EraRates::<Test>::iter().count(), 0);
		assert!(System::events()
			.iter()
			.any(|r| r.event == RuntimeEvent::Rewards(Event::NodeShareRemoved { node: 1 })));
	});
}
