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
			super::v4::Groups::<T>::translate::<GroupStateV1, _>(|_, old| {
				count = count.saturating_add(1);
				Some(super::v4::GroupStateV3 {
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
			crate::GroupParams::<T>::translate::<GroupParameters, _>(|(cluster, class), old| {
				count = count.saturating_add(1);
				let new = GroupParameters {
					base_subsidy: rate_for_lump_sum(old.base_subsidy, old.subsidy_cap),
					..old
				};
				if old.base_subsidy > 0 && new.base_subsidy == 0 {
					log::warn!(
						target: "runtime::cluster-rewards",
						"group ({cluster}, {class:?}): lump sum {} rounds to a zero rate",
						old.base_subsidy,
					);
				}
				// `rate ≤ 4L / cap`, so `rate × cap ≤ 4L`: valid unless `4L` overflows, when
				// the group keeps no subsidy rather than parameters `set_group_params` refuses.
				Some(if Pallet::<T>::check_params(&new).is_ok() {
					new
				} else {
					log::warn!(
						target: "runtime::cluster-rewards",
						"group ({cluster}, {class:?}): rate out of range, subsidy set to 0",
					);
					GroupParameters { base_subsidy: 0, ..new }
				})
			});
			T::DbWeight::get().reads_writes(count, count)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			for (_, params) in crate::GroupParams::<T>::iter() {
				Pallet::<T>::check_params(&params)?;
			}
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

/// Version 4 (SPEC §6.1–§6.2, issue 24 item 6 and its review): shares are time-weighted (weight
/// × blocks, [`crate::accrual`]) and split into a subsidy stake on proven units and a usage
/// stake on capacity. Each share is first credited what it earned under the old accumulator;
/// then every share and group starts the era the pallet has in progress (`ProcessedEra`) with
/// its old weight in both pots — so an era not yet allocated at the upgrade is paid as before —
/// and each node is re-weighed from the market ([`Pallet::update_node`]: proven units from its
/// plot, the blocks before the upgrade at the old weight). O(shares + groups): a one-block
/// migration for the networks that exist today (tens of nodes); a network of many thousands of
/// nodes needs it as a multi-block migration.
pub mod v4 {
	use super::*;
	use frame_support::storage_alias;

	/// A group's state as storage versions 2 and 3 kept it.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default)]
	pub struct GroupStateV3 {
		pub total_weight: u128,
		pub capacity: u64,
		pub reward_per_weight: u128,
		pub fees: Balance,
		pub takes: Balance,
		pub last_subsidy: Balance,
		pub last_usage: Balance,
	}

	/// A node's share as storage version 3 kept it.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct NodeShareV3<AccountId> {
		pub hp: AccountId,
		pub cluster: ClusterId,
		pub class: HardwareClass,
		pub weight: u128,
		pub capacity: u64,
		pub paid_per_weight: u128,
		pub pending: Balance,
		pub held: bool,
	}

	impl<AccountId> NodeShareV3<AccountId> {
		/// What the share was owed under version 3: its pending rewards and what its weight
		/// earned since it was last paid, at its group's accumulator (its own if the group is
		/// gone). The migration keeps exactly this as the new share's `pending`.
		pub fn owed(
			&self,
			groups: &alloc::collections::btree_map::BTreeMap<
				(ClusterId, HardwareClass),
				GroupStateV3,
			>,
		) -> Balance {
			let per_weight = groups
				.get(&(self.cluster, self.class))
				.map(|g| g.reward_per_weight)
				.unwrap_or(self.paid_per_weight);
			let earned = multiply_by_rational_with_rounding(
				self.weight,
				per_weight.saturating_sub(self.paid_per_weight),
				ACCUMULATOR_SCALE,
				Rounding::Down,
			)
			.unwrap_or(0);
			self.pending.saturating_add(earned)
		}
	}

	/// Storage versions 2 and 3's group states.
	#[storage_alias]
	pub type Groups<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, (ClusterId, HardwareClass), GroupStateV3>;

	/// Storage version 3's shares.
	#[storage_alias]
	pub type Shares<T: Config> = StorageMap<
		Pallet<T>,
		Twox64Concat,
		NodeId,
		NodeShareV3<<T as frame_system::Config>::AccountId>,
	>;

	/// Rewrites every group and share; not version-checked (use [`MigrateV3ToV4`]).
	pub struct UncheckedMigrateV3ToV4<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV3ToV4<T> {
		fn on_runtime_upgrade() -> Weight {
			let era = crate::ProcessedEra::<T>::get();
			let length = T::Eras::era_length();
			let span = u128::from(length);
			let old_groups: alloc::collections::btree_map::BTreeMap<_, _> =
				Groups::<T>::iter().collect();
			let mut shares = 0u64;
			crate::Shares::<T>::translate::<NodeShareV3<T::AccountId>, _>(|_, old| {
				shares = shares.saturating_add(1);
				let owed = old.owed(&old_groups);
				let stake = Stake {
					weight: old.weight,
					era_time: old.weight.saturating_mul(span),
					paid: 0,
				};
				Some(NodeShare {
					hp: old.hp,
					cluster: old.cluster,
					class: old.class,
					era,
					capacity: old.capacity,
					units: old.capacity,
					subsidy: stake,
					usage: stake,
					pending: owed,
					held: old.held,
				})
			});
			let groups = old_groups.len() as u64;
			for (key, old) in old_groups {
				let pot = Pot {
					total: old.total_weight,
					era_time: old.total_weight.saturating_mul(span),
					per_weight: 0,
				};
				crate::Groups::<T>::insert(
					key,
					GroupState {
						era,
						capacity: old.capacity,
						units: old.capacity,
						unit_time: u128::from(old.capacity).saturating_mul(span),
						subsidy: pot,
						usage: pot,
						fees: old.fees,
						takes: old.takes,
						last_subsidy: old.last_subsidy,
						last_usage: old.last_usage,
					},
				);
			}
			let nodes: alloc::vec::Vec<(NodeId, (ClusterId, HardwareClass))> =
				crate::Shares::<T>::iter()
					.map(|(node, share)| (node, (share.cluster, share.class)))
					.collect();
			for (_, key) in &nodes {
				Pallet::<T>::refer(*key, era);
			}
			for (node, _) in &nodes {
				Pallet::<T>::update_node(*node);
			}
			// Per share: the translation, its era rate, and a re-weighing (its share, group,
			// era rates and the market's node, plot and reliability).
			T::DbWeight::get().reads_writes(
				shares.saturating_mul(10).saturating_add(groups).saturating_add(2),
				shares.saturating_mul(6).saturating_add(groups),
			)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let groups: alloc::collections::btree_map::BTreeMap<_, _> =
				Groups::<T>::iter().collect();
			let owed: Balance = Shares::<T>::iter().map(|(_, s)| s.owed(&groups)).sum();
			Ok((owed, Forfeited::<T>::get()).encode())
		}

		/// Nothing owed before is lost, and every invariant holds.
		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (before, forfeited) = <(Balance, Balance)>::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("bad pre-upgrade state"))?;
			let owed: Balance = crate::Shares::<T>::iter()
				.map(|(node, _)| Pallet::<T>::pending_node_rewards(node))
				.sum();
			// What the migration forfeited (held rewards of shares whose node retired) counts.
			let newly_forfeited = Forfeited::<T>::get().saturating_sub(forfeited);
			ensure!(owed.saturating_add(newly_forfeited) >= before, "rewards owed were lost");
			Pallet::<T>::do_try_state()
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
