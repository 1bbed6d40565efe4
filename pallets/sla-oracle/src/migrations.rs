//! Storage migrations of the SLA oracle. Each is a [`VersionedMigration`]: it runs only on the
//! storage version it migrates from and sets the next, so a runtime may keep listing it.

use super::*;
use frame_support::{migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade};

/// Version 2 (issue 24, SPEC §5.5, §5.7):
/// * an oracle's disagreement window moves from its registration ([`OracleInfo`]) to its passport
///   ([`OracleRecords`]), so that deregistering no longer wipes it;
/// * a node's anomaly keeps the *block* it opened (the grace runs in blocks from the fault, not
///   from the era's number) and its recovery streak: an anomaly opened in era `e` is dated to
///   the first block of `e` — the grace it had before, never a longer one;
/// * the round in progress records its oracles' passports (registered ones; if any is missing
///   the list stays empty and the round's votes are counted through the registry);
/// * `LastReport` keeps only the round in progress, so it is cleared.
///
/// Reads and writes one entry per oracle (at most `MaxOracles`) and per node record, in one
/// block: fine for the chains that exist (dev and test networks); a chain with many thousands of
/// nodes would need a multi-block migration (`pallet-migrations`).
pub mod v2 {
	use super::*;
	use frame_support::storage_alias;
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;

	/// An oracle as storage version 1 kept it: its window on the registration.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct OracleInfoV1<Key> {
		pub passport: PassportId,
		pub key: Key,
		pub votes: u32,
		pub disagreements: u32,
	}

	/// A node record of storage version 1: the anomaly's era, no streak.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct NodeRecordV1 {
		pub reliability: Perbill,
		pub faulty_since: Option<EraIndex>,
		pub slashed_to: EraIndex,
		pub slashed: Balance,
	}

	/// The round of storage version 1: no passports.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct RoundV1<AccountId, MaxOracles: Get<u32>> {
		pub info: RoundInfo,
		pub oracles: BoundedVec<AccountId, MaxOracles>,
	}

	/// Storage version 1's oracle registry.
	#[storage_alias]
	pub type Oracles<T: Config> = StorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		OracleInfoV1<<T as Config>::OracleKey>,
	>;

	/// Storage version 1's round in progress.
	#[storage_alias]
	pub type CurrentRound<T: Config> = StorageValue<
		Pallet<T>,
		RoundV1<<T as frame_system::Config>::AccountId, <T as Config>::MaxOracles>,
	>;

	/// Moves the three; not version-checked (use [`MigrateV1ToV2`]).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads = 1u64;
			let mut writes = 1u64;
			let round = v2::CurrentRound::<T>::get();
			crate::Oracles::<T>::translate::<OracleInfoV1<T::OracleKey>, _>(|_, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				let record = OracleRecord { votes: old.votes, disagreements: old.disagreements };
				if record != OracleRecord::default() {
					OracleRecords::<T>::insert(old.passport, record);
					writes.saturating_inc();
				}
				Some(OracleInfo { passport: old.passport, key: old.key })
			});
			if let Some(old) = round {
				let passports = Pallet::<T>::passports_of(&old.oracles).unwrap_or_default();
				reads = reads.saturating_add(old.oracles.len() as u64);
				crate::CurrentRound::<T>::put(Round {
					info: old.info,
					oracles: old.oracles,
					passports,
				});
			}
			// `LastReport` now holds the round in progress only (cleared at each round start):
			// entries of oracles that left before the upgrade would never be cleared. Clearing
			// all lets this round's reporters report again, which counts nothing twice (a tally
			// takes one vote per oracle).
			let cleared = LastReport::<T>::clear(u32::MAX, None).unique;
			writes = writes.saturating_add(u64::from(cleared));
			let length = EraLength::<T>::get();
			Records::<T>::translate::<NodeRecordV1, _>(|_, old| {
				reads.saturating_inc();
				writes.saturating_inc();
				Some(NodeRecord {
					reliability: old.reliability,
					faulty_since: old.faulty_since.map(|era| era.saturating_mul(length)),
					passes: 0,
					slashed_to: old.slashed_to,
					slashed: old.slashed,
				})
			});
			log::info!(target: LOG_TARGET, "migrated to v2: {reads} entries read");
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let votes: u64 = v2::Oracles::<T>::iter().map(|(_, o)| u64::from(o.votes)).sum();
			Ok((v2::Oracles::<T>::iter().count() as u64, votes).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let (count, votes) = <(u64, u64)>::decode(&mut &state[..])
				.map_err(|_| TryRuntimeError::Other("v2: pre-upgrade state does not decode"))?;
			ensure!(crate::Oracles::<T>::iter().count() as u64 == count, "v2: oracles were lost");
			let after: u64 = OracleRecords::<T>::iter().map(|(_, r)| u64::from(r.votes)).sum();
			ensure!(after == votes, "v2: votes were lost");
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
