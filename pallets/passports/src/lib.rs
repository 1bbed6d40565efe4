//! # Passports pallet (SPEC §2)
//!
//! ICN passports are non-fungible tokens of one collection. Staking one is the entry ticket of a
//! hardware provider (one `HardwareProvider` passport per hardware node) or an SLA oracle (one
//! `Oracle` passport per registration); it is the last line of collateral: a node slashed to the
//! floor or an oracle removed for misreporting loses its passport (SPEC §2.4).
//!
//! * [`Pallet::mint`] — `MintOrigin` (root on ICN's chains) issues a passport of a kind to an
//!   account, with bounded metadata.
//! * [`Pallet::transfer`] — the owner gives an unstaked passport to another account.
//! * [`Pallet::set_metadata`] — `MintOrigin` replaces a passport's metadata.
//! * Staking, unstaking and revoking happen only through [`PassportStaking`], which the capacity
//!   market and the SLA oracle call; no extrinsic can unstake or burn a passport.
//! * [`frame_support::traits::tokens::nonfungibles_v2::Inspect`] lets generic tools read
//!   ownership (collection `0`), the `kind` attribute and whether a passport can be transferred.
//!
//! Passports are minted by governance only, so their number grows only as governance decides;
//! the per-owner index exists so wallets and the client can list an account's passports.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use icn_primitives::passport::{
	PassportId, PassportInspect, PassportKind, PassportStaking, PassportUse,
};
use polkadot_sdk::{frame_support, frame_system, sp_runtime};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::passports";

/// The only collection id under which [`nonfungibles_v2::Inspect`] reports passports.
///
/// [`nonfungibles_v2::Inspect`]: frame_support::traits::tokens::nonfungibles_v2::Inspect
pub const PASSPORT_COLLECTION: u32 = 0;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::StaticLookup;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who may mint passports and set their metadata (root on ICN's chains).
		type MintOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Maximum length of a passport's metadata, in bytes.
		#[pallet::constant]
		type MaxMetadataLen: Get<u32>;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// A passport's metadata: opaque bytes (e.g. a JSON document or an IPFS CID), bounded.
	pub type MetadataOf<T> = BoundedVec<u8, <T as Config>::MaxMetadataLen>;

	/// A passport.
	#[derive(
		Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	)]
	#[scale_info(skip_type_params(MaxLen))]
	pub struct Passport<AccountId, MaxLen: Get<u32>> {
		/// The account that owns it.
		pub owner: AccountId,
		/// What it entitles the owner to stake for.
		pub kind: PassportKind,
		/// What it backs while staked; `None` while it is free.
		pub staked_for: Option<PassportUse>,
		/// Metadata set by `MintOrigin`.
		pub metadata: BoundedVec<u8, MaxLen>,
	}

	/// A passport as stored by this runtime.
	pub type PassportOf<T> =
		Passport<<T as frame_system::Config>::AccountId, <T as Config>::MaxMetadataLen>;

	/// Every passport that exists, by id. Revoked passports are removed.
	#[pallet::storage]
	pub type Passports<T: Config> = StorageMap<_, Twox64Concat, PassportId, PassportOf<T>>;

	/// The id the next minted passport gets.
	#[pallet::storage]
	pub type NextPassportId<T: Config> = StorageValue<_, PassportId, ValueQuery>;

	/// Index of passports by owner, so an account's passports can be listed without a scan.
	#[pallet::storage]
	pub type PassportsByOwner<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		PassportId,
		(),
		OptionQuery,
	>;

	/// Passports minted at genesis: `(owner, kind, metadata)`, in id order from 0.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		pub passports: alloc::vec::Vec<(T::AccountId, PassportKind, alloc::vec::Vec<u8>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		/// Runs once, when the chain spec is built: an invalid genesis must stop that build
		/// loudly, so the `expect`s here are deliberate (they never run in a block).
		fn build(&self) {
			for (owner, kind, metadata) in &self.passports {
				let metadata: MetadataOf<T> = metadata
					.clone()
					.try_into()
					.expect("genesis passport metadata must fit MaxMetadataLen");
				Pallet::<T>::do_mint(owner.clone(), *kind, metadata)
					.expect("genesis passports are fewer than u32::MAX");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A passport was minted.
		Minted { passport: PassportId, owner: T::AccountId, kind: PassportKind },
		/// A passport changed hands.
		Transferred { passport: PassportId, from: T::AccountId, to: T::AccountId },
		/// A passport's metadata was replaced.
		MetadataSet { passport: PassportId },
		/// A passport was staked to back a node or an oracle registration.
		Staked { passport: PassportId, owner: T::AccountId, usage: PassportUse },
		/// A passport was released and may be transferred again.
		Unstaked { passport: PassportId, owner: T::AccountId, usage: PassportUse },
		/// A passport was revoked (burned) as the last line of collateral.
		Revoked { passport: PassportId, owner: T::AccountId, was_staked_for: Option<PassportUse> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No passport has this id (never minted, or revoked).
		PassportNotFound,
		/// The signer does not own this passport.
		NotOwner,
		/// A staked passport cannot be transferred or staked again until it is released.
		PassportStaked,
		/// The passport is not staked for what the caller tried to release.
		NotStakedForThis,
		/// The passport's kind does not allow this use (an Oracle passport cannot back a node,
		/// and the reverse).
		WrongKind,
		/// The passport already belongs to the destination account.
		TransferToSelf,
		/// All passport ids are used up.
		IdsExhausted,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxMetadataLen::get() > 0, "MaxMetadataLen must allow some metadata");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Mints a passport of `kind` to `owner`, with `metadata`.
		///
		/// Origin: `MintOrigin`. Emits `Minted`. Errors: `IdsExhausted`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::mint(u32::try_from(metadata.len()).unwrap_or(u32::MAX)))]
		pub fn mint(
			origin: OriginFor<T>,
			owner: <T::Lookup as StaticLookup>::Source,
			kind: PassportKind,
			metadata: MetadataOf<T>,
		) -> DispatchResult {
			T::MintOrigin::ensure_origin(origin)?;
			let owner = T::Lookup::lookup(owner)?;
			Self::do_mint(owner, kind, metadata).map(|_| ())
		}

		/// Transfers an unstaked `passport` from the signer to `dest`.
		///
		/// Origin: signed, the passport's owner. Emits `Transferred`. Errors: `PassportNotFound`,
		/// `NotOwner`, `PassportStaked`, `TransferToSelf`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::transfer())]
		pub fn transfer(
			origin: OriginFor<T>,
			passport: PassportId,
			dest: <T::Lookup as StaticLookup>::Source,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let dest = T::Lookup::lookup(dest)?;
			let mut info = Passports::<T>::get(passport).ok_or(Error::<T>::PassportNotFound)?;
			ensure!(info.owner == who, Error::<T>::NotOwner);
			ensure!(info.staked_for.is_none(), Error::<T>::PassportStaked);
			ensure!(dest != who, Error::<T>::TransferToSelf);

			info.owner = dest.clone();
			Passports::<T>::insert(passport, info);
			PassportsByOwner::<T>::remove(&who, passport);
			PassportsByOwner::<T>::insert(&dest, passport, ());
			Self::deposit_event(Event::Transferred { passport, from: who, to: dest });
			Ok(())
		}

		/// Replaces the metadata of `passport`.
		///
		/// Origin: `MintOrigin`. Emits `MetadataSet`. Errors: `PassportNotFound`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_metadata(
			u32::try_from(metadata.len()).unwrap_or(u32::MAX),
		))]
		pub fn set_metadata(
			origin: OriginFor<T>,
			passport: PassportId,
			metadata: MetadataOf<T>,
		) -> DispatchResult {
			T::MintOrigin::ensure_origin(origin)?;
			Passports::<T>::try_mutate(passport, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::PassportNotFound)?;
				info.metadata = metadata;
				Ok(())
			})?;
			Self::deposit_event(Event::MetadataSet { passport });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Mints a passport; the id is the next free one.
		pub(crate) fn do_mint(
			owner: T::AccountId,
			kind: PassportKind,
			metadata: MetadataOf<T>,
		) -> Result<PassportId, DispatchError> {
			let passport = NextPassportId::<T>::get();
			let next = passport.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
			NextPassportId::<T>::put(next);
			Passports::<T>::insert(
				passport,
				Passport { owner: owner.clone(), kind, staked_for: None, metadata },
			);
			PassportsByOwner::<T>::insert(&owner, passport, ());
			Self::deposit_event(Event::Minted { passport, owner, kind });
			Ok(passport)
		}

		/// The passports `owner` holds, in id order.
		pub fn passports_of(owner: &T::AccountId) -> alloc::vec::Vec<PassportId> {
			let mut ids: alloc::vec::Vec<PassportId> =
				PassportsByOwner::<T>::iter_key_prefix(owner).collect();
			// Storage order follows the key hash, not the id.
			ids.sort_unstable();
			ids
		}

		/// SPEC §9 for passports: the owner index matches the passports; a staked passport backs
		/// exactly one thing of its kind, and no two passports back the same node; ids are below
		/// `NextPassportId`.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let next = NextPassportId::<T>::get();
			let mut nodes = alloc::collections::BTreeSet::new();
			let mut count: usize = 0;
			for (id, info) in Passports::<T>::iter() {
				count = count.saturating_add(1);
				ensure!(id < next, "a passport id is not below NextPassportId");
				ensure!(
					PassportsByOwner::<T>::contains_key(&info.owner, id),
					"a passport is missing from its owner's index"
				);
				if let Some(usage) = info.staked_for {
					ensure!(
						usage.required_kind() == info.kind,
						"a passport backs a use of the other kind"
					);
					if let PassportUse::HardwareNode(node) = usage {
						ensure!(nodes.insert(node), "two passports back the same node");
					}
				}
			}
			let indexed = PassportsByOwner::<T>::iter().count();
			ensure!(indexed == count, "the owner index lists passports that do not exist");
			Ok(())
		}
	}
}

impl<T: Config> PassportInspect<T::AccountId> for Pallet<T> {
	fn owner_of(passport: PassportId) -> Option<T::AccountId> {
		Passports::<T>::get(passport).map(|p| p.owner)
	}

	fn kind_of(passport: PassportId) -> Option<PassportKind> {
		Passports::<T>::get(passport).map(|p| p.kind)
	}

	fn use_of(passport: PassportId) -> Option<PassportUse> {
		Passports::<T>::get(passport).and_then(|p| p.staked_for)
	}
}

impl<T: Config> PassportStaking<T::AccountId> for Pallet<T> {
	fn stake(
		owner: &T::AccountId,
		passport: PassportId,
		usage: PassportUse,
	) -> sp_runtime::DispatchResult {
		Passports::<T>::try_mutate(passport, |info| -> sp_runtime::DispatchResult {
			let info = info.as_mut().ok_or(Error::<T>::PassportNotFound)?;
			frame_support::ensure!(&info.owner == owner, Error::<T>::NotOwner);
			frame_support::ensure!(info.kind == usage.required_kind(), Error::<T>::WrongKind);
			frame_support::ensure!(info.staked_for.is_none(), Error::<T>::PassportStaked);
			info.staked_for = Some(usage);
			Ok(())
		})?;
		Self::deposit_event(Event::Staked { passport, owner: owner.clone(), usage });
		Ok(())
	}

	fn unstake(passport: PassportId, usage: PassportUse) -> sp_runtime::DispatchResult {
		let owner = Passports::<T>::try_mutate(
			passport,
			|info| -> Result<T::AccountId, sp_runtime::DispatchError> {
				let info = info.as_mut().ok_or(Error::<T>::PassportNotFound)?;
				frame_support::ensure!(
					info.staked_for == Some(usage),
					Error::<T>::NotStakedForThis
				);
				info.staked_for = None;
				Ok(info.owner.clone())
			},
		)?;
		Self::deposit_event(Event::Unstaked { passport, owner, usage });
		Ok(())
	}

	fn revoke(passport: PassportId) -> sp_runtime::DispatchResult {
		let info = Passports::<T>::take(passport).ok_or(Error::<T>::PassportNotFound)?;
		PassportsByOwner::<T>::remove(&info.owner, passport);
		log::info!(target: LOG_TARGET, "passport {passport} revoked");
		Self::deposit_event(Event::Revoked {
			passport,
			owner: info.owner,
			was_staked_for: info.staked_for,
		});
		Ok(())
	}
}

impl<T: Config> frame_support::traits::tokens::nonfungibles_v2::Inspect<T::AccountId>
	for Pallet<T>
{
	type ItemId = PassportId;
	type CollectionId = u32;

	fn owner(collection: &u32, item: &PassportId) -> Option<T::AccountId> {
		(*collection == PASSPORT_COLLECTION).then(|| Self::owner_of(*item)).flatten()
	}

	/// Attributes: `kind` (the SCALE-encoded [`PassportKind`]) and `metadata`.
	fn attribute(collection: &u32, item: &PassportId, key: &[u8]) -> Option<alloc::vec::Vec<u8>> {
		use codec::Encode;
		if *collection != PASSPORT_COLLECTION {
			return None;
		}
		let info = Passports::<T>::get(item)?;
		match key {
			b"kind" => Some(info.kind.encode()),
			b"metadata" => Some(info.metadata.into_inner()),
			_ => None,
		}
	}

	/// A passport can be transferred while it exists and is not staked.
	fn can_transfer(collection: &u32, item: &PassportId) -> bool {
		*collection == PASSPORT_COLLECTION
			&& Passports::<T>::get(item).is_some_and(|p| p.staked_for.is_none())
	}
}
