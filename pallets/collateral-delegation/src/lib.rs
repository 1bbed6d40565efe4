//! # Collateral and delegation pallet (SPEC §3)
//!
//! Every hardware node an HP commits needs collateral `C = S + N` (SPEC §3.1): the node component
//! `S = capacity × self_per_unit[class]`, which the HP must bond itself, and the network component
//! `N = capacity / network_capacity[class] × circulating × network_ratio × class_share[class]`,
//! which the HP's excess bond and its *delegation pool* cover together. Both are computed when needed from the committed
//! capacity kept here; nothing is stored per node.
//!
//! ## Accounts and holds
//!
//! Nothing is ever transferred to a pallet account: an HP's bond is held on its own account under
//! [`HoldReason::SelfCollateral`], a delegator's stake on the delegator's account under
//! [`HoldReason::Delegation`] (both visible in polkadot.js as holds). Rewards, which are paid in
//! ICNT from the reward pool, wait in the pallet's rewards pot until claimed.
//!
//! ## Pools, shares and lazy slashes
//!
//! Each HP has one pool. Delegating `a` mints `a × shares / value` shares (1:1 in an empty pool).
//! Slashing the pool lowers its value only, in O(1); a delegator's hold then exceeds what its
//! shares are worth, and the difference (a *pending slash*) is taken from the hold at the
//! delegator's next action, or by anyone through [`Pallet::apply_pending_slash`]. The books
//! `Σ delegators' held = pool value + unbonding value + unrealized slash` hold exactly at all
//! times (checked by `try_state`). Undelegated stake moves to the pool's unbonding sub-pool, which
//! has its own share price, so slashing unbonding stake is O(1) too.
//!
//! ## Rewards
//!
//! [`RewardCrediting::credit_reward`] moves ICNT from the reward pool into the pot and splits it:
//! the HP's commission, then the rest by stake between the HP's bond and the pool's value. The
//! pool's part raises a reward-per-share accumulator (a `FixedU128`); a delegator's claim is
//! `shares × (accumulator − accumulator at its last update)`, O(1). Everything rounds down for the
//! claimant; the per-credit remainder is carried to the next credit so no ICNT is stranded.
//!
//! ## Calls
//!
//! HP: [`bond`](Pallet::bond), [`unbond`](Pallet::unbond),
//! [`withdraw_unbonded`](Pallet::withdraw_unbonded), [`set_commission`](Pallet::set_commission).
//! Delegator: [`delegate`](Pallet::delegate), [`undelegate`](Pallet::undelegate),
//! [`withdraw_delegation`](Pallet::withdraw_delegation). Both:
//! [`claim_rewards`](Pallet::claim_rewards). Anyone:
//! [`apply_pending_slash`](Pallet::apply_pending_slash). Governance:
//! [`set_self_per_unit`](Pallet::set_self_per_unit),
//! [`set_network_ratio`](Pallet::set_network_ratio),
//! [`set_class_shares`](Pallet::set_class_shares).
//!
//! The capacity market uses the pallet through [`NodeCollateral`] (commit/release capacity,
//! coverage and the top-up window of SPEC §3.8, slashing, the early-exit penalty of SPEC §3.7);
//! the rewards pallet through [`RewardCrediting`].
//!
//! ## Choices where the SPEC is silent
//!
//! * An HP cannot unbond below what its committed capacity requires (SPEC §3.6): the whole
//!   requirement `S + N`, not only `S`, must stay covered after an unbond.
//! * All unbonding stake is slashable until withdrawn, whatever era it unlocks in.
//! * Slashed funds of a delegator reach `OnSlash` when the pending slash is realized, not at the
//!   moment the pool is slashed (that is what makes the slash O(1)).
//! * A delegation's storage is paid for by its stake: at least `MinDelegation` is held.
//! * `class_share` (SPEC §3.1) is one value per class, set together and always summing to exactly
//!   100% ([`ClassShares`]): then all classes together ask for `network_ratio` of the circulating
//!   supply. The first node of a class still carries its class's whole part
//!   (`network_ratio × class_share × circulating`), since it is all of the class's capacity.

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

use icn_primitives::{
	collateral::{
		ClassShares, CollateralInfo, CoverageStatus, EraProvider, NodeCollateral, Requirement,
		RewardCrediting,
	},
	Balance, EraIndex, HardwareClass,
};
use polkadot_sdk::{frame_support, frame_system, sp_runtime};

use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{self, BalancedHold, Inspect, Mutate, MutateHold},
		tokens::{Precision, Preservation},
		OnUnbalanced,
	},
	PalletId,
};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AccountIdConversion, Saturating, Zero},
	ArithmeticError, FixedPointNumber, FixedU128, Perbill, Rounding,
};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::collateral";

/// `a × b / c` with the given rounding, or `None` on overflow or `c == 0`.
fn mul_div(a: Balance, b: Balance, c: Balance, rounding: Rounding) -> Option<Balance> {
	if c == 0 {
		return None;
	}
	multiply_by_rational_with_rounding(a, b, c, rounding)
}

/// A chunk of stake on its way out, withdrawable from `unlock_era` on.
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
pub struct UnbondChunk {
	/// The first era in which the chunk can be withdrawn.
	pub unlock_era: EraIndex,
	/// For an HP: ICNT. For a delegator: shares of its HP's unbonding sub-pool.
	pub amount: Balance,
}

/// An HP's delegation pool (SPEC §3.3).
#[derive(
	Clone,
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
pub struct Pool {
	/// Shares of active delegations.
	pub shares: Balance,
	/// ICNT backing the active shares.
	pub value: Balance,
	/// Shares of the unbonding sub-pool.
	pub unbonding_shares: Balance,
	/// ICNT backing the unbonding shares (still held and slashable).
	pub unbonding_value: Balance,
	/// Slashed from the pool but not yet taken from delegators' holds.
	pub unrealized_slash: Balance,
	/// Reward per active share, accumulated since the pool began.
	pub reward_per_share: FixedU128,
	/// Reward credited to the pool that the accumulator could not yet represent (rounding).
	pub reward_carry: Balance,
	/// Number of delegation entries.
	pub delegators: u32,
}

/// An HP's collateral. The default is a new HP's: nothing bonded, commission zero, empty pool.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	frame_support::DefaultNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct HpLedger<MaxChunks: Get<u32>> {
	/// Active self collateral (held under [`HoldReason::SelfCollateral`]).
	pub bond: Balance,
	/// Self collateral unbonding (still held and slashable), oldest first.
	pub unbonding: BoundedVec<UnbondChunk, MaxChunks>,
	/// Commission on rewards, at most `MaxCommission`.
	pub commission: Perbill,
	/// Rewards the HP can claim (commission and its bond's share).
	pub rewards: Balance,
	/// The HP's delegation pool.
	pub pool: Pool,
}

/// One account's delegation to one HP.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct Delegation<MaxChunks: Get<u32>> {
	/// Active pool shares.
	pub shares: Balance,
	/// ICNT held on the delegator's account for this delegation (active, unbonding and any
	/// pending slash).
	pub held: Balance,
	/// The pool's reward-per-share when this delegation's rewards were last settled.
	pub reward_per_share_paid: FixedU128,
	/// Settled rewards not yet claimed.
	pub rewards: Balance,
	/// Unbonding chunks, in unbonding sub-pool shares, oldest first.
	pub unbonding: BoundedVec<UnbondChunk, MaxChunks>,
}

impl<M: Get<u32>> Delegation<M> {
	fn is_empty(&self) -> bool {
		self.shares.is_zero() && self.unbonding.is_empty() && self.held.is_zero()
	}
}

/// A pool's shares delegated in one era, not earning yet (SPEC §3.9), and the delegations they
/// belong to.
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
pub struct WarmingShares {
	/// How many.
	pub shares: Balance,
	/// The delegations they belong to.
	pub delegations: u32,
}

/// A delegation's shares not earning yet, by the era they were delegated in, oldest first: at
/// most two eras (the one before and the one in progress), since settling merges older ones.
pub type WarmingEntries = BoundedVec<(EraIndex, Balance), ConstU32<2>>;

/// What settling a delegation did to the warm-up's bookkeeping (SPEC §3.9), for refunds.
///
/// The worst case, which the benchmarks of `delegate`, `undelegate` and `claim_rewards` build
/// (`warm_up_at_its_worst`): two of the pool's buckets due at once (at most two can be: a bucket
/// is made only by a delegation, right after a settlement activated every older one, so the
/// buckets left are of that era and the one before) whose activations are written, while the
/// delegation's two warming entries (at most two, [`WarmingEntries`]) mature in two other eras
/// whose activations are updated: 2 bucket removals and 4 distinct activation keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Settled {
	/// Due buckets removed from [`Warming`] (at most [`Settled::MAX_REMOVED`]).
	pub removed: u8,
	/// Distinct [`Activations`] keys written: those of the due buckets and those of the
	/// delegation's entries that matured (at most [`Settled::MAX_ACTIVATIONS`]).
	pub activations: u8,
}

impl Settled {
	/// Buckets due at once, at most.
	pub const MAX_REMOVED: u8 = 2;
	/// Activation keys one settlement writes, at most: two due buckets, two matured entries.
	pub const MAX_ACTIVATIONS: u8 = 4;

	/// Writes of the benchmarked worst case this settlement did not make.
	pub fn unwritten(self) -> u64 {
		u64::from(Self::MAX_REMOVED.saturating_sub(self.removed))
			.saturating_add(u64::from(Self::MAX_ACTIVATIONS.saturating_sub(self.activations)))
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The fungible credit slashes produce.
	pub type CreditOf<T> =
		fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native token, with holds.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Where slashed funds go (the treasury account in ICN's runtime).
		type OnSlash: OnUnbalanced<CreditOf<Self>>;
		/// The protocol's era.
		type Eras: EraProvider;
		/// Who sets the collateral parameters (root on ICN's chains).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Id of the rewards pot account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Smallest active bond an HP may have (other than zero).
		#[pallet::constant]
		type MinSelfBond: Get<Balance>;
		/// Smallest active delegation (other than zero).
		#[pallet::constant]
		type MinDelegation: Get<Balance>;
		/// Highest commission an HP may set (SPEC §3.3).
		#[pallet::constant]
		type MaxCommission: Get<Perbill>;
		/// Eras between an HP raising its commission and the raise applying (SPEC §3.9): rewards
		/// earned before are credited at the old rate if claimed within the notice.
		#[pallet::constant]
		type CommissionChangeDelay: Get<EraIndex>;
		/// Eras between unbonding and withdrawing (SPEC §3.6, 28 in production).
		#[pallet::constant]
		type UnbondingEras: Get<EraIndex>;
		/// Most unbonding chunks an HP or a delegation may have at once.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;
		/// Penalty for leaving before a node's commitment ends, as a share of `S(node)` (§3.7).
		#[pallet::constant]
		type EarlyExitPenalty: Get<Perbill>;
		/// Eras an uncovered HP has to top up before its nodes stop taking new leases (§3.8).
		#[pallet::constant]
		type CollateralTopUpEras: Get<EraIndex>;
		/// Network ratio before governance sets one (SPEC §3.1: 50%).
		#[pallet::constant]
		type DefaultNetworkRatio: Get<Perbill>;
		/// `class_share` per class before governance sets them (SPEC §3.1); must sum to 100%
		/// (checked by `integrity_test`).
		#[pallet::constant]
		type DefaultClassShares: Get<ClassShares>;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An HP's own collateral (SPEC §3.1, node component and excess).
		#[codec(index = 0)]
		SelfCollateral,
		/// Stake delegated to an HP's pool (SPEC §3.3).
		#[codec(index = 1)]
		Delegation,
	}

	/// A ledger as stored by this runtime.
	pub type HpLedgerOf<T> = HpLedger<<T as Config>::MaxUnbondingChunks>;
	/// A delegation as stored by this runtime.
	pub type DelegationOf<T> = Delegation<<T as Config>::MaxUnbondingChunks>;

	/// Every HP that has bonded, by account.
	#[pallet::storage]
	pub type Hps<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, HpLedgerOf<T>>;

	/// A commission raise not yet applying: the new commission and the era it applies from
	/// (SPEC §3.9). At most one per HP.
	#[pallet::storage]
	pub type CommissionChanges<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (Perbill, EraIndex)>;

	/// Shares of each HP's pool by the era they were delegated in, which earn nothing yet (SPEC
	/// §3.9: a delegation earns only from the era after it was made — from the credits of that
	/// era's rewards, which the rewards pallet allocates when it ends, so from the second era
	/// after its own). A bucket whose shares earn now is turned into an [`Activations`] entry at
	/// the pool's next touch: at most three buckets per HP (the era in progress, the one before,
	/// and one not yet activated).
	#[pallet::storage]
	pub type Warming<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, EraIndex, WarmingShares>;

	/// Per delegation, its shares not earning yet, by era ([`WarmingEntries`]).
	#[pallet::storage]
	pub type DelegationWarming<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		WarmingEntries,
	>;

	/// The pool's reward per share when the shares delegated in an era began to earn, and how
	/// many delegations still have shares of that era to settle: removed when none has. So at
	/// most one entry per delegation.
	#[pallet::storage]
	pub type Activations<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		EraIndex,
		(FixedU128, u32),
	>;

	/// Delegations, by HP then delegator.
	#[pallet::storage]
	pub type Delegations<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		DelegationOf<T>,
	>;

	/// Capacity each HP has committed, per class (reported by the market through
	/// [`NodeCollateral`]).
	#[pallet::storage]
	pub type Committed<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		HardwareClass,
		u64,
		ValueQuery,
	>;

	/// The network's committed capacity per class (`network_capacity[class]` of SPEC §3.1).
	#[pallet::storage]
	pub type NetworkCapacity<T: Config> =
		StorageMap<_, Twox64Concat, HardwareClass, u64, ValueQuery>;

	/// `self_per_unit[class]`: the HP's own collateral required per unit of capacity.
	#[pallet::storage]
	pub type SelfPerUnit<T: Config> =
		StorageMap<_, Twox64Concat, HardwareClass, Balance, ValueQuery>;

	#[pallet::type_value]
	pub fn DefaultNetworkRatioValue<T: Config>() -> Perbill {
		T::DefaultNetworkRatio::get()
	}

	/// `network_ratio` of SPEC §3.1.
	#[pallet::storage]
	pub type NetworkRatio<T: Config> =
		StorageValue<_, Perbill, ValueQuery, DefaultNetworkRatioValue<T>>;

	#[pallet::type_value]
	pub fn DefaultClassSharesValue<T: Config>() -> ClassShares {
		T::DefaultClassShares::get()
	}

	/// `class_share[class]` of SPEC §3.1, always summing to 100%.
	#[pallet::storage]
	pub type ClassShareOf<T: Config> =
		StorageValue<_, ClassShares, ValueQuery, DefaultClassSharesValue<T>>;

	/// The era in which an HP was first seen uncovered; its top-up window runs from there.
	#[pallet::storage]
	pub type UncoveredSince<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, EraIndex>;

	/// Collateral parameters at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `self_per_unit` for each class listed.
		pub self_per_unit: alloc::vec::Vec<(HardwareClass, Balance)>,
		/// `network_ratio`, or `DefaultNetworkRatio` when `None`.
		pub network_ratio: Option<Perbill>,
		/// `class_share` per class, or `DefaultClassShares` when `None`; must sum to 100%.
		pub class_shares: Option<ClassShares>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		/// Runs once, when the chain spec is built: the rewards pot is created with the
		/// existential deposit so that rewards of any size can be credited and claimed.
		fn build(&self) {
			for (class, amount) in &self.self_per_unit {
				SelfPerUnit::<T>::insert(class, amount);
			}
			if let Some(ratio) = self.network_ratio {
				NetworkRatio::<T>::put(ratio);
			}
			if let Some(shares) = self.class_shares {
				assert!(shares.is_complete(), "genesis class shares must sum to 100%");
				ClassShareOf::<T>::put(shares);
			}
			let pot = Pallet::<T>::pot();
			if T::Currency::balance(&pot).is_zero() {
				let ed = T::Currency::minimum_balance();
				let _ = T::Currency::mint_into(&pot, ed);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `hp` bonded `amount` more of its own collateral.
		Bonded { hp: T::AccountId, amount: Balance },
		/// `hp` started unbonding `amount`, withdrawable from `unlock_era`.
		Unbonding { hp: T::AccountId, amount: Balance, unlock_era: EraIndex },
		/// `hp` withdrew `amount` of unbonded collateral (released from hold).
		Withdrawn { hp: T::AccountId, amount: Balance },
		/// `hp` set its commission, applying from era `from_era` (a raise after
		/// `CommissionChangeDelay`, a cut at once).
		CommissionSet { hp: T::AccountId, commission: Perbill, from_era: EraIndex },
		/// `delegator` delegated `amount` to `hp`'s pool and got `shares`.
		Delegated { hp: T::AccountId, delegator: T::AccountId, amount: Balance, shares: Balance },
		/// `delegator` started undelegating `amount` from `hp`, withdrawable from `unlock_era`.
		Undelegating {
			hp: T::AccountId,
			delegator: T::AccountId,
			amount: Balance,
			unlock_era: EraIndex,
		},
		/// `delegator` withdrew `amount` of its unbonded delegation to `hp`.
		DelegationWithdrawn { hp: T::AccountId, delegator: T::AccountId, amount: Balance },
		/// `who` claimed `amount` of rewards from `hp` (its own when `who == hp`).
		RewardsClaimed { who: T::AccountId, hp: T::AccountId, amount: Balance },
		/// `amount` of reward was credited to `hp`: `commission` and `to_self` to the HP,
		/// `to_pool` to its delegators.
		RewardCredited {
			hp: T::AccountId,
			amount: Balance,
			commission: Balance,
			to_self: Balance,
			to_pool: Balance,
		},
		/// `hp` was slashed: `from_self` of its own collateral, `from_pool` of its pool.
		Slashed { hp: T::AccountId, from_self: Balance, from_pool: Balance },
		/// A pool slash of `amount` was taken from `delegator`'s hold.
		PendingSlashApplied { hp: T::AccountId, delegator: T::AccountId, amount: Balance },
		/// The early-exit penalty was slashed from `hp`.
		EarlyExitCharged { hp: T::AccountId, class: HardwareClass, penalty: Balance },
		/// `hp` committed `capacity` units of `class`.
		CapacityCommitted { hp: T::AccountId, class: HardwareClass, capacity: u64 },
		/// `hp` released `capacity` units of `class`.
		CapacityReleased { hp: T::AccountId, class: HardwareClass, capacity: u64 },
		/// `hp` is no longer covered; its nodes take new leases until `until` (SPEC §3.8).
		CoverageLost { hp: T::AccountId, until: EraIndex },
		/// `hp` is covered again.
		CoverageRestored { hp: T::AccountId },
		/// Governance set `self_per_unit` of `class`.
		SelfPerUnitSet { class: HardwareClass, amount: Balance },
		/// Governance set the network ratio.
		NetworkRatioSet { ratio: Perbill },
		/// Governance set the classes' shares of the network component.
		ClassSharesSet { shares: ClassShares },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The resulting bond or delegation would be above zero but below the minimum.
		BelowMinimum,
		/// The account's free balance cannot cover the amount.
		InsufficientBalance,
		/// The account has never bonded collateral as an HP.
		NotHardwareProvider,
		/// The account has no delegation to this HP.
		NoDelegation,
		/// An HP cannot delegate to its own pool; it bonds instead.
		SelfDelegation,
		/// The commission is above `MaxCommission`.
		CommissionTooHigh,
		/// Too many unbonding chunks; withdraw the unlocked ones first.
		TooManyUnbondingChunks,
		/// The HP's active bond is smaller than the amount.
		InsufficientBond,
		/// The delegation's active value is smaller than the amount.
		InsufficientDelegation,
		/// Unbonding this would leave the HP's committed capacity without its required collateral.
		WouldBreakRequirement,
		/// The HP's collateral does not cover the requirement of this capacity.
		InsufficientCollateral,
		/// The HP has not committed that much capacity of this class.
		InsufficientCommitment,
		/// Nothing is unlocked yet.
		NothingToWithdraw,
		/// There are no rewards to claim.
		NothingToClaim,
		/// The delegation has no pending slash.
		NoPendingSlash,
		/// The pool was slashed to nothing; it takes no new stake.
		PoolWipedOut,
		/// The amount is too large for the books (overflow).
		Overflow,
		/// The classes' shares do not add up to exactly 100%, or a class has none.
		SharesNotComplete,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::DefaultClassShares::get().is_complete(),
				"DefaultClassShares must sum to 100% (SPEC §3.1)"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bonds `amount` of the caller's own ICNT as HP collateral (held under
		/// `SelfCollateral`). The first bond creates the HP's ledger and pool and must be at least
		/// `MinSelfBond`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, #[pallet::compact] amount: Balance) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Hps::<T>::get(&hp).unwrap_or_default();
			let bond = ledger.bond.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			ensure!(bond >= T::MinSelfBond::get(), Error::<T>::BelowMinimum);
			T::Currency::hold(&HoldReason::SelfCollateral.into(), &hp, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			ledger.bond = bond;
			Hps::<T>::insert(&hp, &ledger);
			Self::deposit_event(Event::Bonded { hp: hp.clone(), amount });
			Self::refresh_coverage(&hp, &ledger);
			Ok(())
		}

		/// Starts unbonding `amount` of the caller's active bond; it stays held and slashable for
		/// `UnbondingEras`. What remains must be zero or at least `MinSelfBond`, and must still
		/// cover the requirement of the caller's committed capacity.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, #[pallet::compact] amount: Balance) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			let bond = ledger.bond.checked_sub(amount).ok_or(Error::<T>::InsufficientBond)?;
			ensure!(bond.is_zero() || bond >= T::MinSelfBond::get(), Error::<T>::BelowMinimum);
			let requirement = Self::requirement_of(&hp, None);
			let mut after = ledger.clone();
			after.bond = bond;
			ensure!(
				requirement.total().is_zero() || Self::covers(&after, &requirement),
				Error::<T>::WouldBreakRequirement
			);
			let unlock_era = Self::unlock_era();
			Self::push_chunk(&mut ledger.unbonding, unlock_era, amount)?;
			ledger.bond = bond;
			Hps::<T>::insert(&hp, &ledger);
			Self::deposit_event(Event::Unbonding { hp, amount, unlock_era });
			Ok(())
		}

		/// Releases the caller's unbonding chunks that have unlocked. The ledger is removed once
		/// it holds nothing and backs nothing.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			let era = T::Eras::current_era();
			let mut amount: Balance = 0;
			ledger.unbonding.retain(|chunk| {
				if chunk.unlock_era <= era {
					amount = amount.saturating_add(chunk.amount);
					false
				} else {
					true
				}
			});
			ensure!(!amount.is_zero(), Error::<T>::NothingToWithdraw);
			T::Currency::release(
				&HoldReason::SelfCollateral.into(),
				&hp,
				amount,
				Precision::Exact,
			)?;
			if Self::ledger_is_empty(&hp, &ledger) {
				Hps::<T>::remove(&hp);
				UncoveredSince::<T>::remove(&hp);
				CommissionChanges::<T>::remove(&hp);
			} else {
				Hps::<T>::insert(&hp, &ledger);
			}
			Self::deposit_event(Event::Withdrawn { hp, amount });
			Ok(())
		}

		/// Sets the caller's commission, at most `MaxCommission` (SPEC §3.9): a cut applies to
		/// rewards credited from now on, a raise only `CommissionChangeDelay` eras from now — so
		/// an HP cannot raise it just before claiming rewards its delegators earned at the old
		/// rate (anyone may claim its nodes' rewards during the notice). A new setting replaces
		/// a raise still pending.
		///
		/// Origin: a bonded HP. Emits `CommissionSet` with the era it applies from.
		/// Errors: `CommissionTooHigh`, `NotHardwareProvider`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_commission())]
		pub fn set_commission(origin: OriginFor<T>, commission: Perbill) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			ensure!(commission <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			Self::apply_commission(&hp, &mut ledger);
			let era = T::Eras::current_era();
			let from_era = if commission <= ledger.commission {
				ledger.commission = commission;
				CommissionChanges::<T>::remove(&hp);
				era
			} else {
				let from = era.saturating_add(T::CommissionChangeDelay::get());
				CommissionChanges::<T>::insert(&hp, (commission, from));
				from
			};
			// Also stores a raise whose notice ended and that `apply_commission` just applied.
			Hps::<T>::insert(&hp, &ledger);
			Self::deposit_event(Event::CommissionSet { hp, commission, from_era });
			Ok(())
		}

		/// Delegates `amount` of the caller's ICNT to `hp`'s pool (held under `Delegation` on
		/// the caller's account) for pool shares. A new delegation must be at least
		/// `MinDelegation`.
		/// Charged for the worst case, refunded to the covered case when `hp` was covered (its
		/// collateral requirement is then not computed), and by the writes of the warm-up's
		/// bookkeeping it did not make ([`Settled::unwritten`]: a first delegation to an HP
		/// with no bucket due writes no bucket removal and no activation).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::delegate(1))]
		pub fn delegate(
			origin: OriginFor<T>,
			hp: T::AccountId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(who != hp, Error::<T>::SelfDelegation);
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			let pool = &ledger.pool;
			ensure!(pool.shares.is_zero() || !pool.value.is_zero(), Error::<T>::PoolWipedOut);
			let existing = Delegations::<T>::get(&hp, &who);
			let mut delegation = match existing.clone() {
				Some(d) => d,
				None => {
					ensure!(amount >= T::MinDelegation::get(), Error::<T>::BelowMinimum);
					Delegation {
						shares: 0,
						held: 0,
						reward_per_share_paid: pool.reward_per_share,
						rewards: 0,
						unbonding: BoundedVec::new(),
					}
				},
			};
			Self::realize_pending_slash(&hp, &who, &mut ledger.pool, &mut delegation);
			let settled = Self::settle_rewards(&hp, &who, &ledger.pool, &mut delegation)?;
			let pool = &mut ledger.pool;
			let shares = if pool.shares.is_zero() {
				amount
			} else {
				mul_div(amount, pool.shares, pool.value, Rounding::Down)
					.ok_or(Error::<T>::Overflow)?
			};
			ensure!(!shares.is_zero(), Error::<T>::BelowMinimum);
			pool.shares = pool.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
			pool.value = pool.value.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			delegation.held = delegation.held.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			delegation.shares =
				delegation.shares.checked_add(shares).ok_or(Error::<T>::Overflow)?;
			T::Currency::hold(&HoldReason::Delegation.into(), &who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			if existing.is_none() {
				ledger.pool.delegators = ledger.pool.delegators.saturating_add(1);
			}
			Self::warm(&hp, &who, shares)?;
			Delegations::<T>::insert(&hp, &who, &delegation);
			Hps::<T>::insert(&hp, &ledger);
			Self::deposit_event(Event::Delegated {
				hp: hp.clone(),
				delegator: who,
				amount,
				shares,
			});
			let uncovered = Self::refresh_coverage(&hp, &ledger);
			Ok(Some(
				T::WeightInfo::delegate(u32::from(uncovered))
					.saturating_sub(T::DbWeight::get().writes(settled.unwritten())),
			)
			.into())
		}

		/// Starts undelegating `amount` of the caller's active delegation to `hp`: its shares move
		/// to the pool's unbonding sub-pool, held and slashable for `UnbondingEras`. What remains
		/// active must be zero or at least `MinDelegation`.
		/// Charged for the worst case and refunded the warm-up writes it did not make
		/// ([`Settled::unwritten`], less the warming buckets it cooled).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::undelegate())]
		pub fn undelegate(
			origin: OriginFor<T>,
			hp: T::AccountId,
			#[pallet::compact] amount: Balance,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			let mut delegation =
				Delegations::<T>::get(&hp, &who).ok_or(Error::<T>::NoDelegation)?;
			Self::realize_pending_slash(&hp, &who, &mut ledger.pool, &mut delegation);
			let settled = Self::settle_rewards(&hp, &who, &ledger.pool, &mut delegation)?;

			let pool = &mut ledger.pool;
			let active = Self::share_value(pool, delegation.shares);
			ensure!(amount <= active, Error::<T>::InsufficientDelegation);
			let (burn, moved) = if amount == active {
				(delegation.shares, active)
			} else {
				ensure!(
					active.saturating_sub(amount) >= T::MinDelegation::get(),
					Error::<T>::BelowMinimum
				);
				// Round the burnt shares up: the pool, not the leaver, keeps the remainder.
				let burn = mul_div(amount, pool.shares, pool.value, Rounding::Up)
					.ok_or(Error::<T>::Overflow)?
					.min(delegation.shares);
				(burn, amount)
			};
			let unbonding_shares =
				if pool.unbonding_shares.is_zero() || pool.unbonding_value.is_zero() {
					ensure!(pool.unbonding_shares.is_zero(), Error::<T>::PoolWipedOut);
					moved
				} else {
					mul_div(moved, pool.unbonding_shares, pool.unbonding_value, Rounding::Down)
						.ok_or(Error::<T>::Overflow)?
				};
			let unlock_era = Self::unlock_era();
			Self::push_chunk(&mut delegation.unbonding, unlock_era, unbonding_shares)?;
			delegation.shares = delegation.shares.saturating_sub(burn);
			pool.shares = pool.shares.saturating_sub(burn);
			pool.value = pool.value.saturating_sub(moved);
			// The youngest shares leave first: those still warming.
			let cooled = Self::cool(&hp, &who, burn);
			pool.unbonding_shares = pool
				.unbonding_shares
				.checked_add(unbonding_shares)
				.ok_or(Error::<T>::Overflow)?;
			pool.unbonding_value =
				pool.unbonding_value.checked_add(moved).ok_or(Error::<T>::Overflow)?;
			Delegations::<T>::insert(&hp, &who, &delegation);
			Hps::<T>::insert(&hp, &ledger);
			Self::deposit_event(Event::Undelegating {
				hp,
				delegator: who,
				amount: moved,
				unlock_era,
			});
			// The benchmark's settlement writes the most warm-up keys and cools none (its
			// entries all matured); shares still warming write fewer keys settling (at most
			// one bucket is due then) and some cooling, which the refund gives back.
			let unwritten = settled.unwritten().saturating_sub(cooled);
			Ok(Some(
				T::WeightInfo::undelegate().saturating_sub(T::DbWeight::get().writes(unwritten)),
			)
			.into())
		}

		/// Releases the caller's unlocked unbonding chunks of its delegation to `hp`, after taking
		/// any pending slash. A delegation with nothing left is removed (its unclaimed rewards
		/// keep it until claimed).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_delegation(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_delegation(origin: OriginFor<T>, hp: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			let mut delegation =
				Delegations::<T>::get(&hp, &who).ok_or(Error::<T>::NoDelegation)?;
			let era = T::Eras::current_era();
			ensure!(
				delegation.unbonding.iter().any(|c| c.unlock_era <= era),
				Error::<T>::NothingToWithdraw
			);
			Self::realize_pending_slash(&hp, &who, &mut ledger.pool, &mut delegation);
			let pool = &mut ledger.pool;
			let mut released: Balance = 0;
			let mut matured_shares: Balance = 0;
			delegation.unbonding.retain(|chunk| {
				if chunk.unlock_era <= era {
					matured_shares = matured_shares.saturating_add(chunk.amount);
					false
				} else {
					true
				}
			});
			let value = mul_div(
				matured_shares,
				pool.unbonding_value,
				pool.unbonding_shares,
				Rounding::Down,
			)
			.unwrap_or(0)
			.min(delegation.held)
			.min(pool.unbonding_value);
			pool.unbonding_shares = pool.unbonding_shares.saturating_sub(matured_shares);
			pool.unbonding_value = pool.unbonding_value.saturating_sub(value);
			delegation.held = delegation.held.saturating_sub(value);
			released = released.saturating_add(value);

			if delegation.shares.is_zero() && delegation.unbonding.is_empty() {
				// Fully out: what is still held is rounding remainder booked in the pool, or a
				// slash the pool has not booked as unrealized. Hand back the former, slash the
				// latter, so the books stay exact.
				let rest = delegation.held;
				let from_value = rest.min(pool.value);
				pool.value = pool.value.saturating_sub(from_value);
				let from_unbonding = rest.saturating_sub(from_value).min(pool.unbonding_value);
				pool.unbonding_value = pool.unbonding_value.saturating_sub(from_unbonding);
				let leftover = rest.saturating_sub(from_value).saturating_sub(from_unbonding);
				released = released.saturating_add(from_value).saturating_add(from_unbonding);
				if !leftover.is_zero() {
					let (credit, _) =
						T::Currency::slash(&HoldReason::Delegation.into(), &who, leftover);
					T::OnSlash::on_unbalanced(credit);
					Self::deposit_event(Event::PendingSlashApplied {
						hp: hp.clone(),
						delegator: who.clone(),
						amount: leftover,
					});
				}
				delegation.held = 0;
			}
			if !released.is_zero() {
				T::Currency::release(
					&HoldReason::Delegation.into(),
					&who,
					released,
					Precision::Exact,
				)?;
			}
			if delegation.is_empty() && delegation.rewards.is_zero() {
				Delegations::<T>::remove(&hp, &who);
				pool.delegators = pool.delegators.saturating_sub(1);
			} else {
				Delegations::<T>::insert(&hp, &who, &delegation);
			}
			Hps::<T>::insert(&hp, &ledger);
			Self::deposit_event(Event::DelegationWithdrawn {
				hp,
				delegator: who,
				amount: released,
			});
			Ok(())
		}

		/// Pays the caller its rewards from `hp`: its HP rewards (commission and its bond's share)
		/// when the caller is `hp`, else its delegation's share of `hp`'s pool rewards.
		/// Charged for a delegator's worst case and refunded the warm-up writes it did not make
		/// ([`Settled::unwritten`]; the HP's own claim settles no delegation and makes none).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::claim_rewards())]
		pub fn claim_rewards(origin: OriginFor<T>, hp: T::AccountId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			let (amount, settled) = if who == hp {
				let amount = core::mem::take(&mut ledger.rewards);
				ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
				Self::pay_reward(&who, amount)?;
				Hps::<T>::insert(&hp, &ledger);
				(amount, Settled::default())
			} else {
				let mut delegation =
					Delegations::<T>::get(&hp, &who).ok_or(Error::<T>::NoDelegation)?;
				let settled = Self::settle_rewards(&hp, &who, &ledger.pool, &mut delegation)?;
				let amount = core::mem::take(&mut delegation.rewards);
				ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
				Self::pay_reward(&who, amount)?;
				if delegation.is_empty() {
					Delegations::<T>::remove(&hp, &who);
					ledger.pool.delegators = ledger.pool.delegators.saturating_sub(1);
					Hps::<T>::insert(&hp, &ledger);
				} else {
					Delegations::<T>::insert(&hp, &who, &delegation);
				}
				(amount, settled)
			};
			Self::deposit_event(Event::RewardsClaimed { who, hp, amount });
			Ok(Some(
				T::WeightInfo::claim_rewards()
					.saturating_sub(T::DbWeight::get().writes(settled.unwritten())),
			)
			.into())
		}

		/// Takes the pending share of pool slashes from `delegator`'s hold (anyone may call; it
		/// only moves slashed funds to their destination sooner).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::apply_pending_slash())]
		pub fn apply_pending_slash(
			origin: OriginFor<T>,
			hp: T::AccountId,
			delegator: T::AccountId,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let mut ledger = Hps::<T>::get(&hp).ok_or(Error::<T>::NotHardwareProvider)?;
			let mut delegation =
				Delegations::<T>::get(&hp, &delegator).ok_or(Error::<T>::NoDelegation)?;
			let applied =
				Self::realize_pending_slash(&hp, &delegator, &mut ledger.pool, &mut delegation);
			ensure!(!applied.is_zero(), Error::<T>::NoPendingSlash);
			Delegations::<T>::insert(&hp, &delegator, &delegation);
			Hps::<T>::insert(&hp, &ledger);
			Ok(())
		}

		/// Sets `self_per_unit[class]`, the HP's own collateral per unit of capacity. Applies to
		/// every requirement computed from now on.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_self_per_unit())]
		pub fn set_self_per_unit(
			origin: OriginFor<T>,
			class: HardwareClass,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			SelfPerUnit::<T>::insert(class, amount);
			Self::deposit_event(Event::SelfPerUnitSet { class, amount });
			Ok(())
		}

		/// Sets the network ratio of SPEC §3.1. Applies to every requirement computed from now on.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_network_ratio())]
		pub fn set_network_ratio(origin: OriginFor<T>, ratio: Perbill) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			NetworkRatio::<T>::put(ratio);
			Self::deposit_event(Event::NetworkRatioSet { ratio });
			Ok(())
		}

		/// Sets `class_share` of every class (SPEC §3.1). Applies to every requirement computed
		/// from now on.
		///
		/// Origin: `GovernanceOrigin`. Emits `ClassSharesSet`.
		/// Errors: `SharesNotComplete` unless every share is above 0% and they sum to exactly 100%.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_class_shares())]
		pub fn set_class_shares(origin: OriginFor<T>, shares: ClassShares) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(shares.is_complete(), Error::<T>::SharesNotComplete);
			ClassShareOf::<T>::put(shares);
			Self::deposit_event(Event::ClassSharesSet { shares });
			Ok(())
		}
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Benchmarks of other pallets only: leaves `hp` uncovered with its top-up window over (its
	/// bond zeroed, the window opened `CollateralTopUpEras` eras ago), the costliest coverage
	/// state for the market to check. The caller first advances to an era ≥ the window.
	pub fn uncover_for_benchmarks(hp: &T::AccountId) {
		Hps::<T>::mutate(hp, |ledger| {
			if let Some(ledger) = ledger {
				ledger.bond = 0;
			}
		});
		let since = T::Eras::current_era().saturating_sub(T::CollateralTopUpEras::get());
		UncoveredSince::<T>::insert(hp, since);
	}
}

impl<T: Config> Pallet<T> {
	/// The rewards pot: credited rewards wait here until claimed.
	pub fn pot() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// `circulating = total_issuance − inactive_issuance` (SPEC §3.1).
	pub fn circulating() -> Balance {
		T::Currency::active_issuance()
	}

	/// The requirement of `hp`'s committed capacity, plus `extra` capacity of a class if given.
	/// `S` is exact; `N = network_ratio × Σ_class class_share × capacity × circulating /
	/// network_capacity` rounds up at each step (never in the HP's favour).
	pub fn requirement_of(hp: &T::AccountId, extra: Option<(HardwareClass, u64)>) -> Requirement {
		let circulating = Self::circulating();
		let shares = ClassShareOf::<T>::get();
		let mut self_component: Balance = 0;
		let mut network: Balance = 0;
		for class in HardwareClass::ALL {
			let add = match extra {
				Some((c, capacity)) if c == class => capacity,
				_ => 0,
			};
			let capacity = Committed::<T>::get(hp, class).saturating_add(add);
			if capacity == 0 {
				continue;
			}
			let network_capacity = NetworkCapacity::<T>::get(class).saturating_add(add).max(1);
			self_component = self_component.saturating_add(
				Balance::from(capacity).saturating_mul(SelfPerUnit::<T>::get(class)),
			);
			let share = mul_div(
				Balance::from(capacity),
				circulating,
				Balance::from(network_capacity),
				Rounding::Up,
			)
			.unwrap_or(Balance::MAX);
			network = network.saturating_add(shares.of(class).mul_ceil(share));
		}
		Requirement {
			self_component,
			network_component: NetworkRatio::<T>::get().mul_ceil(network),
		}
	}

	/// Whether `ledger` covers `requirement`: the bond covers `S` and the bond's excess plus the
	/// pool's active value cover `N`.
	pub fn covers(ledger: &HpLedgerOf<T>, requirement: &Requirement) -> bool {
		Self::shortfall(ledger, requirement).is_zero()
	}

	/// What `ledger` lacks to cover `requirement`.
	pub fn shortfall(ledger: &HpLedgerOf<T>, requirement: &Requirement) -> Balance {
		let self_gap = requirement.self_component.saturating_sub(ledger.bond);
		let excess = ledger.bond.saturating_sub(requirement.self_component);
		let network_gap = requirement
			.network_component
			.saturating_sub(excess.saturating_add(ledger.pool.value));
		self_gap.saturating_add(network_gap)
	}

	/// Coverage of `hp` now, without recording anything.
	pub fn coverage_status(hp: &T::AccountId) -> CoverageStatus {
		let Some(ledger) = Hps::<T>::get(hp) else {
			return CoverageStatus::Uncovered;
		};
		let requirement = Self::requirement_of(hp, None);
		if Self::covers(&ledger, &requirement) {
			return CoverageStatus::Covered;
		}
		let era = T::Eras::current_era();
		let since = UncoveredSince::<T>::get(hp).unwrap_or(era);
		let until = since.saturating_add(T::CollateralTopUpEras::get());
		if era < until {
			CoverageStatus::TopUp { until }
		} else {
			CoverageStatus::Uncovered
		}
	}

	/// What `CollateralApi::collateral_of` returns.
	pub fn collateral_info(hp: &T::AccountId) -> Option<CollateralInfo> {
		let ledger = Hps::<T>::get(hp)?;
		let requirement = Self::requirement_of(hp, None);
		Some(CollateralInfo {
			requirement,
			self_bond: ledger.bond,
			self_unbonding: ledger
				.unbonding
				.iter()
				.fold(0, |sum: Balance, c| sum.saturating_add(c.amount)),
			pool_value: ledger.pool.value,
			pool_unbonding: ledger.pool.unbonding_value,
			delegators: ledger.pool.delegators,
			commission: Self::commission_now(hp, &ledger),
			shortfall: Self::shortfall(&ledger, &requirement),
			status: Self::coverage_status(hp),
		})
	}

	/// The rewards `who` can claim from `hp` (its HP rewards when `who == hp`).
	pub fn pending_rewards(who: &T::AccountId, hp: &T::AccountId) -> Balance {
		let Some(ledger) = Hps::<T>::get(hp) else { return 0 };
		if who == hp {
			return ledger.rewards;
		}
		let Some(delegation) = Delegations::<T>::get(hp, who) else { return 0 };
		match Self::delegation_earned(hp, who, &ledger.pool, &delegation) {
			Ok((earned, _)) => delegation.rewards.saturating_add(earned),
			Err(_) => 0,
		}
	}

	/// The active value of `shares` of `pool`, rounded down.
	pub fn share_value(pool: &Pool, shares: Balance) -> Balance {
		mul_div(shares, pool.value, pool.shares, Rounding::Down).unwrap_or(0)
	}

	/// What `delegation`'s hold exceeds the value of its shares and unbonding chunks by: its
	/// share of pool slashes not yet taken, bounded by the pool's unrealized slash.
	pub fn pending_slash(pool: &Pool, delegation: &DelegationOf<T>) -> Balance {
		let active = Self::share_value(pool, delegation.shares);
		let unbonding_shares = delegation
			.unbonding
			.iter()
			.fold(0, |sum: Balance, c| sum.saturating_add(c.amount));
		let unbonding =
			mul_div(unbonding_shares, pool.unbonding_value, pool.unbonding_shares, Rounding::Down)
				.unwrap_or(0);
		delegation
			.held
			.saturating_sub(active.saturating_add(unbonding))
			.min(pool.unrealized_slash)
	}

	fn realize_pending_slash(
		hp: &T::AccountId,
		delegator: &T::AccountId,
		pool: &mut Pool,
		delegation: &mut DelegationOf<T>,
	) -> Balance {
		let pending = Self::pending_slash(pool, delegation);
		if pending.is_zero() {
			return 0;
		}
		let (credit, missing) =
			T::Currency::slash(&HoldReason::Delegation.into(), delegator, pending);
		if !missing.is_zero() {
			log::error!(target: LOG_TARGET, "delegation hold of {delegator:?} short by {missing}");
		}
		T::OnSlash::on_unbalanced(credit);
		delegation.held = delegation.held.saturating_sub(pending);
		pool.unrealized_slash = pool.unrealized_slash.saturating_sub(pending);
		Self::deposit_event(Event::PendingSlashApplied {
			hp: hp.clone(),
			delegator: delegator.clone(),
			amount: pending,
		});
		pending
	}

	/// Whether shares delegated in `era` earn now: from the second era after it, when the
	/// rewards of the era after it — the first they backed whole — start to be credited.
	fn earns(era: EraIndex) -> bool {
		era.saturating_add(1) < T::Eras::current_era()
	}

	/// What `delegation` to `hp` earned since it was last settled (read-only): its earning shares
	/// at the pool's reward per share since `reward_per_share_paid`, and shares of its warming
	/// entries that earn now at the reward per share since they began to. Returns those entries'
	/// eras too (settling merges them). Shares that do not earn yet earn nothing (SPEC §3.9).
	fn delegation_earned(
		hp: &T::AccountId,
		who: &T::AccountId,
		pool: &Pool,
		delegation: &DelegationOf<T>,
	) -> Result<(Balance, alloc::vec::Vec<EraIndex>), ArithmeticError> {
		let rate = |shares: Balance, since: FixedU128| {
			let per_share = pool.reward_per_share.saturating_sub(since);
			mul_div(shares, per_share.into_inner(), FixedU128::DIV, Rounding::Down)
				.ok_or(ArithmeticError::Overflow)
		};
		let entries = DelegationWarming::<T>::get(hp, who).unwrap_or_default();
		let not_earning = entries.iter().fold(0, |sum: Balance, (_, s)| sum.saturating_add(*s));
		// Since settled, every share but the entries' earned from `paid`.
		let mut earned =
			rate(delegation.shares.saturating_sub(not_earning), delegation.reward_per_share_paid)?;
		let mut matured = alloc::vec::Vec::new();
		for (era, shares) in entries.iter().filter(|(era, _)| Self::earns(*era)) {
			// They began to earn at the pool's first touch once they could; untouched since, the
			// pool's rate now is that rate.
			let since =
				Activations::<T>::get(hp, era).map(|(r, _)| r).unwrap_or(pool.reward_per_share);
			earned = earned.checked_add(rate(*shares, since)?).ok_or(ArithmeticError::Overflow)?;
			matured.push(*era);
		}
		Ok((earned, matured))
	}

	/// Moves `delegation`'s earnings since its last settlement into its `rewards`, and its
	/// warming shares that earn now into its earning shares.
	fn settle_rewards(
		hp: &T::AccountId,
		who: &T::AccountId,
		pool: &Pool,
		delegation: &mut DelegationOf<T>,
	) -> Result<Settled, DispatchError> {
		let activated = Self::activate(hp, pool);
		let (earned, matured) = Self::delegation_earned(hp, who, pool, delegation)?;
		delegation.rewards =
			delegation.rewards.checked_add(earned).ok_or(ArithmeticError::Overflow)?;
		delegation.reward_per_share_paid = pool.reward_per_share;
		let mut keys: alloc::vec::Vec<EraIndex> = activated
			.iter()
			.filter(|(_, inserted)| *inserted)
			.map(|(era, _)| *era)
			.collect();
		keys.extend(matured.iter().copied());
		keys.sort_unstable();
		keys.dedup();
		let count = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
		let settled = Settled { removed: count(activated.len()), activations: count(keys.len()) };
		frame_support::defensive_assert!(
			settled.removed <= Settled::MAX_REMOVED
				&& settled.activations <= Settled::MAX_ACTIVATIONS,
			"a settlement wrote more warm-up keys than its benchmark"
		);
		if !matured.is_empty() {
			DelegationWarming::<T>::mutate_exists(hp, who, |entry| {
				if let Some(entries) = entry {
					entries.retain(|(era, _)| !matured.contains(era));
					if entries.is_empty() {
						*entry = None;
					}
				}
			});
			for era in matured {
				Activations::<T>::mutate_exists(hp, era, |entry| match entry {
					Some((_, refs)) if *refs > 1 => *refs = refs.saturating_sub(1),
					Some(_) => *entry = None,
					None => {
						frame_support::defensive!("earning warming shares without an activation");
					},
				});
			}
		}
		Ok(settled)
	}

	/// Shares of `hp`'s pool that do not earn yet. At most two buckets (see [`Settled`]).
	fn warming_shares(hp: &T::AccountId) -> Balance {
		Warming::<T>::iter_prefix(hp)
			.filter(|(era, _)| !Self::earns(*era))
			.fold(0, |sum: Balance, (_, bucket)| sum.saturating_add(bucket.shares))
	}

	/// Turns `hp`'s buckets whose shares earn now into activations: they earn from `pool`'s
	/// reward per share now (called before every credit and settlement, so no credit after they
	/// may earn passes them by). At most two buckets (see [`Settled`]).
	/// Returns the eras of the buckets that were due (each removed), and whether an activation
	/// was written for it (not for a bucket no delegation is left in).
	fn activate(hp: &T::AccountId, pool: &Pool) -> alloc::vec::Vec<(EraIndex, bool)> {
		let due: alloc::vec::Vec<(EraIndex, WarmingShares)> =
			Warming::<T>::iter_prefix(hp).filter(|(era, _)| Self::earns(*era)).collect();
		due.into_iter()
			.map(|(era, bucket)| {
				Warming::<T>::remove(hp, era);
				let inserted = bucket.delegations > 0;
				if inserted {
					Activations::<T>::insert(hp, era, (pool.reward_per_share, bucket.delegations));
				}
				(era, inserted)
			})
			.collect()
	}

	/// `shares` were just delegated by `who` to `hp` (after its settlement, so its entries are of
	/// the era in progress and the one before): they warm.
	fn warm(hp: &T::AccountId, who: &T::AccountId, shares: Balance) -> DispatchResult {
		let era = T::Eras::current_era();
		let mut entries = DelegationWarming::<T>::get(hp, who).unwrap_or_default();
		let new = match entries.last_mut() {
			Some((last, warm)) if *last == era => {
				*warm = warm.saturating_add(shares);
				false
			},
			_ => {
				entries.try_push((era, shares)).map_err(|_| {
					frame_support::defensive!("a settled delegation warms in more than two eras");
					Error::<T>::Overflow
				})?;
				true
			},
		};
		DelegationWarming::<T>::insert(hp, who, entries);
		Warming::<T>::mutate(hp, era, |bucket| {
			let bucket = bucket.get_or_insert_with(Default::default);
			bucket.shares = bucket.shares.saturating_add(shares);
			if new {
				bucket.delegations = bucket.delegations.saturating_add(1);
			}
		});
		Ok(())
	}

	/// `burnt` shares of `who`'s delegation to `hp` left it (after its settlement): the youngest
	/// warming ones first. Returns how many of the pool's buckets it wrote (at most two).
	fn cool(hp: &T::AccountId, who: &T::AccountId, burnt: Balance) -> u64 {
		let Some(mut entries) = DelegationWarming::<T>::get(hp, who) else { return 0 };
		let mut left = burnt;
		let mut written: u64 = 0;
		for (era, warm) in entries.iter_mut().rev() {
			if left.is_zero() {
				break;
			}
			let cooled = left.min(*warm);
			left = left.saturating_sub(cooled);
			*warm = warm.saturating_sub(cooled);
			let emptied = warm.is_zero();
			written = written.saturating_add(1);
			Warming::<T>::mutate_exists(hp, *era, |entry| {
				if let Some(bucket) = entry {
					bucket.shares = bucket.shares.saturating_sub(cooled);
					if emptied {
						bucket.delegations = bucket.delegations.saturating_sub(1);
					}
					if bucket.delegations == 0 {
						*entry = None;
					}
				}
			});
		}
		entries.retain(|(_, warm)| !warm.is_zero());
		if entries.is_empty() {
			DelegationWarming::<T>::remove(hp, who);
		} else {
			DelegationWarming::<T>::insert(hp, who, entries);
		}
		written
	}

	/// `hp`'s commission now: a raise whose notice is over applies.
	fn commission_now(hp: &T::AccountId, ledger: &HpLedgerOf<T>) -> Perbill {
		match CommissionChanges::<T>::get(hp) {
			Some((commission, from)) if from <= T::Eras::current_era() => commission,
			_ => ledger.commission,
		}
	}

	/// Writes a raise whose notice is over into `ledger` (the caller stores it).
	fn apply_commission(hp: &T::AccountId, ledger: &mut HpLedgerOf<T>) {
		if let Some((commission, from)) = CommissionChanges::<T>::get(hp) {
			if from <= T::Eras::current_era() {
				ledger.commission = commission;
				CommissionChanges::<T>::remove(hp);
			}
		}
	}

	fn pay_reward(who: &T::AccountId, amount: Balance) -> DispatchResult {
		T::Currency::transfer(&Self::pot(), who, amount, Preservation::Preserve).map(|_| ())
	}

	fn unlock_era() -> EraIndex {
		T::Eras::current_era().saturating_add(T::UnbondingEras::get())
	}

	fn push_chunk(
		chunks: &mut BoundedVec<UnbondChunk, T::MaxUnbondingChunks>,
		unlock_era: EraIndex,
		amount: Balance,
	) -> DispatchResult {
		if let Some(last) = chunks.last_mut() {
			if last.unlock_era == unlock_era {
				last.amount = last.amount.checked_add(amount).ok_or(Error::<T>::Overflow)?;
				return Ok(());
			}
		}
		chunks
			.try_push(UnbondChunk { unlock_era, amount })
			.map_err(|_| Error::<T>::TooManyUnbondingChunks.into())
	}

	fn ledger_is_empty(hp: &T::AccountId, ledger: &HpLedgerOf<T>) -> bool {
		ledger.bond.is_zero()
			&& ledger.unbonding.is_empty()
			&& ledger.rewards.is_zero()
			&& ledger.pool.delegators == 0
			&& Committed::<T>::iter_prefix(hp).next().is_none()
	}

	/// Clears `hp`'s top-up window once it is covered again.
	/// Returns whether the requirement was computed (`hp` was uncovered): a covered HP costs
	/// one read here, an uncovered one the requirement's reads over every class.
	fn refresh_coverage(hp: &T::AccountId, ledger: &HpLedgerOf<T>) -> bool {
		if !UncoveredSince::<T>::contains_key(hp) {
			return false;
		}
		if Self::covers(ledger, &Self::requirement_of(hp, None)) {
			UncoveredSince::<T>::remove(hp);
			Self::deposit_event(Event::CoverageRestored { hp: hp.clone() });
		}
		true
	}

	/// Slashes up to `amount` from `hp` in the order of SPEC §3.5. Returns what was slashed.
	fn do_slash(hp: &T::AccountId, amount: Balance) -> Balance {
		let Some(mut ledger) = Hps::<T>::get(hp) else { return 0 };
		let mut remaining = amount;
		// 1. The HP's active bond, then its unbonding chunks (newest first).
		let from_bond = remaining.min(ledger.bond);
		ledger.bond = ledger.bond.saturating_sub(from_bond);
		remaining = remaining.saturating_sub(from_bond);
		let mut from_chunks: Balance = 0;
		for chunk in ledger.unbonding.iter_mut().rev() {
			if remaining.is_zero() {
				break;
			}
			let take = remaining.min(chunk.amount);
			chunk.amount = chunk.amount.saturating_sub(take);
			remaining = remaining.saturating_sub(take);
			from_chunks = from_chunks.saturating_add(take);
		}
		ledger.unbonding.retain(|c| !c.amount.is_zero());
		let from_self = from_bond.saturating_add(from_chunks);
		if !from_self.is_zero() {
			let (credit, missing) =
				T::Currency::slash(&HoldReason::SelfCollateral.into(), hp, from_self);
			if !missing.is_zero() {
				log::error!(target: LOG_TARGET, "self collateral hold of {hp:?} short by {missing}");
			}
			T::OnSlash::on_unbalanced(credit);
		}
		// 2. The pool as a whole: its active and unbonding value, pro rata; O(1).
		let pool = &mut ledger.pool;
		let total = pool.value.saturating_add(pool.unbonding_value);
		let from_pool = remaining.min(total);
		if !from_pool.is_zero() {
			let from_unbonding =
				mul_div(from_pool, pool.unbonding_value, total, Rounding::Down).unwrap_or(0);
			let from_value = from_pool.saturating_sub(from_unbonding);
			pool.value = pool.value.saturating_sub(from_value);
			pool.unbonding_value = pool.unbonding_value.saturating_sub(from_unbonding);
			pool.unrealized_slash = pool.unrealized_slash.saturating_add(from_pool);
		}
		Hps::<T>::insert(hp, &ledger);
		if !from_self.is_zero() || !from_pool.is_zero() {
			Self::deposit_event(Event::Slashed { hp: hp.clone(), from_self, from_pool });
		}
		from_self.saturating_add(from_pool)
	}

	fn do_credit_reward(
		source: &T::AccountId,
		hp: &T::AccountId,
		amount: Balance,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Hps::<T>::get(hp).ok_or(Error::<T>::NotHardwareProvider)?;
		Self::apply_commission(hp, &mut ledger);
		Self::activate(hp, &ledger.pool);
		let commission = ledger.commission.mul_floor(amount);
		let rest = amount.saturating_sub(commission);
		let pool = &mut ledger.pool;
		// Shares delegated in the era in progress earn nothing yet (SPEC §3.9): the rest is
		// split between the bond and the earning shares' value.
		let earning = pool.shares.saturating_sub(Self::warming_shares(hp));
		let earning_value = Self::share_value(pool, earning);
		let stake = ledger.bond.saturating_add(earning_value);
		let to_pool = if earning.is_zero() || stake.is_zero() {
			0
		} else {
			mul_div(rest, earning_value, stake, Rounding::Down).ok_or(Error::<T>::Overflow)?
		};
		let to_self = rest.saturating_sub(to_pool);
		if !to_pool.is_zero() {
			let available = pool.reward_carry.checked_add(to_pool).ok_or(Error::<T>::Overflow)?;
			let increment = mul_div(available, FixedU128::DIV, earning, Rounding::Down)
				.ok_or(Error::<T>::Overflow)?;
			// What the increment pays out in total, rounded up: claims can never exceed it.
			let distributed = mul_div(increment, earning, FixedU128::DIV, Rounding::Up)
				.ok_or(Error::<T>::Overflow)?
				.min(available);
			pool.reward_per_share = pool
				.reward_per_share
				.checked_add(&FixedU128::from_inner(increment))
				.ok_or(Error::<T>::Overflow)?;
			pool.reward_carry = available.saturating_sub(distributed);
		}
		ledger.rewards = ledger
			.rewards
			.checked_add(commission.saturating_add(to_self))
			.ok_or(Error::<T>::Overflow)?;
		T::Currency::transfer(source, &Self::pot(), amount, Preservation::Preserve)?;
		Hps::<T>::insert(hp, &ledger);
		Self::deposit_event(Event::RewardCredited {
			hp: hp.clone(),
			amount,
			commission,
			to_self,
			to_pool,
		});
		Ok(())
	}

	/// Checks the invariants of SPEC §3 and §9 over the whole state (tests and try-runtime):
	/// holds equal the books; pool shares and values match their delegations exactly; the pot
	/// holds at least every claimable reward; network capacity is the sum of commitments.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::fungible::InspectHold;
		let self_reason: T::RuntimeHoldReason = HoldReason::SelfCollateral.into();
		let delegation_reason: T::RuntimeHoldReason = HoldReason::Delegation.into();
		let mut owed: Balance = 0;
		let mut delegated_by: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
		// Per (HP, era): warming shares and the delegations holding them.
		let mut warming: BTreeMap<(T::AccountId, EraIndex), (Balance, u32)> = BTreeMap::new();

		for (hp, ledger) in Hps::<T>::iter() {
			let unbonding = ledger.unbonding.iter().fold(0u128, |s, c| s.saturating_add(c.amount));
			ensure!(
				T::Currency::balance_on_hold(&self_reason, &hp)
					== ledger.bond.saturating_add(unbonding),
				"self-collateral hold differs from bond + unbonding"
			);
			let (mut shares, mut unbonding_shares, mut held, mut count) =
				(0u128, 0u128, 0u128, 0u32);
			let (mut active_value, mut unbonding_value) = (0u128, 0u128);
			for (delegator, d) in Delegations::<T>::iter_prefix(&hp) {
				active_value =
					active_value.saturating_add(Self::share_value(&ledger.pool, d.shares));
				for chunk in &d.unbonding {
					unbonding_value = unbonding_value.saturating_add(
						mul_div(
							chunk.amount,
							ledger.pool.unbonding_value,
							ledger.pool.unbonding_shares,
							Rounding::Down,
						)
						.unwrap_or(0),
					);
				}
				shares = shares.saturating_add(d.shares);
				unbonding_shares =
					d.unbonding.iter().fold(unbonding_shares, |s, c| s.saturating_add(c.amount));
				held = held.saturating_add(d.held);
				count = count.saturating_add(1);
				let (earned, _) = Self::delegation_earned(&hp, &delegator, &ledger.pool, &d)
					.map_err(|_| "reward settlement overflows")?;
				owed = owed.saturating_add(d.rewards).saturating_add(earned);
				let entries = DelegationWarming::<T>::get(&hp, &delegator).unwrap_or_default();
				let warm = entries.iter().fold(0, |sum: Balance, (_, s)| sum.saturating_add(*s));
				ensure!(warm <= d.shares, "warming shares exceed the delegation's");
				ensure!(
					entries.windows(2).all(|w| w[0].0 < w[1].0),
					"a delegation's warming eras are not in order"
				);
				for (era, shares) in entries.iter() {
					ensure!(!shares.is_zero(), "an empty warming entry");
					let bucket = warming.entry((hp.clone(), *era)).or_default();
					bucket.0 = bucket.0.saturating_add(*shares);
					bucket.1 = bucket.1.saturating_add(1);
				}
				let entry = delegated_by.entry(delegator).or_default();
				*entry = entry.saturating_add(d.held);
			}
			let pool = &ledger.pool;
			ensure!(shares == pool.shares, "pool shares differ from the sum of delegations");
			ensure!(
				unbonding_shares == pool.unbonding_shares,
				"unbonding shares differ from the sum of chunks"
			);
			ensure!(count == pool.delegators, "delegator count differs");
			// Shares × price never exceeds the pool: rounding never favours a claimant.
			ensure!(active_value <= pool.value, "active shares are worth more than the pool");
			ensure!(
				unbonding_value <= pool.unbonding_value,
				"unbonding shares are worth more than the unbonding pool"
			);
			ensure!(
				held == pool
					.value
					.saturating_add(pool.unbonding_value)
					.saturating_add(pool.unrealized_slash),
				"delegation holds differ from pool value + unbonding + unrealized slash"
			);
			owed = owed.saturating_add(ledger.rewards).saturating_add(pool.reward_carry);
		}
		for (delegator, held) in delegated_by {
			ensure!(
				T::Currency::balance_on_hold(&delegation_reason, &delegator) == held,
				"delegation hold differs from the sum of the account's delegations"
			);
		}
		// SPEC §3.9: each HP's bucket of shares delegated in one era is exactly its delegations'
		// warming shares; an activated era is kept exactly while delegations still refer to it.
		for (hp, era, bucket) in Warming::<T>::iter() {
			let (shares, count) = warming.remove(&(hp.clone(), era)).unwrap_or_default();
			ensure!(
				shares == bucket.shares && count == bucket.delegations && count > 0,
				"a pool's warming bucket differs from its delegations' warming shares"
			);
		}
		for (hp, era, (_, refs)) in Activations::<T>::iter() {
			let (_, count) = warming.remove(&(hp, era)).unwrap_or_default();
			ensure!(
				count == refs && refs > 0,
				"an activation's count differs from its delegations"
			);
		}
		ensure!(warming.is_empty(), "warming shares belong to no bucket or activation");
		for (hp, (commission, _)) in CommissionChanges::<T>::iter() {
			ensure!(Hps::<T>::contains_key(&hp), "a commission change of no HP");
			ensure!(commission <= T::MaxCommission::get(), "a pending commission above the cap");
		}
		let pot = T::Currency::balance(&Self::pot());
		ensure!(
			pot.saturating_sub(T::Currency::minimum_balance()) >= owed,
			"rewards pot holds less than what is owed"
		);
		// One pass over the commitments (the fuzzer runs this after every step).
		let mut committed: BTreeMap<HardwareClass, u64> = BTreeMap::new();
		for (_, class, capacity) in Committed::<T>::iter() {
			let sum = committed.entry(class).or_default();
			*sum = sum.saturating_add(capacity);
		}
		for class in HardwareClass::ALL {
			let sum = committed.get(&class).copied().unwrap_or_default();
			ensure!(sum == NetworkCapacity::<T>::get(class), "network capacity differs");
		}
		Ok(())
	}
}

impl<T: Config> NodeCollateral<T::AccountId> for Pallet<T> {
	fn commit(hp: &T::AccountId, class: HardwareClass, capacity: u64) -> DispatchResult {
		ensure!(capacity > 0, Error::<T>::ZeroAmount);
		let ledger = Hps::<T>::get(hp).ok_or(Error::<T>::NotHardwareProvider)?;
		let requirement = Self::requirement_of(hp, Some((class, capacity)));
		ensure!(Self::covers(&ledger, &requirement), Error::<T>::InsufficientCollateral);
		let committed = Committed::<T>::get(hp, class)
			.checked_add(capacity)
			.ok_or(Error::<T>::Overflow)?;
		let network = NetworkCapacity::<T>::get(class)
			.checked_add(capacity)
			.ok_or(Error::<T>::Overflow)?;
		Committed::<T>::insert(hp, class, committed);
		NetworkCapacity::<T>::insert(class, network);
		Self::deposit_event(Event::CapacityCommitted { hp: hp.clone(), class, capacity });
		Ok(())
	}

	fn release(hp: &T::AccountId, class: HardwareClass, capacity: u64) -> DispatchResult {
		ensure!(capacity > 0, Error::<T>::ZeroAmount);
		let committed = Committed::<T>::get(hp, class)
			.checked_sub(capacity)
			.ok_or(Error::<T>::InsufficientCommitment)?;
		if committed == 0 {
			Committed::<T>::remove(hp, class);
		} else {
			Committed::<T>::insert(hp, class, committed);
		}
		NetworkCapacity::<T>::mutate(class, |n| *n = n.saturating_sub(capacity));
		Self::deposit_event(Event::CapacityReleased { hp: hp.clone(), class, capacity });
		Ok(())
	}

	fn requirement(hp: &T::AccountId) -> Requirement {
		Self::requirement_of(hp, None)
	}

	fn accepts_new_leases(hp: &T::AccountId) -> bool {
		let Some(ledger) = Hps::<T>::get(hp) else { return false };
		if Self::covers(&ledger, &Self::requirement_of(hp, None)) {
			let _ = Self::refresh_coverage(hp, &ledger);
			return true;
		}
		let era = T::Eras::current_era();
		let since = match UncoveredSince::<T>::get(hp) {
			Some(since) => since,
			None => {
				UncoveredSince::<T>::insert(hp, era);
				Self::deposit_event(Event::CoverageLost {
					hp: hp.clone(),
					until: era.saturating_add(T::CollateralTopUpEras::get()),
				});
				era
			},
		};
		era < since.saturating_add(T::CollateralTopUpEras::get())
	}

	fn top_up_window(hp: &T::AccountId) -> Option<(EraIndex, EraIndex)> {
		UncoveredSince::<T>::get(hp)
			.map(|since| (since, since.saturating_add(T::CollateralTopUpEras::get())))
	}

	fn slash(hp: &T::AccountId, amount: Balance) -> Balance {
		Self::do_slash(hp, amount)
	}

	fn self_collateral(class: HardwareClass, capacity: u64) -> Balance {
		Balance::from(capacity).saturating_mul(SelfPerUnit::<T>::get(class))
	}

	fn early_exit_penalty(_hp: &T::AccountId, class: HardwareClass, capacity: u64) -> Balance {
		T::EarlyExitPenalty::get().mul_ceil(Self::self_collateral(class, capacity))
	}

	fn charge_early_exit(hp: &T::AccountId, class: HardwareClass, capacity: u64) -> Balance {
		let penalty = Self::early_exit_penalty(hp, class, capacity);
		let slashed = Self::do_slash(hp, penalty);
		Self::deposit_event(Event::EarlyExitCharged { hp: hp.clone(), class, penalty: slashed });
		slashed
	}
}

impl<T: Config> RewardCrediting<T::AccountId> for Pallet<T> {
	fn credit_reward(source: &T::AccountId, hp: &T::AccountId, amount: Balance) -> DispatchResult {
		Self::do_credit_reward(source, hp, amount)
	}
}
