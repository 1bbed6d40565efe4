//! # Cluster rewards pallet (SPEC §6, litepaper §3.10)
//!
//! Protocol emission from a reward pool account funded at genesis, following demand per cluster.
//!
//! * **Per era and per `(cluster, class)` group** ([`GroupParams`]): a *subsidy* paid as a
//!   **rate per proven unit**, `base_subsidy × max(0, 1 − units / subsidy_cap)` per unit, so the
//!   group's subsidy is `units × base_subsidy × max(0, 1 − units / subsidy_cap)` — it grows with
//!   the first units, peaks at `base_subsidy × subsidy_cap / 4` when the group is half full, and
//!   is zero from `subsidy_cap` on; per unit it only ever falls as capacity joins (idle capacity
//!   is not over-rewarded, litepaper §3.10). A rate rather than a lump sum (SPEC §6.1's choice)
//!   because a lump sum pays a lone 1 GiB node the whole group's subsidy: under a rate the group
//!   is paid `base_subsidy` per unit at most, and the first HP of a new cluster in proportion to
//!   what it proves — no first-comer's windfall.
//!   **Only proven units are subsidized** (issue 24's review): `units` is the era's average of
//!   Σ over `Active` nodes of the units their plots prove (`ChallengeTarget::proven`: a storage
//!   plot proves `plot bytes / (ProofCoverage × 1 GiB)` units, at most the node's capacity).
//!   Reliability does not change how much a group is paid, only who in it takes it: a node at
//!   reliability `r` cedes `1 − r` of its part to the group's more reliable nodes (it proves
//!   the capacity, it serves it less reliably). A rate pays every unit, so a unit nothing proves would be emission for
//!   `S` locked and no hardware: `Gpu` and `Cpu` capacity (availability proofs only) earns no
//!   subsidy until compute proofs exist, and storage leased out beyond what the plot covers (a
//!   plot need only cover free capacity, so a self-lease at a dust price would otherwise dodge
//!   it) earns none either — leased capacity is paid by its SP and by the usage reward.
//!   And a *usage reward* `min(usage_multiplier × fees, takes)` of the fees SPs paid in the group
//!   during the era: never more than the protocol's take of those fees (SPEC §4.10), so an SP
//!   that leases its own HP's node pays the take and earns back at most the take — leasing
//!   oneself never profits. The era's total over all groups is capped at `MaxEmissionPerEra`,
//!   every group scaled down pro-rata.
//! * **Shares**, time-weighted ([`accrual`], issue 24 item 6): the subsidy is shared by proven
//!   units × reliability × (1 + commitment_bonus), the usage reward by capacity × reliability ×
//!   (1 + commitment_bonus), each by **weight × blocks** in the era, so a node that becomes
//!   rewardable in an era's last block earns one block's share, and the subsidy's `units` is
//!   the era's average, not its last block's. Per-group accumulators keep the era transition
//!   O(groups), never O(nodes); a node's share is settled when its weight changes
//!   ([`RewardHooks::node_changed`], from the market and the SLA oracle) and paid by
//!   [`Pallet::claim_node_rewards`] into its HP's pool split (commission / self / delegators)
//!   through [`RewardCrediting`]. A `Faulty` or `Slashing` node weighs nothing, so it earns
//!   nothing for those blocks; what it earned before is *held* (SPEC §5.5): not claimable until
//!   it passes again and is `Active`, and forfeited to the pool if it retires first.
//! * **Oracles** share a separate per-era budget (`OracleBudgetPerEra`) by valid reports
//!   ([`RewardHooks::report_accepted`]), claimed with [`Pallet::claim_oracle_rewards`].
//!
//! Nothing leaves the pool until claimed; what an era allocates is recorded as emitted, and the
//! accumulator rounds down, so claimable + claimed never exceeds emitted (checked by `try_state`).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

pub mod accrual;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use icn_primitives::{
	collateral::{EraProvider, RewardCrediting},
	market::{NodeDirectory, NodeReliability, NodeStatus, RewardHooks},
	Balance, ClusterId, EraIndex, HardwareClass, NodeId,
};
use polkadot_sdk::{frame_support, frame_system, sp_runtime};

pub use accrual::{Closed, EraRate, Pot, Stake};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	},
};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding, FixedPointNumber, FixedU128, Perbill,
	Rounding,
};

/// Scale of the reward-per-weight accumulators: 10^12.
///
/// A node's weight is its capacity (or proven units) × reliability (Perbill parts, up to 10^9) ×
/// (1 + bonus), so a unit at full reliability weighs ≥ 10^9. One era's increment is `reward ×
/// SCALE × L / W` ([`accrual`]; `W` the era's weight-blocks, `L` its length): for a unit present
/// all era `W ≥ 10^9 × L`, so with the runtime's cap (10^23 base units) it is ≤ 10^26, leaving
/// the u128 accumulator room for ~10^12 eras; rounding leaves at most `W / (L × SCALE)` base
/// units per era and pot in the pool (10^-10 ICNT for 10^20 of weight). A group whose weights
/// are too small to take an era's reward without overflowing is not paid that era (see
/// [`Event::GroupNotRewarded`]): the reward stays in the pool and is not counted as emitted.
pub const ACCUMULATOR_SCALE: u128 = 1_000_000_000_000;

/// What the benchmarks need from the runtime: rewardable nodes, which this pallet reaches only
/// through a trait that cannot create them.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Creates an `Active` node number `index` of `capacity` in `cluster` (storage class) whose
	/// HP can be credited rewards; returns its id. The pallet is told through `node_changed`.
	fn active_node(index: u32, cluster: ClusterId, capacity: u64) -> NodeId;
	/// Moves the chain to the first block of the next era (without running hooks).
	fn next_era();
	/// Retires `node` (not faulty); the pallet is told through `node_changed`.
	fn retire(node: NodeId);
}

/// Reward parameters of one `(cluster, class)` group (SPEC §6.1).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupParameters {
	/// Subsidy per unit of rewardable capacity per era while the group is empty; the rate
	/// falls linearly to zero at `subsidy_cap`.
	pub base_subsidy: Balance,
	/// Capacity at which the subsidy reaches zero.
	pub subsidy_cap: u64,
	/// Usage reward per unit of SP fees.
	pub usage_multiplier: FixedU128,
}

/// A group's running state.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct GroupState {
	/// The era that `unit_time` and the pots' `era_time` count.
	pub era: EraIndex,
	/// Σ capacity of its rewardable nodes.
	pub capacity: u64,
	/// Σ proven units of its rewardable nodes: the capacity the subsidy pays for.
	pub units: u64,
	/// Σ units × blocks in the era: the subsidy is computed on their average over the era,
	/// `unit_time / era_length`.
	pub unit_time: u128,
	/// The subsidy's pot: shared by proven units × reliability × (1 + bonus).
	pub subsidy: Pot,
	/// The usage reward's pot: shared by capacity × reliability × (1 + bonus).
	pub usage: Pot,
	/// SP fees paid in the era in progress.
	pub fees: Balance,
	/// Of those, the protocol's take (SPEC §4.10): the era's usage reward is at most this.
	pub takes: Balance,
	/// What the last processed era gave it: subsidy and usage reward, after the cap.
	pub last_subsidy: Balance,
	/// See `last_subsidy`.
	pub last_usage: Balance,
}

impl GroupState {
	/// Starts era `era` if the state still counts an earlier one: nothing changed since, so every
	/// weight and unit counts all `length` blocks of it.
	pub fn roll(&mut self, era: EraIndex, length: u32) {
		if self.era < era {
			self.era = era;
			self.unit_time = u128::from(self.units).saturating_mul(u128::from(length));
			self.subsidy.start_era(length);
			self.usage.start_era(length);
		}
	}

	/// The era's average units: what the subsidy curve reads.
	pub fn average_units(&self, length: u32) -> u64 {
		u64::try_from(self.unit_time / u128::from(length.max(1))).unwrap_or(u64::MAX)
	}

	/// Units go from `old` to `new` with `left` blocks of the era to go.
	pub fn reweigh_units(&mut self, old: u64, new: u64, left: u32) {
		self.units = self.units.saturating_sub(old).saturating_add(new);
		self.unit_time = accrual::retime(self.unit_time, old.into(), new.into(), left);
	}
}

/// A node's reward share.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct NodeShare<AccountId> {
	/// The HP its rewards go to.
	pub hp: AccountId,
	/// Its group.
	pub cluster: ClusterId,
	/// See `cluster`.
	pub class: HardwareClass,
	/// The era its stakes were last brought up to date in (the [`EraRate`] it refers to).
	pub era: EraIndex,
	/// The capacity it adds to its group's (0 unless `Active`).
	pub capacity: u64,
	/// The proven units it adds to its group's (0 unless `Active`).
	pub units: u64,
	/// Its stake in the group's subsidy: proven units × reliability × (1 + bonus).
	pub subsidy: Stake,
	/// Its stake in the group's usage reward: capacity × reliability × (1 + bonus).
	pub usage: Stake,
	/// Rewards earned in closed eras and not yet claimed.
	pub pending: Balance,
	/// Whether the node was `Faulty` or `Slashing` when last brought up to date: its rewards are
	/// held.
	pub held: bool,
}

impl<AccountId> NodeShare<AccountId> {
	/// Whether it weighs nothing and has no block of its era left to be paid for.
	pub fn is_idle(&self) -> bool {
		self.subsidy.weight == 0
			&& self.usage.weight == 0
			&& self.subsidy.era_time == 0
			&& self.usage.era_time == 0
	}
}

/// What [`Pallet::node_weight`] finds a node weighs now.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NodeWeight<AccountId> {
	/// Its HP.
	pub hp: AccountId,
	/// Its group.
	pub cluster: ClusterId,
	/// See `cluster`.
	pub class: HardwareClass,
	/// Capacity it adds to the group (0 unless `Active`).
	pub capacity: u64,
	/// Proven units it adds to the group (0 unless `Active`).
	pub units: u64,
	/// Its subsidy weight.
	pub subsidy: u128,
	/// Its usage weight.
	pub usage: u128,
	/// Whether its rewards are held (`Faulty` or `Slashing`).
	pub held: bool,
}

/// One group's allocation of an era before the cap.
struct Allocation {
	key: (ClusterId, HardwareClass),
	state: GroupState,
	subsidy: Balance,
	usage: Balance,
}

/// What an era gave oracles: its budget, split by the outcomes reported in it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct OracleEra {
	/// The oracle budget of the era.
	pub budget: Balance,
	/// Outcomes reported by all oracles in the era (> 0).
	pub reports: u32,
}

/// An oracle's valid reports, counted per era.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct OracleTally {
	/// The era counted.
	pub era: EraIndex,
	/// Outcomes reported in that era.
	pub reports: u32,
	/// Rewards of earlier eras not yet claimed.
	pub pending: Balance,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version. 2: groups count the protocol's take ([`migrations::v2`]).
	/// 3: the subsidy is a rate per unit ([`migrations::v3`]). 4: shares are time-weighted and
	/// the subsidy pays proven units ([`migrations::v4`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(4);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native token.
		type Currency: Inspect<Self::AccountId, Balance = Balance> + Mutate<Self::AccountId>;
		/// The reward pool account, funded at genesis.
		type RewardPool: Get<Self::AccountId>;
		/// Where node rewards go: the HP's pool split (SPEC §3.4); also pays oracles.
		type Rewards: RewardCrediting<Self::AccountId>;
		/// The market's nodes.
		type Nodes: NodeDirectory<Self::AccountId>;
		/// Reliability scores (the SLA oracle).
		type Reliability: NodeReliability;
		/// The protocol clock.
		type Eras: EraProvider;
		/// Sets group parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Most `(cluster, class)` groups with parameters: bounds the era transition.
		#[pallet::constant]
		type MaxGroups: Get<u32>;
		/// Most emitted to nodes in one era, over all groups.
		#[pallet::constant]
		type MaxEmissionPerEra: Get<Balance>;
		/// Emitted to oracles per era, split by valid reports.
		#[pallet::constant]
		type OracleBudgetPerEra: Get<Balance>;
		/// Bonus of the longest commitment: a node committed `BonusHorizonEras` or more ahead
		/// weighs `1 + MaxCommitmentBonus`; shorter commitments get a linear share of it.
		#[pallet::constant]
		type MaxCommitmentBonus: Get<Perbill>;
		/// See `MaxCommitmentBonus`.
		#[pallet::constant]
		type BonusHorizonEras: Get<EraIndex>;
		/// Weights.
		type WeightInfo: WeightInfo;
		/// Creates what the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Parameters of each group with rewards.
	#[pallet::storage]
	pub type GroupParams<T: Config> =
		CountedStorageMap<_, Twox64Concat, (ClusterId, HardwareClass), GroupParameters>;

	/// Running state of each group.
	#[pallet::storage]
	pub type Groups<T: Config> =
		StorageMap<_, Twox64Concat, (ClusterId, HardwareClass), GroupState, ValueQuery>;

	/// Reward shares of nodes that have one.
	#[pallet::storage]
	pub type Shares<T: Config> = StorageMap<_, Twox64Concat, NodeId, NodeShare<T::AccountId>>;

	/// The nodes with a share, by HP: answers "what is pending for this account" without
	/// scanning every share.
	#[pallet::storage]
	pub type HpShares<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, NodeId, ()>;

	/// Per group, the eras that shares' stakes were last brought up to date in: how each closed
	/// (see [`accrual`]). An entry lives while a share refers to it (`refs > 0`), so there are at
	/// most as many as shares.
	#[pallet::storage]
	pub type EraRates<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(ClusterId, HardwareClass),
		Twox64Concat,
		EraIndex,
		EraRate,
	>;

	/// Held rewards of nodes that retired while `Faulty` or `Slashing`: they stayed in the pool.
	#[pallet::storage]
	pub type Forfeited<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// The last era processed.
	#[pallet::storage]
	pub type ProcessedEra<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

	/// Oracles' report counts and unclaimed rewards: one entry per oracle account with votes this
	/// era or rewards unclaimed (oracle accounts need a governance-minted passport); removed when
	/// it claims everything with no votes counted in the era in progress.
	#[pallet::storage]
	pub type OracleTallies<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, OracleTally>;

	/// Outcomes reported by all oracles in the era in progress.
	#[pallet::storage]
	pub type EraReports<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The oracle budget of recent eras and the outcomes reported in them: an oracle that
	/// reported `n` of an era's `reports` earns `⌊budget × n / reports⌋`, computed exactly (no
	/// per-outcome rate to round or overflow). Kept `ORACLE_HISTORY` eras for oracles that have
	/// not reported or claimed since.
	#[pallet::storage]
	pub type OracleEras<T: Config> = StorageMap<_, Twox64Concat, EraIndex, OracleEra>;

	/// Allocated to nodes and oracles since genesis.
	#[pallet::storage]
	pub type Emitted<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// Paid out by claims since genesis.
	#[pallet::storage]
	pub type Claimed<T: Config> = StorageValue<_, Balance, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Parameters of the groups that have rewards from genesis.
		pub groups: alloc::vec::Vec<((ClusterId, HardwareClass), GroupParameters)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		/// More groups than `MaxGroups` is a broken chain spec: building it fails.
		fn build(&self) {
			assert!(
				self.groups.len() <= T::MaxGroups::get() as usize,
				"more reward groups than MaxGroups"
			);
			for (group, params) in &self.groups {
				assert!(Pallet::<T>::check_params(params).is_ok(), "bad reward group parameters");
				GroupParams::<T>::insert(group, params);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance set the parameters of `(cluster, class)`.
		GroupParamsSet { cluster: ClusterId, class: HardwareClass, params: GroupParameters },
		/// Era `era` allocated `subsidy` and `usage` to `(cluster, class)` (after the cap).
		GroupRewarded {
			era: EraIndex,
			cluster: ClusterId,
			class: HardwareClass,
			subsidy: Balance,
			usage: Balance,
		},
		/// The rewardable weight of `(cluster, class)` is too small to split `amount` of era
		/// `era` among its nodes without overflowing the accumulator: the amount stays in the
		/// pool and is not emitted.
		GroupNotRewarded {
			era: EraIndex,
			cluster: ClusterId,
			class: HardwareClass,
			amount: Balance,
		},
		/// Era `era` allocated `nodes` to nodes (scaled by about `scale` to the cap) and `oracles`.
		EraRewarded { era: EraIndex, nodes: Balance, oracles: Balance, scale: Perbill },
		/// `node`'s rewards, `amount`, were credited to its HP `hp`'s pool.
		NodeRewardsClaimed { node: NodeId, hp: T::AccountId, amount: Balance },
		/// `oracle` was paid `amount`.
		OracleRewardsClaimed { oracle: T::AccountId, amount: Balance },
		/// `node` retired and its share, with nothing left to pay, was forgotten.
		NodeShareRemoved { node: NodeId },
		/// `node` retired while `Faulty` or `Slashing`: its held rewards, `amount`, stay in the
		/// pool (SPEC §5.5).
		RewardsForfeited { node: NodeId, hp: T::AccountId, amount: Balance },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The group limit is reached.
		TooManyGroups,
		/// The subsidy cap must be positive when there is a subsidy, and `base_subsidy ×
		/// subsidy_cap` must be a representable amount.
		BadParameters,
		/// The node has no rewards to claim.
		NothingToClaim,
		/// The node is unknown.
		UnknownNode,
		/// The node is `Faulty` or `Slashing`: its rewards are held until it passes again.
		RewardsHeld,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// At the first block of an era, allocates the era that ended: O(groups).
		fn on_initialize(_now: BlockNumberFor<T>) -> Weight {
			match Self::catch_up() {
				Some(groups) => T::WeightInfo::on_initialize_era(groups),
				None => T::WeightInfo::on_initialize_idle(),
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sets the reward parameters of `(cluster, class)` (SPEC §6.1). Effective from the next
		/// era transition.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_group_params())]
		pub fn set_group_params(
			origin: OriginFor<T>,
			cluster: ClusterId,
			class: HardwareClass,
			params: GroupParameters,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check_params(&params)?;
			let key = (cluster, class);
			ensure!(
				GroupParams::<T>::contains_key(key)
					|| GroupParams::<T>::count() < T::MaxGroups::get(),
				Error::<T>::TooManyGroups
			);
			GroupParams::<T>::insert(key, params);
			Self::deposit_event(Event::GroupParamsSet { cluster, class, params });
			Ok(())
		}

		/// Pays `node`'s rewards into its HP's pool (commission, bond and delegators, SPEC §3.4).
		/// Anyone may call it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim_node_rewards())]
		pub fn claim_node_rewards(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			ensure_signed(origin)?;
			ensure!(Shares::<T>::contains_key(node), Error::<T>::UnknownNode);
			Self::update_node(node);
			let Some(share) = Shares::<T>::get(node) else {
				// Retired, with nothing to pay after all (its last era paid it nothing): the
				// share is forgotten, so no one needs to call again.
				Self::deposit_event(Event::NodeShareRemoved { node });
				return Ok(());
			};
			ensure!(!share.held, Error::<T>::RewardsHeld);
			ensure!(share.pending > 0, Error::<T>::NothingToClaim);
			let amount = share.pending;
			T::Rewards::credit_reward(&T::RewardPool::get(), &share.hp, amount)?;
			let hp = share.hp.clone();
			if share.is_idle() && T::Nodes::target(node).is_none() {
				// Retired and paid out, no block of the era in progress served: nothing left to
				// track.
				Self::remove_share(node, &share);
			} else {
				Shares::<T>::insert(node, NodeShare { pending: 0, ..share });
			}
			Claimed::<T>::mutate(|c| *c = c.saturating_add(amount));
			Self::deposit_event(Event::NodeRewardsClaimed { node, hp, amount });
			Ok(())
		}

		/// Pays the caller's oracle rewards of past eras.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::claim_oracle_rewards())]
		pub fn claim_oracle_rewards(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut tally = OracleTallies::<T>::get(&who).ok_or(Error::<T>::NothingToClaim)?;
			Self::roll_oracle(&mut tally);
			ensure!(tally.pending > 0, Error::<T>::NothingToClaim);
			let amount = tally.pending;
			T::Currency::transfer(&T::RewardPool::get(), &who, amount, Preservation::Preserve)?;
			tally.pending = 0;
			// Paid out and nothing counted this era: nothing left to keep (SPEC §9). The
			// tally comes back with the oracle's next agreeing vote.
			if tally.reports == 0 {
				OracleTallies::<T>::remove(&who);
			} else {
				OracleTallies::<T>::insert(&who, tally);
			}
			Claimed::<T>::mutate(|c| *c = c.saturating_add(amount));
			Self::deposit_event(Event::OracleRewardsClaimed { oracle: who, amount });
			Ok(())
		}
	}
}

impl<T: Config> RewardHooks<T::AccountId> for Pallet<T> {
	fn node_changed(node: NodeId) {
		Self::update_node(node);
	}

	fn fees_paid(cluster: ClusterId, class: HardwareClass, amount: Balance, take: Balance) {
		Groups::<T>::mutate((cluster, class), |g| {
			g.fees = g.fees.saturating_add(amount);
			g.takes = g.takes.saturating_add(take);
		});
	}

	fn report_accepted(oracle: &T::AccountId, outcomes: u32) {
		let era = T::Eras::current_era();
		let mut tally =
			OracleTallies::<T>::get(oracle).unwrap_or(OracleTally { era, reports: 0, pending: 0 });
		Self::roll_oracle(&mut tally);
		tally.reports = tally.reports.saturating_add(outcomes);
		OracleTallies::<T>::insert(oracle, tally);
		EraReports::<T>::mutate(|r| *r = r.saturating_add(outcomes));
	}
}

/// Eras of oracle rates kept for oracles that have not reported since.
pub const ORACLE_HISTORY: EraIndex = 84;

impl<T: Config> Pallet<T> {
	/// What `params` gives a group with `capacity`, `fees` and the protocol's `takes` of them in
	/// one era, before the cap: the subsidy `capacity × base_subsidy × (1 − capacity /
	/// subsidy_cap)` (rounded down; a rate per unit, see the crate docs) and
	/// `min(usage_multiplier × fees, takes)`.
	pub fn group_reward(
		params: &GroupParameters,
		capacity: u64,
		fees: Balance,
		takes: Balance,
	) -> (Balance, Balance) {
		let subsidy = if params.subsidy_cap == 0 || capacity >= params.subsidy_cap {
			0
		} else {
			let left = params.subsidy_cap.saturating_sub(capacity);
			// Both factors are below 2^64, so their product fits in a u128.
			multiply_by_rational_with_rounding(
				params.base_subsidy,
				u128::from(capacity).saturating_mul(u128::from(left)),
				u128::from(params.subsidy_cap),
				Rounding::Down,
			)
			.unwrap_or(0)
		};
		(subsidy, params.usage_multiplier.saturating_mul_int(fees).min(takes))
	}

	/// Parameters are valid when a subsidy has a cap and `base_subsidy × subsidy_cap` (4× the
	/// peak) is a representable amount, so `group_reward` never overflows.
	pub fn check_params(params: &GroupParameters) -> DispatchResult {
		ensure!(params.base_subsidy == 0 || params.subsidy_cap > 0, Error::<T>::BadParameters);
		ensure!(
			params.base_subsidy.checked_mul(u128::from(params.subsidy_cap)).is_some(),
			Error::<T>::BadParameters
		);
		Ok(())
	}

	/// Processes the era that ended if this block is the first of a new one: O(groups). Returns
	/// the number of groups allocated, or `None` if there was nothing to do. `on_initialize`
	/// calls it, and so does every change of a share (so that no share is brought up to date
	/// against an era that ended but was not closed yet).
	fn catch_up() -> Option<u32> {
		let era = T::Eras::current_era();
		if era <= ProcessedEra::<T>::get() {
			return None;
		}
		ProcessedEra::<T>::put(era);
		Some(Self::process_era(era.saturating_sub(1)))
	}

	/// Closes `pot` for era `era` with `amount`: what it emitted and how it closed. An amount
	/// the pot cannot take without overflowing stays in the pool (`GroupNotRewarded`).
	fn close_pot(
		pot: &mut Pot,
		amount: Balance,
		length: u32,
		(era, cluster, class): (EraIndex, ClusterId, HardwareClass),
	) -> (Balance, Option<Closed>) {
		if amount == 0 {
			return (0, None);
		}
		match pot.close(amount, length) {
			Some(closed) => (amount, Some(closed)),
			None => {
				// Never silently: the reward stays in the pool, and the event says so.
				Self::deposit_event(Event::GroupNotRewarded { era, cluster, class, amount });
				(0, None)
			},
		}
	}

	/// Allocates era `era`: O(groups).
	fn process_era(era: EraIndex) -> u32 {
		let length = T::Eras::era_length();
		let mut allocations: alloc::vec::Vec<Allocation> = alloc::vec::Vec::new();
		let mut total: Balance = 0;
		for (key, params) in GroupParams::<T>::iter() {
			let mut state = Groups::<T>::get(key);
			state.roll(era, length);
			let (mut subsidy, mut usage) =
				Self::group_reward(&params, state.average_units(length), state.fees, state.takes);
			// Nobody to pay: nothing is emitted for that part.
			if state.subsidy.era_time == 0 {
				subsidy = 0;
			}
			if state.usage.era_time == 0 {
				usage = 0;
			}
			total = total.saturating_add(subsidy).saturating_add(usage);
			allocations.push(Allocation { key, state, subsidy, usage });
		}
		let cap = T::MaxEmissionPerEra::get();
		// Over the cap, every amount becomes ⌊amount × cap / total⌋: their sum stays ≤ cap.
		let scaled = |amount: Balance| {
			if total > cap {
				multiply_by_rational_with_rounding(amount, cap, total, Rounding::Down).unwrap_or(0)
			} else {
				amount
			}
		};
		let scale = if total > cap { Perbill::from_rational(cap, total) } else { Perbill::one() };
		let mut emitted: Balance = 0;
		let groups = allocations.len() as u32;
		for Allocation { key, mut state, subsidy, usage } in allocations {
			let (cluster, class) = key;
			let at = (era, cluster, class);
			let (subsidy, subsidy_closed) =
				Self::close_pot(&mut state.subsidy, scaled(subsidy), length, at);
			let (usage, usage_closed) =
				Self::close_pot(&mut state.usage, scaled(usage), length, at);
			emitted = emitted.saturating_add(subsidy).saturating_add(usage);
			// The shares last touched in the era learn how it closed (one entry per group).
			EraRates::<T>::mutate_exists(key, era, |entry| {
				if let Some(rate) = entry {
					rate.subsidy = subsidy_closed;
					rate.usage = usage_closed;
				}
			});
			state.fees = 0;
			state.takes = 0;
			state.last_subsidy = subsidy;
			state.last_usage = usage;
			state.roll(era.saturating_add(1), length);
			Groups::<T>::insert(key, state);
			Self::deposit_event(Event::GroupRewarded { era, cluster, class, subsidy, usage });
		}
		// Oracles: the era's budget over its reported outcomes.
		let reports = EraReports::<T>::take();
		let budget = if reports > 0 { T::OracleBudgetPerEra::get() } else { 0 };
		if reports > 0 {
			OracleEras::<T>::insert(era, OracleEra { budget, reports });
		}
		if let Some(old) = era.checked_sub(ORACLE_HISTORY) {
			OracleEras::<T>::remove(old);
		}
		Emitted::<T>::mutate(|e| *e = e.saturating_add(emitted).saturating_add(budget));
		Self::deposit_event(Event::EraRewarded { era, nodes: emitted, oracles: budget, scale });
		groups
	}

	/// What `node` weighs now (see [`NodeWeight`]): while `Active`, its subsidy weight is its
	/// proven units × reliability × (1 + bonus) and its usage weight its capacity × reliability ×
	/// (1 + bonus); otherwise nothing, and its rewards are held if it is `Faulty` or
	/// `Slashing`. `None` once it retired.
	pub fn node_weight(node: NodeId) -> Option<NodeWeight<T::AccountId>> {
		let target = T::Nodes::target(node)?;
		if target.status != NodeStatus::Active {
			let held = matches!(target.status, NodeStatus::Faulty | NodeStatus::Slashing);
			return Some(NodeWeight {
				hp: target.hp,
				cluster: target.cluster,
				class: target.class,
				capacity: 0,
				units: 0,
				subsidy: 0,
				usage: 0,
				held,
			});
		}
		let reliability = T::Reliability::reliability(node);
		let horizon = T::BonusHorizonEras::get().max(1);
		let ahead = target.commitment_end.saturating_sub(T::Eras::current_era()).min(horizon);
		let bonus = T::MaxCommitmentBonus::get() * Perbill::from_rational(ahead, horizon);
		let one = u128::from(Perbill::one().deconstruct());
		let factor = u128::from(reliability.deconstruct())
			.saturating_mul(one.saturating_add(u128::from(bonus.deconstruct())))
			/ one;
		let proven = target.proven.min(target.capacity);
		Some(NodeWeight {
			hp: target.hp,
			cluster: target.cluster,
			class: target.class,
			capacity: target.capacity,
			units: proven,
			subsidy: u128::from(proven).saturating_mul(factor),
			usage: u128::from(target.capacity).saturating_mul(factor),
			held: false,
		})
	}

	/// What `share` earned in closed eras since it was last brought up to date, against its
	/// group's state `group`: 0 while its era is still in progress.
	fn earned_in(share: &NodeShare<T::AccountId>, group: &GroupState) -> Balance {
		if share.era >= ProcessedEra::<T>::get() {
			return 0;
		}
		let rate = EraRates::<T>::get((share.cluster, share.class), share.era).unwrap_or_default();
		let length = T::Eras::era_length();
		share
			.subsidy
			.earned(rate.subsidy, length, group.subsidy.per_weight)
			.saturating_add(share.usage.earned(rate.usage, length, group.usage.per_weight))
	}

	/// What `share` earned since it was last brought up to date.
	fn earned(share: &NodeShare<T::AccountId>) -> Balance {
		Self::earned_in(share, &Groups::<T>::get((share.cluster, share.class)))
	}

	/// One more share refers to era `era` of group `key`.
	fn refer(key: (ClusterId, HardwareClass), era: EraIndex) {
		EraRates::<T>::mutate(key, era, |rate| {
			let rate = rate.get_or_insert_with(Default::default);
			rate.refs = rate.refs.saturating_add(1);
		});
	}

	/// One share less refers to era `era` of group `key`: the last one takes the entry away.
	fn release(key: (ClusterId, HardwareClass), era: EraIndex) {
		EraRates::<T>::mutate_exists(key, era, |entry| {
			if let Some(rate) = entry {
				rate.refs = rate.refs.saturating_sub(1);
				if rate.refs == 0 {
					*entry = None;
				}
			} else {
				frame_support::defensive!("a share refers to an era rate that is not kept");
			}
		});
	}

	/// Forgets `node`'s share.
	fn remove_share(node: NodeId, share: &NodeShare<T::AccountId>) {
		Shares::<T>::remove(node);
		HpShares::<T>::remove(&share.hp, node);
		Self::release((share.cluster, share.class), share.era);
	}

	/// Brings `node`'s pending rewards up to date and re-weighs it: O(1). A weight set now
	/// counts from this block to the era's end ([`accrual`]).
	fn update_node(node: NodeId) {
		Self::catch_up();
		let era = T::Eras::current_era();
		let length = T::Eras::era_length();
		let left = T::Eras::blocks_left_in_era();
		let now = Self::node_weight(node);
		let old = Shares::<T>::get(node);
		let (hp, key) = match (&old, &now) {
			(Some(share), _) => (share.hp.clone(), (share.cluster, share.class)),
			(None, Some(weight)) => (weight.hp.clone(), (weight.cluster, weight.class)),
			(None, None) => return,
		};
		let mut group = Groups::<T>::get(key);
		group.roll(era, length);
		let mut share = match old {
			Some(mut share) => {
				if share.era < era {
					// Its era closed: credit it, then its weights count the whole era in progress.
					share.pending = share.pending.saturating_add(Self::earned_in(&share, &group));
					share.subsidy.roll(group.subsidy.per_weight, length);
					share.usage.roll(group.usage.per_weight, length);
					Self::release(key, share.era);
					Self::refer(key, era);
					share.era = era;
				}
				share
			},
			None => {
				HpShares::<T>::insert(&hp, node, ());
				Self::refer(key, era);
				NodeShare {
					hp,
					cluster: key.0,
					class: key.1,
					era,
					capacity: 0,
					units: 0,
					subsidy: Stake { weight: 0, era_time: 0, paid: group.subsidy.per_weight },
					usage: Stake { weight: 0, era_time: 0, paid: group.usage.per_weight },
					pending: 0,
					held: false,
				}
			},
		};
		let (capacity, units, subsidy, usage) = now
			.as_ref()
			.map(|w| (w.capacity, w.units, w.subsidy, w.usage))
			.unwrap_or_default();
		group.subsidy.reweigh(share.subsidy.weight, subsidy, left);
		group.usage.reweigh(share.usage.weight, usage, left);
		group.reweigh_units(share.units, units, left);
		group.capacity = group.capacity.saturating_sub(share.capacity).saturating_add(capacity);
		share.subsidy.reweigh(subsidy, left);
		share.usage.reweigh(usage, left);
		share.units = units;
		share.capacity = capacity;
		if now.is_none() && share.held {
			// Retired held: forfeited (below), the blocks it served in the era in progress
			// included — they leave the era's weight-time, so the era pays the group's other
			// nodes for them.
			group.subsidy.era_time = group.subsidy.era_time.saturating_sub(share.subsidy.era_time);
			group.usage.era_time = group.usage.era_time.saturating_sub(share.usage.era_time);
			share.subsidy.era_time = 0;
			share.usage.era_time = 0;
		}
		Groups::<T>::insert(key, group);
		match now {
			Some(weight) => {
				share.held = weight.held;
				Shares::<T>::insert(node, share);
			},
			// Retired: it earns nothing more. What it earned stays claimable by its HP (and the
			// blocks it served in the era in progress are paid when the era closes), unless it
			// was held: a node that retires without passing again forfeits it to the pool (SPEC
			// §5.5).
			None if share.held => {
				Self::remove_share(node, &share);
				if share.pending > 0 {
					Forfeited::<T>::mutate(|f| *f = f.saturating_add(share.pending));
					Self::deposit_event(Event::RewardsForfeited {
						node,
						hp: share.hp,
						amount: share.pending,
					});
				}
			},
			None if share.pending > 0 || !share.is_idle() => Shares::<T>::insert(node, share),
			None => Self::remove_share(node, &share),
		}
	}

	/// The current rates of group `(cluster, class)` with `params`: O(1).
	pub fn group_rates(
		cluster: ClusterId,
		class: HardwareClass,
		params: &GroupParameters,
	) -> icn_primitives::rewards::GroupRates {
		let mut state = Groups::<T>::get((cluster, class));
		state.roll(T::Eras::current_era(), T::Eras::era_length());
		let free = T::Nodes::free_capacity(cluster, class).min(state.capacity);
		let leased = state.capacity.saturating_sub(free);
		let utilization = if state.capacity == 0 {
			Perbill::zero()
		} else {
			Perbill::from_rational(leased, state.capacity)
		};
		// The era so far and the current units until its end: what it pays if nothing changes.
		let units = state.average_units(T::Eras::era_length());
		let (subsidy, usage) = Self::group_reward(params, units, state.fees, state.takes);
		icn_primitives::rewards::GroupRates {
			cluster,
			class,
			capacity: state.capacity,
			proven: state.units,
			utilization,
			subsidy_per_era: subsidy,
			fees_this_era: state.fees,
			usage_this_era: usage,
			last_subsidy: state.last_subsidy,
			last_usage: state.last_usage,
		}
	}

	/// The rates of every group with parameters in `cluster` (all clusters if `None`):
	/// O(groups), for the runtime API.
	pub fn rates(
		cluster: Option<ClusterId>,
	) -> alloc::vec::Vec<icn_primitives::rewards::GroupRates> {
		GroupParams::<T>::iter()
			.filter(|((c, _), _)| cluster.is_none_or(|wanted| *c == wanted))
			.map(|((c, class), params)| Self::group_rates(c, class, &params))
			.collect()
	}

	/// `who`'s unclaimed rewards: per node it runs as HP, and as an oracle. O(its nodes), for the
	/// runtime API.
	pub fn pending_rewards(who: &T::AccountId) -> icn_primitives::rewards::PendingRewards {
		let mut nodes: alloc::vec::Vec<(NodeId, Balance)> = HpShares::<T>::iter_key_prefix(who)
			.map(|node| (node, Self::pending_node_rewards(node)))
			.collect();
		nodes.sort_unstable();
		icn_primitives::rewards::PendingRewards { nodes, oracle: Self::pending_oracle_rewards(who) }
	}

	/// `node`'s rewards earned in closed eras and not yet claimed.
	pub fn pending_node_rewards(node: NodeId) -> Balance {
		Shares::<T>::get(node)
			.map(|s| s.pending.saturating_add(Self::earned(&s)))
			.unwrap_or(0)
	}

	/// `oracle`'s rewards of finished eras not yet claimed.
	pub fn pending_oracle_rewards(oracle: &T::AccountId) -> Balance {
		OracleTallies::<T>::get(oracle)
			.map(|mut t| {
				Self::roll_oracle(&mut t);
				t.pending
			})
			.unwrap_or(0)
	}

	/// Invariants (SPEC §9), with `L` the era length and `cur` the era in progress:
	/// * per group, `Σ weights = pot.total` for each pot, `Σ units = units` and `Σ capacity =
	///   capacity` over its shares;
	/// * per group and pot, `era_time = Σ (share.era = cur ? stake.era_time : stake.weight × L)`;
	/// * every share is indexed by its HP and refers to a kept era rate, and each kept era rate
	///   has `refs` = the number of shares that refer to it (> 0);
	/// * held shares weigh nothing;
	/// * claimable + claimed + forfeited ≤ emitted (the difference is the accumulators' rounding
	///   dust, which stays in the pool).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		#[derive(Default)]
		struct Sums {
			subsidy: u128,
			usage: u128,
			subsidy_time: u128,
			usage_time: u128,
			units: u64,
			capacity: u64,
		}
		let era = T::Eras::current_era();
		let length = u128::from(T::Eras::era_length());
		let mut sums: BTreeMap<(ClusterId, HardwareClass), Sums> = BTreeMap::new();
		let mut refs: BTreeMap<((ClusterId, HardwareClass), EraIndex), u32> = BTreeMap::new();
		let mut claimable: Balance = 0;
		let mut shares = 0usize;
		for (node, share) in Shares::<T>::iter() {
			shares = shares.saturating_add(1);
			let key = (share.cluster, share.class);
			ensure!(HpShares::<T>::contains_key(&share.hp, node), "a share is not indexed by HP");
			ensure!(
				!share.held || (share.subsidy.weight == 0 && share.usage.weight == 0),
				"a held share has weight"
			);
			ensure!(share.era <= era, "a share counts an era to come");
			let entry = refs.entry((key, share.era)).or_default();
			*entry = entry.saturating_add(1);
			let sum = sums.entry(key).or_default();
			sum.subsidy = sum.subsidy.saturating_add(share.subsidy.weight);
			sum.usage = sum.usage.saturating_add(share.usage.weight);
			let (subsidy_time, usage_time) = if share.era == era {
				(share.subsidy.era_time, share.usage.era_time)
			} else {
				(
					share.subsidy.weight.saturating_mul(length),
					share.usage.weight.saturating_mul(length),
				)
			};
			sum.subsidy_time = sum.subsidy_time.saturating_add(subsidy_time);
			sum.usage_time = sum.usage_time.saturating_add(usage_time);
			sum.units = sum.units.saturating_add(share.units);
			sum.capacity = sum.capacity.saturating_add(share.capacity);
			claimable = claimable.saturating_add(Self::pending_node_rewards(node));
		}
		ensure!(
			HpShares::<T>::iter().count() == shares,
			"the HP index lists shares that do not exist"
		);
		for (key, mut group) in Groups::<T>::iter() {
			group.roll(era, T::Eras::era_length());
			let sum = sums.remove(&key).unwrap_or_default();
			ensure!(group.subsidy.total == sum.subsidy, "a group's subsidy weight is not its sum");
			ensure!(group.usage.total == sum.usage, "a group's usage weight is not its sum");
			ensure!(group.units == sum.units, "a group's units are not its nodes' sum");
			ensure!(group.capacity == sum.capacity, "a group's capacity is not its nodes' sum");
			ensure!(
				group.subsidy.era_time == sum.subsidy_time
					&& group.usage.era_time == sum.usage_time,
				"a group's era weight-time is not its shares' sum"
			);
		}
		ensure!(sums.is_empty(), "a share's group has no state");
		for (key, rate_era, rate) in EraRates::<T>::iter() {
			ensure!(
				refs.remove(&(key, rate_era)) == Some(rate.refs),
				"an era rate's count is not the shares that refer to it"
			);
		}
		ensure!(refs.is_empty(), "a share refers to an era rate that is not kept");
		for (oracle, _) in OracleTallies::<T>::iter() {
			claimable = claimable.saturating_add(Self::pending_oracle_rewards(&oracle));
		}
		ensure!(
			claimable
				.saturating_add(Claimed::<T>::get())
				.saturating_add(Forfeited::<T>::get())
				<= Emitted::<T>::get(),
			"more claimable, claimed and forfeited than emitted"
		);
		Ok(())
	}

	/// Moves an oracle's count of a finished era into its pending rewards.
	fn roll_oracle(tally: &mut OracleTally) {
		let era = T::Eras::current_era();
		if tally.era < era {
			// Nothing is stored for an era without reports, or one older than `ORACLE_HISTORY`.
			let earned = OracleEras::<T>::get(tally.era)
				.and_then(|e| {
					// `mine ≤ reports` keeps the result ≤ budget: it cannot overflow.
					let mine = tally.reports.min(e.reports);
					multiply_by_rational_with_rounding(
						e.budget,
						u128::from(mine),
						u128::from(e.reports),
						Rounding::Down,
					)
				})
				.unwrap_or(0);
			tally.pending = tally.pending.saturating_add(earned);
			tally.era = era;
			tally.reports = 0;
		}
	}
}
