//! Unit and property tests of the collateral-delegation pallet. Every test ends by checking the
//! pallet's invariants (`do_try_state`).

use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::fungible::{InspectHold as _, Mutate as _},
	},
	sp_runtime::{DispatchError, TokenError},
};

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		assert_ok!(Collateral::do_try_state());
	});
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Collateral(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn last_event() -> Event<Test> {
	events().pop().expect("an event was emitted")
}

fn held_self(who: u64) -> Balance {
	Balances::balance_on_hold(&HoldReason::SelfCollateral.into(), &who)
}

fn held_delegation(who: u64) -> Balance {
	Balances::balance_on_hold(&HoldReason::Delegation.into(), &who)
}

fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn ledger(hp: u64) -> HpLedgerOf<Test> {
	Hps::<Test>::get(hp).expect("HP has a ledger")
}

fn delegation(hp: u64, who: u64) -> DelegationOf<Test> {
	Delegations::<Test>::get(hp, who).expect("delegation exists")
}

// ---------------------------------------------------------------------------------------------
// Bonding

#[test]
fn bond_holds_own_collateral_and_creates_a_pool() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_eq!(held_self(HP), 1_000);
		assert_eq!(Balances::free_balance(HP), ENDOWMENT - 1_000);
		assert_eq!(ledger(HP).bond, 1_000);
		assert_eq!(ledger(HP).pool, Pool::default());
		assert_eq!(last_event(), Event::Bonded { hp: HP, amount: 1_000 });
		// A second bond adds to the first; it need not reach the minimum on its own.
		assert_ok!(Collateral::bond(origin(HP), 1));
		assert_eq!(held_self(HP), 1_001);
	});
}

#[test]
fn bond_rejects_bad_input_and_changes_nothing() {
	test(|| {
		assert_noop!(Collateral::bond(origin(HP), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Collateral::bond(origin(HP), 99), Error::<Test>::BelowMinimum);
		assert_noop!(Collateral::bond(origin(POOR), 100), Error::<Test>::InsufficientBalance);
		assert_noop!(
			Collateral::bond(origin(HP), Balance::MAX),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_noop!(Collateral::bond(origin(HP), Balance::MAX), Error::<Test>::Overflow);
		assert_noop!(Collateral::bond(RuntimeOrigin::none(), 1_000), DispatchError::BadOrigin);
	});
}

#[test]
fn unbond_then_withdraw_after_the_unbonding_period() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::unbond(origin(HP), 400));
		let unlock_era = UNBONDING_ERAS; // unbonded in era 0
		assert_eq!(last_event(), Event::Unbonding { hp: HP, amount: 400, unlock_era });
		// Still held (and slashable) while unbonding.
		assert_eq!(held_self(HP), 1_000);
		assert_eq!(ledger(HP).bond, 600);
		go_to_era(unlock_era - 1);
		assert_noop!(Collateral::withdraw_unbonded(origin(HP)), Error::<Test>::NothingToWithdraw);
		go_to_era(unlock_era);
		assert_ok!(Collateral::withdraw_unbonded(origin(HP)));
		assert_eq!(last_event(), Event::Withdrawn { hp: HP, amount: 400 });
		assert_eq!(held_self(HP), 600);
		assert_eq!(Balances::free_balance(HP), ENDOWMENT - 600);
	});
}

#[test]
fn a_fully_withdrawn_hp_leaves_no_ledger() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::unbond(origin(HP), 1_000));
		go_to_era(UNBONDING_ERAS);
		assert_ok!(Collateral::withdraw_unbonded(origin(HP)));
		assert!(Hps::<Test>::get(HP).is_none());
		assert_eq!(Balances::free_balance(HP), ENDOWMENT);
	});
}

#[test]
fn unbond_rejects_bad_input_and_changes_nothing() {
	test(|| {
		assert_noop!(Collateral::unbond(origin(HP), 10), Error::<Test>::NotHardwareProvider);
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_noop!(Collateral::unbond(origin(HP), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Collateral::unbond(origin(HP), 1_001), Error::<Test>::InsufficientBond);
		// 1_000 - 950 = 50 would be above zero but below MinSelfBond (100).
		assert_noop!(Collateral::unbond(origin(HP), 950), Error::<Test>::BelowMinimum);
		assert_noop!(Collateral::withdraw_unbonded(origin(HP)), Error::<Test>::NothingToWithdraw);
		assert_noop!(
			Collateral::withdraw_unbonded(origin(DAVE)),
			Error::<Test>::NotHardwareProvider
		);
	});
}

#[test]
fn unbond_cannot_break_the_requirement_of_committed_capacity() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 900_000));
		// 10 GiB: S = 100.
		assert_ok!(Collateral::commit(&HP, HardwareClass::Storage, 10));
		let requirement = Collateral::requirement_of(&HP, None);
		assert_eq!(requirement.self_component, 100);
		let keep = requirement.total();
		assert_noop!(
			Collateral::unbond(origin(HP), 900_000 - keep + 1),
			Error::<Test>::WouldBreakRequirement
		);
		assert_ok!(Collateral::unbond(origin(HP), 900_000 - keep));
	});
}

#[test]
fn unbonding_chunks_are_bounded_and_merge_within_an_era() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 10_000));
		// Two unbonds in one era make one chunk.
		assert_ok!(Collateral::unbond(origin(HP), 100));
		assert_ok!(Collateral::unbond(origin(HP), 100));
		assert_eq!(ledger(HP).unbonding.len(), 1);
		for era in 1..MAX_CHUNKS {
			go_to_era(era);
			assert_ok!(Collateral::unbond(origin(HP), 100));
		}
		assert_eq!(ledger(HP).unbonding.len() as u32, MAX_CHUNKS);
		go_to_era(MAX_CHUNKS);
		// The first chunk unlocked in era 3 but has not been withdrawn yet.
		assert_noop!(Collateral::unbond(origin(HP), 100), Error::<Test>::TooManyUnbondingChunks);
		assert_ok!(Collateral::withdraw_unbonded(origin(HP)));
		assert_ok!(Collateral::unbond(origin(HP), 100));
	});
}

#[test]
fn commission_is_capped() {
	test(|| {
		assert_noop!(
			Collateral::set_commission(origin(HP), Perbill::from_percent(10)),
			Error::<Test>::NotHardwareProvider
		);
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_noop!(
			Collateral::set_commission(origin(HP), Perbill::from_percent(51)),
			Error::<Test>::CommissionTooHigh
		);
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(50)));
		assert_eq!(
			last_event(),
			Event::CommissionSet { hp: HP, commission: Perbill::from_percent(50), from_era: 2 }
		);
	});
}

/// SPEC §3.9: a raise applies after `CommissionChangeDelay` (2 eras here), a cut at once and
/// cancels a raise still pending.
#[test]
fn commission_raises_wait_out_the_notice_and_cuts_apply_at_once() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(20)));
		assert_eq!(ledger(HP).commission, Perbill::zero());
		assert_eq!(CommissionChanges::<Test>::get(HP), Some((Perbill::from_percent(20), 2)));
		go_to_era(1);
		let info = |hp| Collateral::collateral_info(&hp).expect("an HP").commission;
		assert_eq!(info(HP), Perbill::zero());
		go_to_era(2);
		assert_eq!(info(HP), Perbill::from_percent(20), "the notice is over");
		// A cut applies at once, and a raise after it waits again.
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(5)));
		assert_eq!(ledger(HP).commission, Perbill::from_percent(5));
		assert_eq!(
			last_event(),
			Event::CommissionSet { hp: HP, commission: Perbill::from_percent(5), from_era: 2 }
		);
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(40)));
		// Cutting while a raise is pending cancels the raise.
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(5)));
		assert_eq!(CommissionChanges::<Test>::get(HP), None);
		go_to_era(10);
		assert_eq!(info(HP), Perbill::from_percent(5));
	});
}

/// Issue 24 item 5: rewards used to be split at the commission of the moment they were credited,
/// and credits are lazy (a node's rewards reach the pool when someone claims them), so an HP
/// raised its commission to the cap just before claiming many eras its delegators had earned at
/// a lower rate. A raise now waits out the notice, during which the rewards still earned at the
/// old rate are credited at it.
#[test]
fn attack_raise_commission_just_before_claiming_many_eras() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(5)));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 1_000));
		go_to_era(5);
		// Many eras of node rewards are waiting to be claimed; the HP raises to the cap and
		// claims them in the same block.
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(50)));
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 10_000));
		// Credited at 5%: 500 commission, 9,500 split 1:1.
		assert_eq!(
			last_event(),
			Event::RewardCredited {
				hp: HP,
				amount: 10_000,
				commission: 500,
				to_self: 4_750,
				to_pool: 4_750
			}
		);
		// After the notice, rewards credited then pay the new commission.
		go_to_era(7);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 10_000));
		assert!(matches!(last_event(), Event::RewardCredited { commission: 5_000, .. }));
	});
}

// ---------------------------------------------------------------------------------------------
// Delegation

#[test]
fn delegate_holds_on_the_delegators_account_for_shares() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		assert_eq!(
			last_event(),
			Event::Delegated { hp: HP, delegator: DAVE, amount: 500, shares: 500 }
		);
		assert_eq!(held_delegation(DAVE), 500);
		assert_eq!(Balances::free_balance(DAVE), ENDOWMENT - 500);
		assert_eq!(delegation(HP, DAVE).shares, 500);
		assert_ok!(Collateral::delegate(origin(EVE), HP, 300));
		let pool = ledger(HP).pool;
		assert_eq!((pool.shares, pool.value, pool.delegators), (800, 800, 2));
		// Topping up an existing delegation has no minimum.
		assert_ok!(Collateral::delegate(origin(EVE), HP, 1));
		assert_eq!(ledger(HP).pool.delegators, 2);
	});
}

#[test]
fn settling_reports_the_warm_up_writes_it_made_for_the_refund() {
	use crate::Settled;
	test(|| {
		let settled = |removed, activations| Settled { removed, activations };
		// The benchmarked worst case removes two due buckets and writes four activations.
		assert_eq!(settled(0, 0).unwritten(), 6);
		assert_eq!(settled(1, 2).unwritten(), 3);
		assert_eq!(settled(2, 4).unwritten(), 0);
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		let settle = |who: u64| {
			let mut d = Delegations::<Test>::get(HP, who).expect("delegated");
			let settled =
				Collateral::settle_rewards(&HP, &who, &ledger(HP).pool, &mut d).expect("settles");
			Delegations::<Test>::insert(HP, who, d);
			settled
		};
		// DAVE warms in eras 0 and 1: nothing is due, nothing matures.
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		assert_eq!(settle(DAVE), settled(0, 0));
		go_to_era(1);
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 100));
		assert_eq!(DelegationWarming::<Test>::get(HP, DAVE).map(|e| e.len()), Some(2));
		// EVE in era 3 activates both of DAVE's buckets (DAVE is not settled); FERDIE in era 4.
		go_to_era(3);
		assert_ok!(Collateral::delegate(origin(EVE), HP, 500));
		go_to_era(4);
		assert_ok!(Collateral::delegate(origin(FERDIE), HP, 500));
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 1_000));
		// Era 6: EVE's and FERDIE's buckets are due at once (2 removed, 2 activations written)
		// while DAVE's two entries mature in eras 0 and 1 (2 more activations): the worst case.
		go_to_era(6);
		assert_eq!(Warming::<Test>::iter_prefix(HP).count(), 2);
		assert_eq!(settle(DAVE), settled(2, 4));
		assert!(Warming::<Test>::iter_prefix(HP).next().is_none());
		assert!(!DelegationWarming::<Test>::contains_key(HP, DAVE));
		// Later settlements write only their own entries' activations: EVE's, then FERDIE's.
		assert_eq!(settle(EVE), settled(0, 1));
		go_to_era(7);
		assert_eq!(settle(FERDIE), settled(0, 1));
	});
}

/// The largest refund (`Settled::unwritten` = 6 writes, the HP's own claim) leaves every call
/// charged at least the writes it still makes: the pool's ledger or the delegation and the two
/// accounts of the payout or the hold.
#[test]
fn the_warm_up_refund_never_exceeds_the_benchmarked_writes() {
	use crate::weights::WeightInfo;
	use polkadot_sdk::frame_support::weights::constants::ParityDbWeight;
	let refund = ParityDbWeight::get().writes(Settled::default().unwritten());
	let kept = ParityDbWeight::get().writes(3);
	for (call, weight) in [
		("delegate", <() as WeightInfo>::delegate(0)),
		("undelegate", <() as WeightInfo>::undelegate()),
		("claim_rewards", <() as WeightInfo>::claim_rewards()),
	] {
		assert!(
			weight.saturating_sub(refund).ref_time() >= kept.ref_time(),
			"{call} is refunded below the writes it makes"
		);
	}
}

#[test]
fn delegating_to_a_covered_hp_is_refunded_the_coverage_computation() {
	use crate::weights::WeightInfo;
	use polkadot_sdk::frame_support::dispatch::GetDispatchInfo;
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		let call = crate::Call::<Test>::delegate { hp: HP, amount: 500 };
		assert_eq!(call.get_dispatch_info().call_weight, <() as WeightInfo>::delegate(1));
		// Covered (nothing committed): the requirement is not computed, the call costs less.
		let post = Collateral::delegate(origin(DAVE), HP, 500).expect("delegates");
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::delegate(0)));
		assert!(
			<() as WeightInfo>::delegate(0).ref_time() < <() as WeightInfo>::delegate(1).ref_time(),
			"the covered case is cheaper"
		);
		// Uncovered: the requirement is computed (and here found covered again).
		UncoveredSince::<Test>::insert(HP, 0);
		let post = Collateral::delegate(origin(EVE), HP, 300).expect("delegates");
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::delegate(1)));
		assert_eq!(last_event(), Event::CoverageRestored { hp: HP });
	});
}

#[test]
fn delegate_rejects_bad_input_and_changes_nothing() {
	test(|| {
		assert_noop!(
			Collateral::delegate(origin(DAVE), HP, 500),
			Error::<Test>::NotHardwareProvider
		);
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_noop!(Collateral::delegate(origin(DAVE), HP, 0), Error::<Test>::ZeroAmount);
		assert_noop!(Collateral::delegate(origin(HP), HP, 500), Error::<Test>::SelfDelegation);
		assert_noop!(Collateral::delegate(origin(DAVE), HP, 49), Error::<Test>::BelowMinimum);
		assert_noop!(
			Collateral::delegate(origin(POOR), HP, 50),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		assert_noop!(Collateral::delegate(origin(DAVE), HP, Balance::MAX), Error::<Test>::Overflow);
	});
}

#[test]
fn a_wiped_out_pool_takes_no_new_stake() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		assert_eq!(Collateral::slash(&HP, 10_000), 1_500);
		assert_eq!(ledger(HP).pool.value, 0);
		assert_noop!(Collateral::delegate(origin(EVE), HP, 500), Error::<Test>::PoolWipedOut);
	});
}

#[test]
fn undelegate_and_withdraw_release_the_hold() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		assert_ok!(Collateral::undelegate(origin(DAVE), HP, 200));
		assert_eq!(
			last_event(),
			Event::Undelegating {
				hp: HP,
				delegator: DAVE,
				amount: 200,
				unlock_era: UNBONDING_ERAS
			}
		);
		let pool = ledger(HP).pool;
		assert_eq!((pool.value, pool.unbonding_value), (300, 200));
		assert_eq!(held_delegation(DAVE), 500);
		assert_noop!(
			Collateral::withdraw_delegation(origin(DAVE), HP),
			Error::<Test>::NothingToWithdraw
		);
		go_to_era(UNBONDING_ERAS);
		assert_ok!(Collateral::withdraw_delegation(origin(DAVE), HP));
		assert_eq!(
			last_event(),
			Event::DelegationWithdrawn { hp: HP, delegator: DAVE, amount: 200 }
		);
		assert_eq!(held_delegation(DAVE), 300);
		// Leaving entirely removes the delegation.
		assert_ok!(Collateral::undelegate(origin(DAVE), HP, 300));
		go_to_era(2 * UNBONDING_ERAS);
		assert_ok!(Collateral::withdraw_delegation(origin(DAVE), HP));
		assert_eq!(held_delegation(DAVE), 0);
		assert_eq!(Balances::free_balance(DAVE), ENDOWMENT);
		assert!(Delegations::<Test>::get(HP, DAVE).is_none());
		assert_eq!(ledger(HP).pool.delegators, 0);
	});
}

#[test]
fn undelegate_rejects_bad_input_and_changes_nothing() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_noop!(Collateral::undelegate(origin(DAVE), HP, 10), Error::<Test>::NoDelegation);
		assert_noop!(
			Collateral::undelegate(origin(DAVE), HP2, 10),
			Error::<Test>::NotHardwareProvider
		);
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		assert_noop!(Collateral::undelegate(origin(DAVE), HP, 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Collateral::undelegate(origin(DAVE), HP, 501),
			Error::<Test>::InsufficientDelegation
		);
		// 500 - 460 = 40 would stay active, below MinDelegation (50).
		assert_noop!(Collateral::undelegate(origin(DAVE), HP, 460), Error::<Test>::BelowMinimum);
		assert_noop!(Collateral::withdraw_delegation(origin(EVE), HP), Error::<Test>::NoDelegation);
	});
}

#[test]
fn delegation_chunks_are_bounded() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 10_000));
		for era in 0..MAX_CHUNKS {
			go_to_era(era);
			assert_ok!(Collateral::undelegate(origin(DAVE), HP, 100));
		}
		go_to_era(MAX_CHUNKS);
		assert_noop!(
			Collateral::undelegate(origin(DAVE), HP, 100),
			Error::<Test>::TooManyUnbondingChunks
		);
	});
}

// ---------------------------------------------------------------------------------------------
// Requirement (SPEC §3.1)

#[test]
fn requirement_is_s_plus_n_as_the_spec_states() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 500_000));
		assert_ok!(Collateral::bond(origin(HP2), 500_000));
		assert_ok!(Collateral::commit(&HP, HardwareClass::Storage, 300));
		assert_ok!(Collateral::commit(&HP2, HardwareClass::Storage, 100));
		assert_ok!(Collateral::commit(&HP2, HardwareClass::Gpu, 2));
		let circulating = Balances::total_issuance();
		assert_eq!(Collateral::circulating(), circulating);
		// HP: S = 300 × 10; N = 300/400 × circulating × 0.01% × class_share[Storage] (50%).
		let shares = DefaultClassShares::get();
		let r = Collateral::requirement_of(&HP, None);
		assert_eq!(r.self_component, 3_000);
		let n = shares.storage.mul_ceil((300 * circulating).div_ceil(400));
		assert_eq!(r.network_component, NETWORK_RATIO.mul_ceil(n));
		// HP2: S = 100 × 10 + 2 × 100; N sums its share of each class (all of the GPUs), each
		// weighed by its class's share.
		let r2 = Collateral::requirement_of(&HP2, None);
		assert_eq!(r2.self_component, 1_200);
		let n2 = shares.storage.mul_ceil((100 * circulating).div_ceil(400))
			+ shares.gpu.mul_ceil(circulating);
		assert_eq!(r2.network_component, NETWORK_RATIO.mul_ceil(n2));
		// Inactive issuance is not circulating.
		<Balances as fungible::Unbalanced<u64>>::deactivate(1_000);
		assert_eq!(Collateral::circulating(), circulating - 1_000);
	});
}

#[test]
fn commit_needs_cover_and_changes_nothing_without_it() {
	test(|| {
		assert_noop!(
			Collateral::commit(&HP, HardwareClass::Storage, 1),
			Error::<Test>::NotHardwareProvider
		);
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		// Alone in its class, the network component is 0.01% of all circulating ICNT: more.
		assert_noop!(
			Collateral::commit(&HP, HardwareClass::Storage, 10),
			Error::<Test>::InsufficientCollateral
		);
		assert_noop!(Collateral::commit(&HP, HardwareClass::Storage, 0), Error::<Test>::ZeroAmount);
		// Delegators can cover the network component.
		let need = Collateral::requirement_of(&HP, Some((HardwareClass::Storage, 10))).total();
		assert_ok!(Collateral::delegate(origin(DAVE), HP, need - 1_000));
		assert_ok!(Collateral::commit(&HP, HardwareClass::Storage, 10));
		assert_eq!(NetworkCapacity::<Test>::get(HardwareClass::Storage), 10);
		assert_eq!(
			last_event(),
			Event::CapacityCommitted { hp: HP, class: HardwareClass::Storage, capacity: 10 }
		);
	});
}

#[test]
fn the_bond_must_cover_s_itself() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 100));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, ENDOWMENT / 2));
		// S of 11 GiB is 110 > 100: delegations cannot stand in for it.
		assert_noop!(
			Collateral::commit(&HP, HardwareClass::Storage, 11),
			Error::<Test>::InsufficientCollateral
		);
		assert_ok!(Collateral::commit(&HP, HardwareClass::Storage, 10));
	});
}

#[test]
fn release_returns_capacity() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 900_000));
		assert_ok!(Collateral::commit(&HP, HardwareClass::Cpu, 8));
		assert_noop!(
			Collateral::release(&HP, HardwareClass::Cpu, 9),
			Error::<Test>::InsufficientCommitment
		);
		assert_noop!(
			Collateral::release(&HP, HardwareClass::Gpu, 1),
			Error::<Test>::InsufficientCommitment
		);
		assert_noop!(Collateral::release(&HP, HardwareClass::Cpu, 0), Error::<Test>::ZeroAmount);
		assert_ok!(Collateral::release(&HP, HardwareClass::Cpu, 8));
		assert_eq!(Committed::<Test>::get(HP, HardwareClass::Cpu), 0);
		assert_eq!(NetworkCapacity::<Test>::get(HardwareClass::Cpu), 0);
		assert_eq!(Collateral::requirement_of(&HP, None), Requirement::default());
	});
}

#[test]
fn top_up_window_when_circulating_supply_grows() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		let need = Collateral::requirement_of(&HP, Some((HardwareClass::Gpu, 1))).total();
		assert_ok!(Collateral::delegate(origin(DAVE), HP, need - 1_000));
		assert_ok!(Collateral::commit(&HP, HardwareClass::Gpu, 1));
		assert!(Collateral::accepts_new_leases(&HP));
		assert_eq!(Collateral::coverage_status(&HP), CoverageStatus::Covered);
		// Issuance grows (e.g. emission): N grows and the HP is no longer covered.
		assert_ok!(Balances::mint_into(&FERDIE, 10_000_000));
		assert!(Collateral::accepts_new_leases(&HP));
		assert_eq!(last_event(), Event::CoverageLost { hp: HP, until: TOP_UP_ERAS });
		assert_eq!(Collateral::coverage_status(&HP), CoverageStatus::TopUp { until: TOP_UP_ERAS });
		go_to_era(TOP_UP_ERAS - 1);
		assert!(Collateral::accepts_new_leases(&HP));
		go_to_era(TOP_UP_ERAS);
		assert!(!Collateral::accepts_new_leases(&HP));
		assert_eq!(Collateral::coverage_status(&HP), CoverageStatus::Uncovered);
		// The HP tops up its pool through a delegator: covered again, window cleared.
		let info = Collateral::collateral_info(&HP).expect("HP exists");
		assert!(info.shortfall > 0);
		assert_ok!(Collateral::delegate(origin(EVE), HP, info.shortfall));
		assert_eq!(last_event(), Event::CoverageRestored { hp: HP });
		assert!(UncoveredSince::<Test>::get(HP).is_none());
		assert!(Collateral::accepts_new_leases(&HP));
	});
}

#[test]
fn early_exit_penalty_is_a_share_of_s_and_is_slashed() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 900_000));
		assert_ok!(Collateral::commit(&HP, HardwareClass::Gpu, 3));
		// 10% of S = 3 × 100.
		assert_eq!(Collateral::early_exit_penalty(&HP, HardwareClass::Gpu, 3), 30);
		let issuance = Balances::total_issuance();
		assert_eq!(Collateral::charge_early_exit(&HP, HardwareClass::Gpu, 3), 30);
		assert_eq!(
			last_event(),
			Event::EarlyExitCharged { hp: HP, class: HardwareClass::Gpu, penalty: 30 }
		);
		assert_eq!(held_self(HP), 900_000 - 30);
		assert_eq!(Balances::total_issuance(), issuance - 30);
	});
}

// ---------------------------------------------------------------------------------------------
// Rewards (SPEC §3.4)

#[test]
fn rewards_split_commission_self_and_pool_pro_rata() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(10)));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 3_000));
		assert_ok!(Collateral::delegate(origin(EVE), HP, 1_000));
		// The raise and the delegations apply from the eras after (SPEC §3.9).
		go_to_era(2);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 10_000));
		// 1_000 commission; 9_000 by stake 1_000 : 4_000.
		assert_eq!(
			last_event(),
			Event::RewardCredited {
				hp: HP,
				amount: 10_000,
				commission: 1_000,
				to_self: 1_800,
				to_pool: 7_200
			}
		);
		assert_eq!(Collateral::pending_rewards(&HP, &HP), 2_800);
		assert_eq!(Collateral::pending_rewards(&DAVE, &HP), 5_400);
		assert_eq!(Collateral::pending_rewards(&EVE, &HP), 1_800);
		assert_eq!(Balances::free_balance(Collateral::pot()), ED + 10_000);

		assert_ok!(Collateral::claim_rewards(origin(DAVE), HP));
		assert_eq!(last_event(), Event::RewardsClaimed { who: DAVE, hp: HP, amount: 5_400 });
		assert_eq!(Balances::free_balance(DAVE), ENDOWMENT - 3_000 + 5_400);
		assert_ok!(Collateral::claim_rewards(origin(HP), HP));
		assert_eq!(Balances::free_balance(HP), ENDOWMENT - 1_000 + 2_800);
		assert_noop!(Collateral::claim_rewards(origin(HP), HP), Error::<Test>::NothingToClaim);
		assert_noop!(Collateral::claim_rewards(origin(DAVE), HP), Error::<Test>::NothingToClaim);
		assert_noop!(Collateral::claim_rewards(origin(FERDIE), HP), Error::<Test>::NoDelegation);
		assert_noop!(
			Collateral::claim_rewards(origin(FERDIE), HP2),
			Error::<Test>::NotHardwareProvider
		);
	});
}

#[test]
fn late_delegators_do_not_share_earlier_rewards() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 1_000));
		go_to_era(2);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 2_000));
		assert_ok!(Collateral::delegate(origin(EVE), HP, 1_000));
		go_to_era(4);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 3_000));
		assert_eq!(Collateral::pending_rewards(&DAVE, &HP), 1_000 + 1_000);
		assert_eq!(Collateral::pending_rewards(&EVE, &HP), 1_000);
		assert_eq!(Collateral::pending_rewards(&HP, &HP), 1_000 + 1_000);
	});
}

/// Issue 24 item 5: a delegation used to share every reward credited after it was made, and
/// credits are lazy (a node's rewards reach the pool when someone claims them, at the earliest in
/// the era after they were earned), so a delegator joined just before a claim — or in an era's
/// last block, before that era's rewards could be claimed — and took a share of eras it never
/// backed. A delegation made in era `e` earns only from the credits of era `e + 2` on, when the
/// rewards of `e + 1`, the first era it backed whole, are claimed (SPEC §3.9).
#[test]
fn attack_delegate_just_before_a_claim_to_share_eras_never_backed() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 1_000));
		go_to_era(3);
		// Eras of rewards wait to be claimed; the attacker delegates as much as it can and
		// claims them at once.
		assert_ok!(Collateral::delegate(origin(EVE), HP, 900_000));
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 10_000));
		assert_eq!(Collateral::pending_rewards(&EVE, &HP), 0, "it backed none of them");
		assert_eq!(Collateral::pending_rewards(&DAVE, &HP), 5_000);
		assert_eq!(Collateral::pending_rewards(&HP, &HP), 5_000);
		assert_noop!(Collateral::claim_rewards(origin(EVE), HP), Error::<Test>::NothingToClaim);
		// Topping up an earning delegation warms only the new shares.
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 1_000));
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 2_000));
		assert_eq!(Collateral::pending_rewards(&DAVE, &HP), 5_000 + 1_000);
		// The era after: the claims now pay era 3's rewards, which the attacker barely backed.
		go_to_era(4);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 2_000));
		assert_eq!(Collateral::pending_rewards(&EVE, &HP), 0, "era 3 is not its to share");
		// From era 5 on the attacker's stake earns like anyone's: 1,000 (bond) : 2,000 (Dave)
		// : 900,000.
		go_to_era(5);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 903_000));
		assert!(Collateral::pending_rewards(&EVE, &HP) >= 900_000 - 1);
		// Settling merges a delegation's earning shares; the era's entry goes with the last.
		assert_ok!(Collateral::claim_rewards(origin(EVE), HP));
		assert_eq!(Warming::<Test>::iter_prefix(HP).count(), 0);
		assert_eq!(Activations::<Test>::get(HP, 3).map(|(_, refs)| refs), Some(1), "Dave's");
		assert_ok!(Collateral::claim_rewards(origin(DAVE), HP));
		assert_eq!(DelegationWarming::<Test>::iter().count(), 0);
		assert_eq!(Activations::<Test>::iter().count(), 0, "settled: nothing kept");
	});
}

/// The review's case: a delegation in the last block of an era shares nothing of that era's
/// rewards, credited in the next.
#[test]
fn attack_delegate_in_the_last_block_of_an_era() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 1_000));
		System::set_block_number(u64::from(6 * ERA_LENGTH) - 1);
		assert_ok!(Collateral::delegate(origin(EVE), HP, 100_000));
		go_to_era(6);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 2_000));
		assert_eq!(Collateral::pending_rewards(&EVE, &HP), 0);
		assert_eq!(Collateral::pending_rewards(&DAVE, &HP), 1_000);
	});
}

#[test]
fn credit_reward_rejects_bad_input() {
	test(|| {
		assert_noop!(
			Collateral::credit_reward(&POOL, &HP, 100),
			Error::<Test>::NotHardwareProvider
		);
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_noop!(Collateral::credit_reward(&POOL, &HP, 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Collateral::credit_reward(&POOR, &HP, 100),
			DispatchError::Token(TokenError::FundsUnavailable)
		);
	});
}

#[test]
fn rounding_remainders_are_carried_not_lost() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 100));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 100));
		assert_ok!(Collateral::delegate(origin(EVE), HP, 100));
		assert_ok!(Collateral::delegate(origin(FERDIE), HP, 100));
		for _ in 0..7 {
			assert_ok!(Collateral::credit_reward(&POOL, &HP, 11));
		}
		let claimable: Balance = [DAVE, EVE, FERDIE]
			.iter()
			.map(|d| Collateral::pending_rewards(d, &HP))
			.sum::<Balance>()
			+ Collateral::pending_rewards(&HP, &HP)
			+ ledger(HP).pool.reward_carry;
		assert!(claimable <= 77);
		assert!(77 - claimable <= 3, "at most one unit per delegator is lost to rounding");
	});
}

/// Undelegating takes the youngest warming shares first; a delegation can warm in two eras at
/// once; shares that warmed in an era nobody touched the pool in start earning at the first
/// credit after.
#[test]
fn warming_shares_leave_first_and_mature_two_eras_on() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 1_000));
		assert_ok!(Collateral::delegate(origin(EVE), HP, 3_000));
		let bucket = |era| Warming::<Test>::get(HP, era).map(|w| (w.shares, w.delegations));
		assert_eq!(bucket(0), Some((4_000, 2)));
		assert_ok!(Collateral::undelegate(origin(EVE), HP, 3_000));
		assert_eq!(bucket(0), Some((1_000, 1)));
		assert_eq!(DelegationWarming::<Test>::get(HP, EVE), None);
		go_to_era(1);
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		assert_eq!(
			DelegationWarming::<Test>::get(HP, DAVE).map(|e| e.into_inner()),
			Some(vec![(0, 1_000), (1, 500)])
		);
		// Undelegating 700: the era-1 shares (500) first, then 200 of era 0's.
		assert_ok!(Collateral::undelegate(origin(DAVE), HP, 700));
		assert_eq!(bucket(1), None);
		assert_eq!(bucket(0), Some((800, 1)));
		go_to_era(5);
		assert_ok!(Collateral::credit_reward(&POOL, &HP, 1_800));
		assert_eq!(Collateral::pending_rewards(&DAVE, &HP), 800);
		assert_eq!(bucket(0), None);
		assert_eq!(Activations::<Test>::get(HP, 0).map(|(_, refs)| refs), Some(1));
	});
}

// ---------------------------------------------------------------------------------------------
// Slashing (SPEC §3.5)

#[test]
fn slashing_takes_the_hps_own_collateral_first() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 500));
		let issuance = Balances::total_issuance();
		assert_eq!(Collateral::slash(&HP, 600), 600);
		assert_eq!(last_event(), Event::Slashed { hp: HP, from_self: 600, from_pool: 0 });
		assert_eq!(held_self(HP), 400);
		assert_eq!(ledger(HP).pool.value, 500);
		assert_eq!(Collateral::pending_slash(&ledger(HP).pool, &delegation(HP, DAVE)), 0);
		assert_eq!(Balances::total_issuance(), issuance - 600);
	});
}

#[test]
fn slashing_beyond_the_bond_takes_from_the_pool_lazily() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 1_000));
		assert_ok!(Collateral::unbond(origin(HP), 200));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 3_000));
		assert_ok!(Collateral::delegate(origin(EVE), HP, 1_000));
		let issuance = Balances::total_issuance();
		// Bond 800, then the 200 unbonding, then 2_000 from the pool of 4_000.
		assert_eq!(Collateral::slash(&HP, 3_000), 3_000);
		assert_eq!(last_event(), Event::Slashed { hp: HP, from_self: 1_000, from_pool: 2_000 });
		assert_eq!(held_self(HP), 0);
		assert_eq!(ledger(HP).pool.value, 2_000);
		assert_eq!(Balances::total_issuance(), issuance - 1_000);
		// Delegators still hold their stake until the slash is applied.
		assert_eq!(held_delegation(DAVE), 3_000);
		assert_eq!(Collateral::pending_slash(&ledger(HP).pool, &delegation(HP, DAVE)), 1_500);
		assert_ok!(Collateral::apply_pending_slash(origin(FERDIE), HP, DAVE));
		assert_eq!(
			last_event(),
			Event::PendingSlashApplied { hp: HP, delegator: DAVE, amount: 1_500 }
		);
		assert_eq!(held_delegation(DAVE), 1_500);
		assert_noop!(
			Collateral::apply_pending_slash(origin(FERDIE), HP, DAVE),
			Error::<Test>::NoPendingSlash
		);
		assert_noop!(
			Collateral::apply_pending_slash(origin(FERDIE), HP, FERDIE),
			Error::<Test>::NoDelegation
		);
		// Eve's share is taken at her next action.
		assert_ok!(Collateral::undelegate(origin(EVE), HP, 500));
		assert_eq!(held_delegation(EVE), 500);
		assert_eq!(Balances::total_issuance(), issuance - 3_000);
	});
}

#[test]
fn unbonding_delegations_are_slashed_too() {
	test(|| {
		assert_ok!(Collateral::bond(origin(HP), 100));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 1_000));
		assert_ok!(Collateral::delegate(origin(EVE), HP, 1_000));
		assert_ok!(Collateral::undelegate(origin(EVE), HP, 1_000));
		// 100 from the bond, then 1_000 across the pool's 1_000 active and 1_000 unbonding.
		assert_eq!(Collateral::slash(&HP, 1_100), 1_100);
		let pool = ledger(HP).pool;
		assert_eq!((pool.value, pool.unbonding_value), (500, 500));
		go_to_era(UNBONDING_ERAS);
		assert_ok!(Collateral::withdraw_delegation(origin(EVE), HP));
		assert_eq!(Balances::free_balance(EVE), ENDOWMENT - 500);
		assert!(Delegations::<Test>::get(HP, EVE).is_none());
	});
}

#[test]
fn slashing_an_unknown_hp_slashes_nothing() {
	test(|| {
		assert_eq!(Collateral::slash(&HP, 1_000), 0);
		assert!(events().is_empty());
	});
}

// ---------------------------------------------------------------------------------------------
// Governance and the runtime API view

#[test]
fn governance_sets_parameters() {
	test(|| {
		assert_noop!(
			Collateral::set_self_per_unit(origin(HP), HardwareClass::Gpu, 5),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Collateral::set_network_ratio(origin(HP), Perbill::from_percent(5)),
			DispatchError::BadOrigin
		);
		assert_ok!(Collateral::set_self_per_unit(RuntimeOrigin::root(), HardwareClass::Gpu, 5));
		assert_eq!(last_event(), Event::SelfPerUnitSet { class: HardwareClass::Gpu, amount: 5 });
		assert_eq!(SelfPerUnit::<Test>::get(HardwareClass::Gpu), 5);
		assert_ok!(Collateral::set_network_ratio(RuntimeOrigin::root(), Perbill::from_percent(5)));
		assert_eq!(last_event(), Event::NetworkRatioSet { ratio: Perbill::from_percent(5) });
		assert_eq!(NetworkRatio::<Test>::get(), Perbill::from_percent(5));
	});
}

mod class_shares {
	use super::*;

	fn shares(storage: u32, gpu: u32, cpu: u32) -> ClassShares {
		ClassShares {
			storage: Perbill::from_percent(storage),
			gpu: Perbill::from_percent(gpu),
			cpu: Perbill::from_percent(cpu),
		}
	}

	#[test]
	fn governance_sets_shares_that_sum_to_one_hundred_percent() {
		test(|| {
			assert_eq!(ClassShareOf::<Test>::get(), DefaultClassShares::get());
			assert_noop!(
				Collateral::set_class_shares(origin(HP), shares(40, 40, 20)),
				DispatchError::BadOrigin
			);
			for bad in [
				shares(40, 40, 10),
				shares(50, 40, 20),
				shares(100, 100, 100),
				shares(0, 0, 0),
				// Complete, but a class at 0% would need no network collateral.
				shares(100, 0, 0),
				shares(70, 30, 0),
			] {
				assert_noop!(
					Collateral::set_class_shares(RuntimeOrigin::root(), bad),
					Error::<Test>::SharesNotComplete
				);
			}
			// Sums that are 100% only after rounding are refused too.
			let almost = ClassShares {
				storage: Perbill::from_parts(333_333_333),
				gpu: Perbill::from_parts(333_333_333),
				cpu: Perbill::from_parts(333_333_333),
			};
			assert_noop!(
				Collateral::set_class_shares(RuntimeOrigin::root(), almost),
				Error::<Test>::SharesNotComplete
			);
			assert_ok!(Collateral::set_class_shares(RuntimeOrigin::root(), shares(98, 1, 1)));
			assert_eq!(last_event(), Event::ClassSharesSet { shares: shares(98, 1, 1) });
			assert_eq!(ClassShareOf::<Test>::get(), shares(98, 1, 1));
		});
	}

	/// Issue 24 item 11: with a node alone in each class, the classes together ask for
	/// `network_ratio` of the circulating supply (each class its share), not `classes ×
	/// network_ratio` as before `class_share`.
	#[test]
	fn attack_the_network_component_asks_for_the_supply_once_not_once_per_class() {
		test(|| {
			let circulating = Collateral::circulating();
			for (hp, class) in
				[(HP, HardwareClass::Storage), (HP2, HardwareClass::Gpu), (EVE, HardwareClass::Cpu)]
			{
				assert_ok!(Collateral::bond(origin(hp), 900_000));
				assert_ok!(Collateral::commit(&hp, class, 1));
			}
			let asked: Balance = [HP, HP2, EVE]
				.iter()
				.map(|hp| Collateral::requirement_of(hp, None).network_component)
				.sum();
			// Each rounds up by at most 2 units (the class share's and the ratio's `mul_ceil`).
			let whole = NETWORK_RATIO.mul_ceil(circulating);
			assert!(asked <= whole + 6, "asked {asked} of {whole}");
			assert!(asked + 3 >= NETWORK_RATIO.mul_floor(circulating), "asked {asked} of {whole}");
			// Each class its share: storage 50%, GPUs 30%, vCPUs 20%.
			let storage = Collateral::requirement_of(&HP, None).network_component;
			assert!(storage.abs_diff(whole / 2) <= 2, "{storage} vs {}", whole / 2);

			// Governance moves almost all of the network component to storage: the GPU and vCPU
			// nodes need 1% of the supply's ratio each, the storage node the rest.
			assert_ok!(Collateral::set_class_shares(RuntimeOrigin::root(), shares(98, 1, 1)));
			for hp in [HP2, EVE] {
				let gpu_or_cpu = Collateral::requirement_of(&hp, None).network_component;
				assert!(gpu_or_cpu.abs_diff(whole / 100) <= 2, "{gpu_or_cpu} vs {}", whole / 100);
			}
			let storage = Collateral::requirement_of(&HP, None).network_component;
			assert!(storage.abs_diff(whole / 100 * 98) <= 2, "{storage} vs {}", whole / 100 * 98);
		});
	}
}

#[test]
fn collateral_info_reports_requirement_pool_and_shortfall() {
	test(|| {
		assert!(Collateral::collateral_info(&HP).is_none());
		assert_ok!(Collateral::bond(origin(HP), 900_000));
		assert_ok!(Collateral::commit(&HP, HardwareClass::Storage, 10));
		assert_ok!(Collateral::delegate(origin(DAVE), HP, 700));
		assert_ok!(Collateral::unbond(origin(HP), 100));
		let info = Collateral::collateral_info(&HP).expect("HP exists");
		assert_eq!(info.self_bond, 899_900);
		assert_eq!(info.self_unbonding, 100);
		assert_eq!(info.pool_value, 700);
		assert_eq!(info.delegators, 1);
		assert_eq!(info.requirement, Collateral::requirement_of(&HP, None));
		assert_eq!(info.shortfall, 0);
		assert_eq!(info.status, CoverageStatus::Covered);
	});
}

// ---------------------------------------------------------------------------------------------
// Property tests (proptest): random sequences of delegate / undelegate / reward / slash / claim.

mod properties {
	use super::*;
	use proptest::prelude::*;

	const DELEGATORS: [u64; 3] = [DAVE, EVE, FERDIE];

	#[derive(Clone, Debug)]
	enum Op {
		Delegate(usize, Balance),
		Undelegate(usize, Balance),
		Withdraw(usize),
		Reward(Balance),
		Slash(Balance),
		Claim(Option<usize>),
		ApplySlash(usize),
		Bond(Balance),
		NextEra,
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			(0..3usize, 1..20_000u128).prop_map(|(d, a)| Op::Delegate(d, a)),
			(0..3usize, 1..20_000u128).prop_map(|(d, a)| Op::Undelegate(d, a)),
			(0..3usize).prop_map(Op::Withdraw),
			(1..50_000u128).prop_map(Op::Reward),
			(1..10_000u128).prop_map(Op::Slash),
			proptest::option::of(0..3usize).prop_map(Op::Claim),
			(0..3usize).prop_map(Op::ApplySlash),
			(1..5_000u128).prop_map(Op::Bond),
			Just(Op::NextEra),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]

		#[test]
		fn books_balance_and_no_icnt_is_created_or_lost(ops in proptest::collection::vec(op(), 1..60)) {
			let steps = ops.len() as Balance;
			new_test_ext().execute_with(|| {
				assert_ok!(Collateral::bond(origin(HP), 5_000));
				assert_ok!(Collateral::set_commission(origin(HP), Perbill::from_percent(7)));
				let issuance = Balances::total_issuance();
				let mut credited: Balance = 0;
				let mut claimed: Balance = 0;
				let mut era = 0;
				for op in ops {
					let self_before = ledger(HP).bond;
					let pool_before = ledger(HP).pool.value + ledger(HP).pool.unbonding_value;
					match op {
						Op::Delegate(d, a) => { let _ = Collateral::delegate(origin(DELEGATORS[d]), HP, a); },
						Op::Undelegate(d, a) => { let _ = Collateral::undelegate(origin(DELEGATORS[d]), HP, a); },
						Op::Withdraw(d) => { let _ = Collateral::withdraw_delegation(origin(DELEGATORS[d]), HP); },
						Op::Reward(a) => {
							if Collateral::credit_reward(&POOL, &HP, a).is_ok() { credited += a; }
						},
						Op::Slash(a) => {
							let self_total = self_before + ledger(HP).unbonding.iter().map(|c| c.amount).sum::<Balance>();
							let done = Collateral::slash(&HP, a);
							let pool_after = ledger(HP).pool.value + ledger(HP).pool.unbonding_value;
							// Delegators lose nothing while the HP's own collateral covers it.
							if a <= self_total {
								prop_assert_eq!(pool_after, pool_before);
							}
							prop_assert!(done <= a);
						},
						Op::Claim(who) => {
							let (account, res) = match who {
								Some(d) => (DELEGATORS[d], Collateral::pending_rewards(&DELEGATORS[d], &HP)),
								None => (HP, Collateral::pending_rewards(&HP, &HP)),
							};
							let free = Balances::free_balance(account);
							if Collateral::claim_rewards(origin(account), HP).is_ok() {
								prop_assert_eq!(Balances::free_balance(account) - free, res);
								claimed += res;
							}
						},
						Op::ApplySlash(d) => { let _ = Collateral::apply_pending_slash(origin(FERDIE), HP, DELEGATORS[d]); },
						Op::Bond(a) => { let _ = Collateral::bond(origin(HP), a); },
						Op::NextEra => { era += 1; go_to_era(era); },
					}
					prop_assert!(Collateral::do_try_state().is_ok(), "{:?}", Collateral::do_try_state());
					// Claims never exceed what was credited.
					prop_assert!(claimed <= credited);
				}
				// Total issuance changed only by what was slashed (burnt by this mock's OnSlash):
				// the HP's own collateral at once, delegators' holds when their slash is applied;
				// never more than the pool slashes booked.
				let (mut from_self, mut from_pool, mut applied) = (0, 0, 0);
				for event in events() {
					match event {
						Event::Slashed { from_self: s, from_pool: p, .. } => { from_self += s; from_pool += p; },
						Event::PendingSlashApplied { amount, .. } => applied += amount,
						_ => {},
					}
				}
				prop_assert_eq!(issuance - Balances::total_issuance(), from_self + applied);
				prop_assert!(applied <= from_pool + steps, "applied {} booked {}", applied, from_pool);
				// Everything owed plus everything claimed is at most what was credited.
				let owed: Balance = DELEGATORS.iter().map(|d| Collateral::pending_rewards(d, &HP)).sum::<Balance>()
					+ Collateral::pending_rewards(&HP, &HP);
				prop_assert!(owed + claimed <= credited);
				// What is neither owed nor claimed is the carried remainder plus rounding dust.
				prop_assert!(credited - owed - claimed <= ledger(HP).pool.reward_carry + 3 * steps);
				Ok(())
			})?;
		}
	}
}
