//! Storage migrations of the capacity market. Each is a [`VersionedMigration`]: it runs only on
//! the storage version it migrates from and sets the next, so a runtime may keep listing it.

use super::*;
use frame_support::{migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade};

/// Version 2: the request and lease counters (`NextRequestId`, `NextLeaseId`) became one value,
/// [`NextIds`], so a request reads and writes one key for both.
pub mod v2 {
	use super::*;
	use frame_support::storage_alias;
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;

	/// The counters of storage version 1.
	pub mod v1 {
		use super::*;

		/// The id the next lease got.
		#[storage_alias]
		pub type NextLeaseId<T: Config> = StorageValue<Pallet<T>, LeaseId, ValueQuery>;

		/// The id the next request got.
		#[storage_alias]
		pub type NextRequestId<T: Config> = StorageValue<Pallet<T>, RequestId, ValueQuery>;
	}

	/// Moves both counters into [`NextIds`]; not version-checked (use [`MigrateV1ToV2`]).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let ids = Ids {
				request: v1::NextRequestId::<T>::take(),
				lease: v1::NextLeaseId::<T>::take(),
			};
			NextIds::<T>::put(ids);
			log::info!(target: LOG_TARGET, "migrated to v2: next request {}, next lease {}", ids.request, ids.lease);
			// Two reads, two removals and one write.
			T::DbWeight::get().reads_writes(2, 3)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, TryRuntimeError> {
			let ids =
				Ids { request: v1::NextRequestId::<T>::get(), lease: v1::NextLeaseId::<T>::get() };
			Ok(ids.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Ids::decode(&mut &state[..])
				.map_err(|_| TryRuntimeError::Other("v2: pre-upgrade state does not decode"))?;
			ensure!(NextIds::<T>::get() == before, "v2: the next ids changed");
			ensure!(
				!v1::NextRequestId::<T>::exists() && !v1::NextLeaseId::<T>::exists(),
				"v2: a version-1 counter is left"
			);
			Ok(())
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
