//! Benchmarks of the collateral-delegation pallet (frame-benchmarking v2). Each sets up the worst
//! case of its call: committed capacity in every class (so the requirement reads every class), an
//! open top-up window (so coverage is re-checked and cleared), a pending pool slash (so it is
//! realized first), and full unbonding queues.

use super::*;
use frame_support::traits::{EnsureOrigin, Get};
use polkadot_sdk::{frame_benchmarking::v2::*, frame_system::RawOrigin};

/// A comfortable multiple of the existential deposit.
fn unit<T: Config>() -> Balance {
	T::Currency::minimum_balance().max(1)
}

fn fund<T: Config>(who: &T::AccountId) -> Balance {
	let amount = unit::<T>().saturating_mul(1_000_000_000);
	let _ = T::Currency::set_balance(who, amount);
	amount
}

fn bond_amount<T: Config>() -> Balance {
	T::MinSelfBond::get().max(unit::<T>()).saturating_mul(1_000)
}

fn delegation_amount<T: Config>() -> Balance {
	T::MinDelegation::get().max(unit::<T>()).saturating_mul(1_000)
}

/// An HP with a bond, capacity committed in every class and a requirement to check.
fn setup_hp<T: Config>(name: &'static str) -> Result<T::AccountId, BenchmarkError> {
	let hp: T::AccountId = account(name, 0, 0);
	fund::<T>(&hp);
	NetworkRatio::<T>::put(Perbill::zero());
	for class in HardwareClass::ALL {
		SelfPerUnit::<T>::insert(class, unit::<T>());
	}
	Pallet::<T>::bond(RawOrigin::Signed(hp.clone()).into(), bond_amount::<T>())?;
	for class in HardwareClass::ALL {
		Pallet::<T>::commit(&hp, class, 1)?;
	}
	Ok(hp)
}

fn delegator<T: Config>(hp: &T::AccountId, index: u32) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account("delegator", index, 0);
	fund::<T>(&who);
	Pallet::<T>::delegate(
		RawOrigin::Signed(who.clone()).into(),
		hp.clone(),
		delegation_amount::<T>(),
	)?;
	Ok(who)
}

/// The worst case of a settlement ([`Settled`]), for `who`, which delegated to `hp` in this era
/// (era `S`): `who` tops up in `S + 1` (two warming entries, the most a delegation has); a
/// delegator in `S + 3` activates both of `who`'s buckets without settling `who`; another
/// delegates in `S + 4`, when a reward is credited; the chain moves to `S + 6`. There the
/// buckets of `S + 3` and `S + 4` are due at once (two removals, two activations written) while
/// `who`'s entries of `S` and `S + 1` mature (two more activations updated).
fn warm_up_at_its_worst<T: Config>(
	hp: &T::AccountId,
	who: &T::AccountId,
) -> Result<(), BenchmarkError> {
	advance_eras::<T>(1);
	Pallet::<T>::delegate(RawOrigin::Signed(who.clone()).into(), hp.clone(), unit::<T>())?;
	advance_eras::<T>(2);
	delegator::<T>(hp, 10)?;
	advance_eras::<T>(1);
	delegator::<T>(hp, 11)?;
	Pallet::<T>::credit_reward(hp, hp, unit::<T>().saturating_mul(1_000))?;
	advance_eras::<T>(2);
	let due = Warming::<T>::iter_prefix(hp)
		.filter(|(era, _)| Pallet::<T>::earns(*era))
		.count();
	let entries = DelegationWarming::<T>::get(hp, who).unwrap_or_default();
	let matured_elsewhere = entries.len() == 2
		&& entries
			.iter()
			.all(|(era, _)| Pallet::<T>::earns(*era) && Activations::<T>::contains_key(hp, era));
	if due != 2 || !matured_elsewhere {
		return Err(BenchmarkError::Stop("the warm-up's worst case was not built"));
	}
	Ok(())
}

/// Moves the chain `eras` eras on.
fn advance_eras<T: Config>(eras: u32) {
	let now = frame_system::Pallet::<T>::block_number();
	let length = T::Eras::era_length().saturating_mul(eras);
	frame_system::Pallet::<T>::set_block_number(now + length.into());
}

/// Slashes `hp` through its whole bond and a part of its pool, leaving pending slashes.
fn slash_into_pool<T: Config>(hp: &T::AccountId) {
	let ledger = Hps::<T>::get(hp).unwrap_or_default();
	let own = ledger.unbonding.iter().fold(ledger.bond, |s, c| s.saturating_add(c.amount));
	Pallet::<T>::do_slash(hp, own.saturating_add(ledger.pool.value / 10));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn bond() -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		UncoveredSince::<T>::insert(&hp, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(hp.clone()), bond_amount::<T>());

		assert_eq!(Hps::<T>::get(&hp).map(|l| l.bond), Some(bond_amount::<T>() * 2));
		Ok(())
	}

	#[benchmark]
	fn unbond() -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		let max = T::MaxUnbondingChunks::get();
		// Fill the queue but one, each chunk in its own era.
		Hps::<T>::mutate(&hp, |l| {
			if let Some(l) = l {
				for i in 0..max.saturating_sub(1) {
					let _ = l.unbonding.try_push(UnbondChunk { unlock_era: i, amount: 0 });
				}
			}
		});
		let amount = unit::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(hp.clone()), amount);

		assert_eq!(Hps::<T>::get(&hp).map(|l| l.unbonding.len() as u32), Some(max));
		Ok(())
	}

	#[benchmark]
	fn withdraw_unbonded(
		c: Linear<1, { T::MaxUnbondingChunks::get() }>,
	) -> Result<(), BenchmarkError> {
		let hp: T::AccountId = account("hp", 0, 0);
		fund::<T>(&hp);
		let amount = bond_amount::<T>();
		Pallet::<T>::bond(RawOrigin::Signed(hp.clone()).into(), amount)?;
		// `c` chunks, all unlocked by the current era (0 + UnbondingEras in the past is not
		// reachable in a benchmark, so the chunks unlock in era 0).
		let per_chunk = amount / Balance::from(c);
		Hps::<T>::mutate(&hp, |l| {
			if let Some(l) = l {
				for _ in 0..c {
					let _ = l.unbonding.try_push(UnbondChunk { unlock_era: 0, amount: per_chunk });
				}
				l.bond = amount.saturating_sub(per_chunk.saturating_mul(Balance::from(c)));
			}
		});

		#[extrinsic_call]
		_(RawOrigin::Signed(hp.clone()));

		assert!(Hps::<T>::get(&hp).map_or(true, |l| l.unbonding.is_empty()));
		Ok(())
	}

	/// A raise whose notice ended is applied, and a new raise is scheduled.
	#[benchmark]
	fn set_commission() -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		let commission = T::MaxCommission::get();
		let half = commission / 2;
		Pallet::<T>::set_commission(RawOrigin::Signed(hp.clone()).into(), half)?;
		advance_eras::<T>(T::CommissionChangeDelay::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(hp.clone()), commission);

		assert_eq!(Hps::<T>::get(&hp).map(|l| l.commission), Some(half));
		assert_eq!(CommissionChanges::<T>::get(&hp).map(|(c, _)| c), Some(commission));
		Ok(())
	}

	/// A second delegation with rewards to settle and a slash to realize, at the warm-up's worst
	/// (`warm_up_at_its_worst`: two of the pool's buckets due, the delegation's two entries
	/// maturing, SPEC §3.9), before the new shares warm; `u = 1`: the HP was
	/// uncovered, so the call computes its requirement over every class (and finds it covered
	/// again); `u = 0`: covered, the requirement is not computed.
	#[benchmark]
	fn delegate(u: Linear<0, 1>) -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		let who = delegator::<T>(&hp, 0)?;
		delegator::<T>(&hp, 1)?;
		Pallet::<T>::credit_reward(&hp, &hp, unit::<T>().saturating_mul(1_000))?;
		warm_up_at_its_worst::<T>(&hp, &who)?;
		// After the warm-up (whose top-up would realize it): the call realizes the slash.
		slash_into_pool::<T>(&hp);
		// The slash took the whole bond; bonded again, the HP covers its requirement, so
		// `u = 1` finds it covered and removes its `UncoveredSince`.
		Pallet::<T>::bond(RawOrigin::Signed(hp.clone()).into(), bond_amount::<T>())?;
		if u == 1 {
			UncoveredSince::<T>::insert(&hp, 0);
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), hp.clone(), delegation_amount::<T>());

		assert!(Delegations::<T>::contains_key(&hp, &who));
		assert!(DelegationWarming::<T>::contains_key(&hp, &who));
		assert!(!UncoveredSince::<T>::contains_key(&hp));
		Ok(())
	}

	#[benchmark]
	fn undelegate() -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		let who = delegator::<T>(&hp, 0)?;
		delegator::<T>(&hp, 1)?;
		let other = delegator::<T>(&hp, 2)?;
		// The unbonding sub-pool is not empty: shares are priced, not minted 1:1.
		Pallet::<T>::undelegate(RawOrigin::Signed(other).into(), hp.clone(), unit::<T>())?;
		Pallet::<T>::credit_reward(&hp, &hp, unit::<T>().saturating_mul(1_000))?;
		let max = T::MaxUnbondingChunks::get();
		Delegations::<T>::mutate(&hp, &who, |d| {
			if let Some(d) = d {
				// Unlocking in era 0, before the new chunk's era whatever the era now: the call
				// pushes a chunk, never merges into one of these.
				for _ in 0..max.saturating_sub(1) {
					let _ = d.unbonding.try_push(UnbondChunk { unlock_era: 0, amount: 0 });
				}
			}
		});
		// The warm-up at its worst (SPEC §3.9). Its other case, shares still warming that leave
		// first, writes fewer keys (at most one bucket due then, and two warming buckets cooled);
		// the call refunds the difference.
		warm_up_at_its_worst::<T>(&hp, &who)?;
		// After the warm-up (whose top-up would realize it): the call realizes the slash.
		slash_into_pool::<T>(&hp);
		let amount = unit::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), hp.clone(), amount);

		assert_eq!(Delegations::<T>::get(&hp, &who).map(|d| d.unbonding.len() as u32), Some(max));
		Ok(())
	}

	#[benchmark]
	fn withdraw_delegation(
		c: Linear<1, { T::MaxUnbondingChunks::get() }>,
	) -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		let who = delegator::<T>(&hp, 0)?;
		delegator::<T>(&hp, 1)?;
		Pallet::<T>::undelegate(
			RawOrigin::Signed(who.clone()).into(),
			hp.clone(),
			delegation_amount::<T>(),
		)?;
		slash_into_pool::<T>(&hp);
		// Split the delegation's one chunk into `c` chunks, all unlocked.
		Delegations::<T>::mutate(&hp, &who, |d| {
			if let Some(d) = d {
				let total = d.unbonding.iter().fold(0, |s: Balance, c| s.saturating_add(c.amount));
				let per_chunk = total / Balance::from(c);
				d.unbonding = BoundedVec::new();
				for i in 0..c {
					let amount = if i + 1 == c {
						total.saturating_sub(per_chunk.saturating_mul(Balance::from(c - 1)))
					} else {
						per_chunk
					};
					let _ = d.unbonding.try_push(UnbondChunk { unlock_era: 0, amount });
				}
			}
		});

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), hp.clone());

		assert!(Delegations::<T>::get(&hp, &who).map_or(true, |d| d.unbonding.is_empty()));
		Ok(())
	}

	/// A delegator's claim at the warm-up's worst (`warm_up_at_its_worst`, SPEC §3.9); the HP's
	/// own claim settles no delegation and is refunded all of it.
	#[benchmark]
	fn claim_rewards() -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		let who = delegator::<T>(&hp, 0)?;
		delegator::<T>(&hp, 1)?;
		warm_up_at_its_worst::<T>(&hp, &who)?;
		let before = T::Currency::balance(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), hp.clone());

		assert!(T::Currency::balance(&who) > before);
		assert!(!DelegationWarming::<T>::contains_key(&hp, &who));
		assert!(Warming::<T>::iter_prefix(&hp).next().is_none());
		Ok(())
	}

	#[benchmark]
	fn apply_pending_slash() -> Result<(), BenchmarkError> {
		let hp = setup_hp::<T>("hp")?;
		let who = delegator::<T>(&hp, 0)?;
		delegator::<T>(&hp, 1)?;
		slash_into_pool::<T>(&hp);
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), hp.clone(), who.clone());

		let pool = Hps::<T>::get(&hp).map(|l| l.pool).unwrap_or_default();
		let d = Delegations::<T>::get(&hp, &who).ok_or(BenchmarkError::Weightless)?;
		assert!(Pallet::<T>::pending_slash(&pool, &d).is_zero());
		Ok(())
	}

	#[benchmark]
	fn set_self_per_unit() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let amount = unit::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, HardwareClass::Gpu, amount);

		assert_eq!(SelfPerUnit::<T>::get(HardwareClass::Gpu), amount);
		Ok(())
	}

	#[benchmark]
	fn set_network_ratio() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let ratio = Perbill::from_percent(50);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, ratio);

		assert_eq!(NetworkRatio::<T>::get(), ratio);
		Ok(())
	}

	#[benchmark]
	fn set_class_shares() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let shares = ClassShares {
			storage: Perbill::from_percent(70),
			gpu: Perbill::from_percent(20),
			cpu: Perbill::from_percent(10),
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, shares);

		assert_eq!(ClassShareOf::<T>::get(), shares);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
