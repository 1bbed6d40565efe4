//! Storage migrations of the rewards pallet. Each is a [`VersionedMigration`]: it runs only on
//! the storage version it migrates from and sets the next, so a runtime may keep listing it.

use super::*;
use frame_support::{migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade};

/// Version 2 (SPEC §4.10): each group also counts the protocol's take of the era's fees, which
/// caps its usage reward. A group migrated mid-era has taken nothing on record, so the fees it
/// already counted that era generate no usage reward — the cautious side: the rule is that no
/// fee generates more than its take, and those fees' takes are unknown.
pub mod v2 {
	use super::*;
	use frame_support::storage_alias;

	/// A group's state as storage version 1 kept it.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default)]
	pub struct GroupStateV1 {
		pub total_weight: u128,
		pub capacity: u64,
		pub reward_per_weight: u128,
		pub fees: Balance,
		pub last_subsidy: Balance,
		pub last_usage: Balance,
	}

	/// Storage version 1's group states.
	#[storage_alias]
	pub type Groups<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, (ClusterId, HardwareClass), GroupStateV1>;

	/// Adds `takes: 0` to every group; not version-checked (use [`MigrateV1ToV2`]).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			crate::Groups::<T>::translate::<GroupStateV1, _>(|_, old| {
				count = count.saturating_add(1);
				Some(GroupState {
					total_weight: old.total_weight,
					capacity: old.capacity,
					reward_per_weight: old.reward_per_weight,
					fees: old.fees,
					takes: 0,
					last_subsidy: old.last_subsidy,
					last_usage: old.last_usage,
				})
			});
			T::DbWeight::get().reads_writes(count, count)
		}
	}

	/// The v1 → v2 migration, for the runtime's `Executive`.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Version 3 (SPEC §6.1, issue 24 item 12): the subsidy becomes a rate per unit of capacity. A
/// lump sum `L` (paid in full at zero capacity) becomes the rate `⌊4L / subsidy_cap⌋`, whose
/// peak (half full) is `L`: the most a group is paid stays `L`, but at fill `x` it is paid
/// `4x(1 − x)L` instead of `(1 − x)L` — less below `x = 1/4`, more above (capped by
/// `MaxEmissionPerEra`). Groups with no cap (and so no subsidy) keep theirs.
pub mod v3 {
	use super::*;

	/// The rate that pays a half-full group what the lump sum `lump` paid.
	pub fn rate_for_lump_sum(lump: Balance, subsidy_cap: u64) -> Balance {
		if subsidy_cap == 0 {
			return lump;
		}
		multiply_by_rational_with_rounding(lump, 4, u128::from(subsidy_cap), Rounding::Down)
			.unwrap_or(0)
	}

	/// Rewrites every group's `base_subsidy`; not version-checked (use [`MigrateV2ToV3`]).
	pub struct UncheckedMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			crate::GroupParams::<T>::translate::<GroupParameters, _>(|_, old| {
				count = count.saturating_add(1);
				Some(GroupParameters {
					base_subsidy: rate_for_lump_sum(old.base_subsidy, old.subsidy_cap),
					..old
				})
			});
			T::DbWeight::get().reads_writes(count, count)
		}
	}

	/// The v2 → v3 migration, for the runtime's `Executive`.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		UncheckedMigrateV2ToV3<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
