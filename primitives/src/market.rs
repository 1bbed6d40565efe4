//! Hardware nodes as the capacity market (SPEC §4) and the SLA oracle (SPEC §5) share them: the
//! node state machine, the trait through which the oracle drives it, and the reliability score the
//! market's matching reads. Only `pallet-capacity-market` keeps node storage.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{DispatchResult, Perbill};
use scale_info::TypeInfo;

use crate::NodeId;

/// Where a hardware node is in its life (SPEC §4.2, §5.5).
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
pub enum NodeStatus {
	/// Registered; waiting for its first passed challenge round. Takes no leases.
	#[codec(index = 0)]
	Pending,
	/// Passed its challenges; takes leases and earns rewards.
	#[codec(index = 1)]
	Active,
	/// A majority of its oracles failed it; within the grace period. Its eras are not paid.
	#[codec(index = 2)]
	Faulty,
	/// Still failing after the grace period: slashed every era. Its eras are not paid.
	#[codec(index = 3)]
	Slashing,
	/// Gone: exited, or force-retired below the collateral floor. Final.
	#[codec(index = 4)]
	Retired,
}

impl NodeStatus {
	/// Whether the SLA oracle may move a node from `self` to `to` (SPEC §4.2, §5.5–§5.7):
	/// `Pending → Active` (first pass), `Active → Faulty` (anomaly), `Faulty → Slashing` (grace
	/// over), `Faulty | Slashing → Active` (recovered), and any live state `→ Retired`.
	pub const fn can_become(self, to: NodeStatus) -> bool {
		use NodeStatus::*;
		matches!(
			(self, to),
			(Pending, Active)
				| (Active, Faulty)
				| (Faulty, Slashing)
				| (Faulty, Active)
				| (Slashing, Active)
				| (Pending, Retired)
				| (Active, Retired)
				| (Faulty, Retired)
				| (Slashing, Retired)
		)
	}

	/// Whether eras in this state are paid to the HP (SPEC §4.7): not while `Faulty` or `Slashing`.
	pub const fn is_paid(self) -> bool {
		matches!(self, NodeStatus::Active)
	}
}

/// The SLA oracle's handle on nodes: it reads their status and drives their transitions; the
/// market owns the state and enforces [`NodeStatus::can_become`].
pub trait NodeHealth {
	/// The status of `node`, or `None` if it never existed.
	fn status(node: NodeId) -> Option<NodeStatus>;
	/// Moves `node` to `to`. Fails, changing nothing, on an unknown node or an illegal transition.
	fn set_status(node: NodeId, to: NodeStatus) -> DispatchResult;
}

/// A node's reliability score (SPEC §5.6), which the market's matching weighs (SPEC §4.5).
pub trait NodeReliability {
	/// The score of `node`: `Perbill::one()` for a node with no failures on record.
	fn reliability(node: NodeId) -> Perbill;
}

#[cfg(test)]
mod tests {
	use super::*;
	use NodeStatus::*;

	#[test]
	fn only_the_spec_transitions_are_allowed() {
		let all = [Pending, Active, Faulty, Slashing, Retired];
		let allowed: Vec<(NodeStatus, NodeStatus)> = all
			.iter()
			.flat_map(|from| all.iter().map(move |to| (*from, *to)))
			.filter(|(from, to)| from.can_become(*to))
			.collect();
		assert_eq!(
			allowed,
			vec![
				(Pending, Active),
				(Pending, Retired),
				(Active, Faulty),
				(Active, Retired),
				(Faulty, Active),
				(Faulty, Slashing),
				(Faulty, Retired),
				(Slashing, Active),
				(Slashing, Retired),
			]
		);
		assert!(!Retired.can_become(Active), "retirement is final");
	}

	#[test]
	fn only_active_eras_are_paid() {
		assert!(Active.is_paid());
		assert!(![Pending, Faulty, Slashing, Retired].iter().any(|s| s.is_paid()));
	}
}
