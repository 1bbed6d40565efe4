//! Collateral and delegation (SPEC §3): the traits through which the capacity market commits
//! node capacity against an HP's collateral, slashes it and charges early exits, and through
//! which the rewards pallet credits node rewards to an HP's pool; the types of the
//! `CollateralApi` runtime API. Only `pallet-collateral-delegation` keeps collateral storage.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{traits::BlockNumberProvider, DispatchResult, Perbill};
use scale_info::TypeInfo;

use crate::{Balance, EraIndex, HardwareClass};

/// An HP's collateral requirement `C = S + N` for all capacity it has committed (SPEC §3.1).
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
pub struct Requirement {
	/// `S`: the node component, which the HP's own bond must cover.
	pub self_component: Balance,
	/// `N`: the network component, covered by the HP's excess bond plus its delegation pool.
	pub network_component: Balance,
}

impl Requirement {
	/// `S + N`, saturating.
	pub fn total(&self) -> Balance {
		self.self_component.saturating_add(self.network_component)
	}
}

/// `class_share[class]` of SPEC §3.1: each class's part of the network component.
///
/// `N(n) = capacity(n) / network_capacity[class] × circulating × network_ratio ×
/// class_share[class]`: with shares that sum to 100% the whole network asks for `network_ratio`
/// of the circulating supply, however many classes there are (without them it asked for
/// `classes × network_ratio`). One field per class, so a new class cannot be added without its
/// share.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClassShares {
	/// The share of `Storage`.
	pub storage: Perbill,
	/// The share of `Gpu`.
	pub gpu: Perbill,
	/// The share of `Cpu`.
	pub cpu: Perbill,
}

impl ClassShares {
	/// The share of `class`.
	pub fn of(&self, class: HardwareClass) -> Perbill {
		match class {
			HardwareClass::Storage => self.storage,
			HardwareClass::Gpu => self.gpu,
			HardwareClass::Cpu => self.cpu,
		}
	}

	/// Whether every class has a share and the shares add up to exactly 100% (SPEC §3.1),
	/// computed without overflow. A class at 0% would need no network collateral at all: its
	/// nodes' `N(n)` would be nothing whatever capacity they commit (every cluster may accept
	/// every class), so a share is never 0.
	pub fn is_complete(&self) -> bool {
		let total = u64::from(self.storage.deconstruct())
			+ u64::from(self.gpu.deconstruct())
			+ u64::from(self.cpu.deconstruct());
		!self.storage.is_zero()
			&& !self.gpu.is_zero()
			&& !self.cpu.is_zero()
			&& total == u64::from(Perbill::one().deconstruct())
	}
}

/// Whether an HP's nodes may take new leases (SPEC §3.8).
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
pub enum CoverageStatus {
	/// Bond and pool cover the requirement.
	Covered,
	/// Not covered since an earlier era; new leases are still allowed until (excluding) `until`.
	TopUp {
		/// The first era in which new leases stop unless the HP has topped up.
		until: EraIndex,
	},
	/// Not covered and the top-up window has passed: no new leases (existing ones go on).
	Uncovered,
}

/// What `CollateralApi::collateral_of` reports about an HP.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct CollateralInfo {
	/// Requirement of the HP's committed capacity, at the current circulating supply.
	pub requirement: Requirement,
	/// The HP's own active bond (held under the self-collateral hold reason).
	pub self_bond: Balance,
	/// The HP's own collateral that is unbonding (still held and slashable).
	pub self_unbonding: Balance,
	/// Active value of the HP's delegation pool.
	pub pool_value: Balance,
	/// Value of the pool's unbonding delegations (still held and slashable).
	pub pool_unbonding: Balance,
	/// Number of accounts delegating to the HP.
	pub delegators: u32,
	/// The HP's commission on rewards.
	pub commission: Perbill,
	/// How much more collateral the HP needs to be covered (0 when covered).
	pub shortfall: Balance,
	/// Coverage and top-up window.
	pub status: CoverageStatus,
}

/// Collateral as the capacity market uses it (SPEC §3.1, §3.5, §3.7, §3.8).
pub trait NodeCollateral<AccountId> {
	/// Commits `capacity` units of `class` for `hp` (a node registers or grows). Fails, changing
	/// nothing, if `hp`'s bond and pool would not cover the requirement including this capacity.
	fn commit(hp: &AccountId, class: HardwareClass, capacity: u64) -> DispatchResult;
	/// Releases `capacity` units of `class` committed by `hp` (a node shrinks or leaves). Fails,
	/// changing nothing, if `hp` has not committed that much.
	fn release(hp: &AccountId, class: HardwareClass, capacity: u64) -> DispatchResult;
	/// The requirement of `hp`'s committed capacity now.
	fn requirement(hp: &AccountId) -> Requirement;
	/// A node's own collateral `S(n) = capacity × selfPerUnit[class]` (SPEC §3.1).
	fn self_collateral(class: HardwareClass, capacity: u64) -> Balance;
	/// Whether `hp`'s nodes may take new leases: covered, or inside the top-up window. Records
	/// when `hp` first became uncovered (starting the window) and clears it once covered again.
	fn accepts_new_leases(hp: &AccountId) -> bool;
	/// The top-up window recorded for `hp`, `(since, until)`: found uncovered in era `since`
	/// (and not found covered since), new leases stop from era `until`. `None` when none is
	/// recorded. Read-only; what `accepts_new_leases` judged by.
	fn top_up_window(hp: &AccountId) -> Option<(EraIndex, EraIndex)>;
	/// Slashes up to `amount` from `hp`: its own collateral first (active, then unbonding), then
	/// its pool as a whole. Returns what was slashed. Never fails; slashes what there is.
	fn slash(hp: &AccountId, amount: Balance) -> Balance;
	/// The early-exit penalty for leaving with `capacity` units of `class` before the node's
	/// commitment ends: `EarlyExitPenalty × S(node)` (SPEC §3.7).
	fn early_exit_penalty(hp: &AccountId, class: HardwareClass, capacity: u64) -> Balance;
	/// Slashes the early-exit penalty for `capacity` units of `class`. Returns what was slashed.
	fn charge_early_exit(hp: &AccountId, class: HardwareClass, capacity: u64) -> Balance;
}

/// Crediting node rewards to an HP (SPEC §3.4, §6.2).
pub trait RewardCrediting<AccountId> {
	/// Moves `amount` from `source` (the reward pool) into the rewards pot and splits it for
	/// `hp`: commission to the HP, the rest by stake between its bond and its pool. Fails,
	/// changing nothing, if `hp` has no collateral or `source` cannot pay.
	fn credit_reward(source: &AccountId, hp: &AccountId, amount: Balance) -> DispatchResult;
}

/// The protocol's current era.
pub trait EraProvider {
	/// The current era.
	fn current_era() -> EraIndex;
	/// Blocks in an era (fixed after genesis).
	fn era_length() -> u32;
	/// Blocks of the current era from the current block on, the current block included
	/// (`1..=era_length()`): what a weight set now is in force for until the era ends.
	fn blocks_left_in_era() -> u32;
}

/// Eras of `Length` blocks counted from block 0 of the chain `P` reports.
pub struct BlockEras<P, Length>(core::marker::PhantomData<(P, Length)>);

impl<P, Length> EraProvider for BlockEras<P, Length>
where
	P: BlockNumberProvider,
	P::BlockNumber: Into<u64>,
	Length: polkadot_sdk::sp_core::Get<EraIndex>,
{
	fn current_era() -> EraIndex {
		let block: u64 = P::current_block_number().into();
		let length = u64::from(Length::get().max(1));
		EraIndex::try_from(block / length).unwrap_or(EraIndex::MAX)
	}

	fn era_length() -> u32 {
		Length::get().max(1)
	}

	fn blocks_left_in_era() -> u32 {
		let block: u64 = P::current_block_number().into();
		let length = u64::from(Length::get().max(1));
		// `block % length < length ≤ u32::MAX`: the difference fits.
		u32::try_from(length.saturating_sub(block % length)).unwrap_or(1)
	}
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Collateral and delegation (SPEC §3): an HP's requirement, bonds, pool and shortfall, and
	/// the rewards an account can claim.
	pub trait CollateralApi<AccountId>
	where
		AccountId: codec::Codec,
	{
		/// Collateral of `hp`, or `None` if it has never bonded.
		fn collateral_of(hp: AccountId) -> Option<CollateralInfo>;
		/// The rewards `who` can claim from `hp`'s pool (its HP rewards when `who == hp`).
		fn pending_rewards(who: AccountId, hp: AccountId) -> Balance;
		/// The collateral requirement of committing `capacity` more units of `class` for `hp`.
		fn requirement_with(hp: AccountId, class: HardwareClass, capacity: u64) -> Requirement;
	}
}
