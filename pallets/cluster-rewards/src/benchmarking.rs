//! Benchmarks of the cluster rewards pallet (frame-benchmarking v2): the era transition over `g`
//! groups (and, as an extra benchmark, with `n` node shares in storage to show it does not read
//! them), claims, and parameter changes.

use super::*;
use frame_system::RawOrigin;
use polkadot_sdk::frame_benchmarking::v2::*;

fn group_params() -> GroupParameters {
	GroupParameters {
		base_subsidy: 1_000_000_000_000,
		subsidy_cap: 1_000_000_000,
		usage_multiplier: FixedU128::from_u32(2),
	}
}

/// `g` groups (clusters 0..g, storage), each with parameters, one rewardable node and fees.
fn groups<T: Config>(g: u32) -> Result<(), BenchmarkError> {
	for cluster in 0..g {
		GroupParams::<T>::insert((cluster, HardwareClass::Storage), group_params());
		T::BenchmarkHelper::active_node(cluster, cluster, 1_000);
		Groups::<T>::mutate((cluster, HardwareClass::Storage), |s| {
			s.fees = 1_000_000;
			s.takes = 1_000_000;
		});
	}
	Ok(())
}

/// Moves to the next era and runs its transition.
fn transition<T: Config>() {
	T::BenchmarkHelper::next_era();
	Pallet::<T>::on_initialize(frame_system::Pallet::<T>::block_number());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_group_params() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, HardwareClass::Gpu, group_params());

		assert!(GroupParams::<T>::contains_key((0, HardwareClass::Gpu)));
		Ok(())
	}

	/// The heaviest claim: the node retired after earning and was last brought up to date an
	/// era ago, so its share is credited its old era's rate, moved to this era's, and goes with
	/// its index entry and era-rate references.
	#[benchmark]
	fn claim_node_rewards() -> Result<(), BenchmarkError> {
		groups::<T>(1)?;
		let node = T::BenchmarkHelper::active_node(1, 0, 1_000);
		transition::<T>();
		T::BenchmarkHelper::retire(node);
		transition::<T>();
		assert!(Shares::<T>::get(node).is_some_and(|s| s.pending > 0));
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), node);

		assert!(Shares::<T>::get(node).is_none());
		Ok(())
	}

	#[benchmark]
	fn claim_oracle_rewards() -> Result<(), BenchmarkError> {
		let oracle: T::AccountId = whitelisted_caller();
		<Pallet<T> as RewardHooks<T::AccountId>>::report_accepted(&oracle, 10);
		// The report's era ends and is rated.
		transition::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(oracle.clone()));

		// Paid out with nothing counted since: the tally is gone (SPEC §9).
		assert!(OracleTallies::<T>::get(&oracle).is_none());
		Ok(())
	}

	#[benchmark]
	fn on_initialize_era(g: Linear<1, { T::MaxGroups::get() }>) -> Result<(), BenchmarkError> {
		groups::<T>(g)?;
		<Pallet<T> as RewardHooks<T::AccountId>>::report_accepted(&whitelisted_caller(), 10);
		T::BenchmarkHelper::next_era();
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert!(Emitted::<T>::get() > 0);
		Ok(())
	}

	#[benchmark]
	fn on_initialize_idle() -> Result<(), BenchmarkError> {
		ProcessedEra::<T>::put(T::Eras::current_era());

		#[block]
		{
			Pallet::<T>::on_initialize(frame_system::Pallet::<T>::block_number());
		}

		Ok(())
	}

	/// The era transition of `MaxGroups` groups with `n` node shares in storage: its cost must
	/// not depend on `n` (SPEC §6.3). Not part of `weights.rs`.
	#[benchmark(extra)]
	fn era_transition_with_nodes(n: Linear<1_000, 100_000>) -> Result<(), BenchmarkError> {
		groups::<T>(T::MaxGroups::get())?;
		let hp: T::AccountId = whitelisted_caller();
		for node in 0..u64::from(n) {
			let node = node.saturating_add(10_000_000);
			Shares::<T>::insert(
				node,
				NodeShare {
					hp: hp.clone(),
					cluster: 0,
					class: HardwareClass::Storage,
					era: 0,
					capacity: 0,
					units: 0,
					subsidy: Stake::default(),
					usage: Stake::default(),
					pending: 0,
					held: false,
				},
			);
			HpShares::<T>::insert(&hp, node, ());
		}

		T::BenchmarkHelper::next_era();
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert!(Emitted::<T>::get() > 0);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
