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
