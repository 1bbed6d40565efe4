//! Passports (SPEC §2): the NFTs an HP or an oracle stakes as its entry ticket, and the trait other
//! pallets stake, release and revoke them through. Only the passports pallet keeps their storage.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::DispatchResult;
use scale_info::TypeInfo;

use crate::NodeId;

/// Identifier of a passport. Sequential, never reused (a revoked passport's id stays retired).
pub type PassportId = u32;

/// What a passport entitles its owner to stake for.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PassportKind {
	/// Backs one hardware node (SPEC §4.2).
	#[codec(index = 0)]
	HardwareProvider,
	/// Backs one SLA oracle registration (SPEC §5.1).
	#[codec(index = 1)]
	Oracle,
}

/// What a staked passport backs: exactly one thing at a time (SPEC §2.3, §9).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum PassportUse {
	/// The hardware node with this id.
	#[codec(index = 0)]
	HardwareNode(NodeId),
	/// The owner's oracle registration.
	#[codec(index = 1)]
	Oracle,
}

impl PassportUse {
	/// The kind of passport this use needs.
	pub const fn required_kind(&self) -> PassportKind {
		match self {
			PassportUse::HardwareNode(_) => PassportKind::HardwareProvider,
			PassportUse::Oracle => PassportKind::Oracle,
		}
	}
}

/// Read access to passports.
pub trait PassportInspect<AccountId> {
	/// The owner of `passport`, or `None` if it does not exist (never minted, or revoked).
	fn owner_of(passport: PassportId) -> Option<AccountId>;
	/// The kind of `passport`, or `None` if it does not exist.
	fn kind_of(passport: PassportId) -> Option<PassportKind>;
	/// What `passport` backs, or `None` if it is not staked (or does not exist).
	fn use_of(passport: PassportId) -> Option<PassportUse>;
}

/// Staking, releasing and revoking passports: the only way anything but the passports pallet
/// changes a passport's state (SPEC §2.5).
pub trait PassportStaking<AccountId>: PassportInspect<AccountId> {
	/// Stakes `passport`, owned by `owner`, for `usage`. Fails, changing nothing, if the passport
	/// does not exist, is not `owner`'s, is of the wrong kind, or is already staked.
	fn stake(owner: &AccountId, passport: PassportId, usage: PassportUse) -> DispatchResult;
	/// Releases `passport` from `usage` (the node retired, the oracle left). Fails, changing
	/// nothing, if the passport does not back exactly `usage`.
	fn unstake(passport: PassportId, usage: PassportUse) -> DispatchResult;
	/// Revokes (burns) `passport`: its collateral role ends with it (SPEC §2.4). Works whether or
	/// not it is staked; fails only if it does not exist.
	fn revoke(passport: PassportId) -> DispatchResult;
}
