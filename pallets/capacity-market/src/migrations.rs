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

/// Version 3: nodes carry their [`Plot`] (SPEC §5.8). A node registered before has a root bound
/// to nothing (OS-random data of any size), so it gets `Plot::default()` — no chunks, a shape no
/// oracle can verify — and a re-plot grace from the upgrade's era ([`PlotShortSince`]): for
/// `PlotGraceEras` the oracles skip it (its status stands), then its challenges fail with
/// `Uncovered` until its HP plots anew (`icn-node agent init`) and calls `set_endpoint`. This is
/// the re-registration path of a running chain; `PlotRoots` lists only bound roots, so the old
/// roots are not entered.
///
/// Two reads and two writes per node, in one block: fine for the chains that exist (dev and
/// test networks with a handful of nodes); a chain with many thousands of nodes would need a
/// multi-block migration (`pallet-migrations`) instead.
pub mod v3 {
	use super::*;
	use frame_support::storage_alias;
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;

	/// A node as storage version 2 kept it: no plot.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct NodeV2<AccountId, MaxEndpointLen: Get<u32>> {
		pub hp: AccountId,
		pub passport: PassportId,
		pub cluster: ClusterId,
		pub class: HardwareClass,
		pub capacity: u64,
		pub leased: u64,
		pub price: Balance,
		pub commitment_end: EraIndex,
		pub endpoint: BoundedVec<u8, MaxEndpointLen>,
		pub proof_root: [u8; 32],
		pub status: NodeStatus,
		pub faults: BoundedVec<(EraIndex, EraIndex), ConstU32<MAX_FAULT_INTERVALS>>,
	}

	/// Storage version 2's node map.
	#[storage_alias]
	pub type Nodes<T: Config> = StorageMap<
		Pallet<T>,
		Twox64Concat,
		NodeId,
		NodeV2<<T as frame_system::Config>::AccountId, <T as Config>::MaxEndpointLen>,
	>;

	/// Gives every node `Plot::default()`; not version-checked (use [`MigrateV2ToV3`]).
	pub struct UncheckedMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			let era = T::Eras::current_era();
			crate::Nodes::<T>::translate::<NodeV2<T::AccountId, T::MaxEndpointLen>, _>(
				|id, old| {
					count = count.saturating_add(1);
					if old.status != NodeStatus::Retired {
						PlotShortSince::<T>::insert(id, era);
					}
					Some(Node {
						hp: old.hp,
						passport: old.passport,
						cluster: old.cluster,
						class: old.class,
						capacity: old.capacity,
						leased: old.leased,
						price: old.price,
						commitment_end: old.commitment_end,
						endpoint: old.endpoint,
						proof_root: old.proof_root,
						plot: Plot::default(),
						status: old.status,
						faults: old.faults,
					})
				},
			);
			log::info!(target: LOG_TARGET, "migrated to v3: {count} nodes must re-plot");
			T::DbWeight::get().reads_writes(count.saturating_mul(2), count.saturating_mul(2))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, TryRuntimeError> {
			Ok((v3::Nodes::<T>::iter().count() as u64).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = u64::decode(&mut &state[..])
				.map_err(|_| TryRuntimeError::Other("v3: pre-upgrade state does not decode"))?;
			ensure!(crate::Nodes::<T>::iter().count() as u64 == before, "v3: nodes were lost");
			ensure!(
				crate::Nodes::<T>::iter().all(|(_, n)| n.plot == Plot::default()),
				"v3: a migrated node has a plot"
			);
			Ok(())
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

/// Version 4: a lease records whether it is a renewal ([`Lease::renewal`]), so `try_state` can
/// check that no lease was matched to an HP past its top-up window (SPEC §9, §3.8).
pub mod v4 {
	use super::*;
	use frame_support::storage_alias;
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;

	/// A lease as storage version 3 kept it: no `renewal`.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct LeaseV3<AccountId> {
		pub request: RequestId,
		pub node: NodeId,
		pub sp: AccountId,
		pub units: u64,
		pub price: Balance,
		pub start: EraIndex,
		pub end: EraIndex,
		pub settled_to: EraIndex,
		pub renewed: bool,
	}

	/// Storage version 3's lease map.
	#[storage_alias]
	pub type Leases<T: Config> = StorageMap<
		Pallet<T>,
		Twox64Concat,
		LeaseId,
		LeaseV3<<T as frame_system::Config>::AccountId>,
	>;

	/// Takes every version-3 lease as a renewal; not version-checked (use [`MigrateV3ToV4`]).
	///
	/// Which of them were matched is not recorded, and a renewal is the case the new check
	/// exempts (made without a coverage check), so the check cannot fail on them falsely.
	/// Every lease ends, so the check is exact once these have.
	pub struct UncheckedMigrateV3ToV4<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV3ToV4<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			crate::Leases::<T>::translate::<LeaseV3<T::AccountId>, _>(|_, old| {
				count = count.saturating_add(1);
				Some(Lease {
					request: old.request,
					node: old.node,
					sp: old.sp,
					units: old.units,
					price: old.price,
					start: old.start,
					end: old.end,
					settled_to: old.settled_to,
					renewed: old.renewed,
					renewal: true,
				})
			});
			log::info!(target: LOG_TARGET, "migrated to v4: {count} leases");
			T::DbWeight::get().reads_writes(count, count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, TryRuntimeError> {
			let leases: alloc::vec::Vec<(LeaseId, LeaseV3<T::AccountId>)> =
				v4::Leases::<T>::iter().collect();
			Ok(leases.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), TryRuntimeError> {
			let before =
				<alloc::vec::Vec<(LeaseId, LeaseV3<T::AccountId>)>>::decode(&mut &state[..])
					.map_err(|_| TryRuntimeError::Other("v4: pre-upgrade state does not decode"))?;
			ensure!(crate::Leases::<T>::iter().count() == before.len(), "v4: leases were lost");
			for (id, old) in before {
				let new = crate::Leases::<T>::get(id).ok_or("v4: a lease was lost")?;
				ensure!(
					new.renewal
						&& (new.request, new.node, &new.sp, new.units, new.price)
							== (old.request, old.node, &old.sp, old.units, old.price)
						&& (new.start, new.end, new.settled_to, new.renewed)
							== (old.start, old.end, old.settled_to, old.renewed),
					"v4: a lease changed"
				);
			}
			Ok(())
		}
	}

	/// The v3 → v4 migration, for the runtime's `Executive`.
	pub type MigrateV3ToV4<T> = VersionedMigration<
		3,
		4,
		UncheckedMigrateV3ToV4<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
