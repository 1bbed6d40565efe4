//! Hardware nodes as the capacity market (SPEC §4) and the SLA oracle (SPEC §5) share them: the
//! node state machine, the trait through which the oracle drives it, and the reliability score the
//! market's matching reads. Only `pallet-capacity-market` keeps node storage.
//!
//! Also the market's public vocabulary — [`Preferences`], [`Quote`], [`Lease`], [`NodeInfo`] — and
//! the [`CapacityMarketApi`] runtime API (SPEC §4.9) that returns them, so that the node, the
//! client and polkadot.js decode them from metadata alone.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{DispatchError, DispatchResult, Perbill};
use scale_info::TypeInfo;

use crate::{passport::PassportId, Balance, ClusterId, EraIndex, HardwareClass, NodeId};

/// Identifier of a capacity request.
pub type RequestId = u64;
/// Identifier of a lease.
pub type LeaseId = u64;

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
	/// `Retired` this way needs a node without leases.
	fn set_status(node: NodeId, to: NodeStatus) -> DispatchResult;
	/// Retires `node` at once, leases or not (SPEC §5.5: slashed below the floor): it leaves the
	/// index, its collateral commitment is released and its passport revoked; its leases end now,
	/// eras served before it was faulty still paid, the rest refunded to the SPs as each lease is
	/// settled.
	fn force_retire(node: NodeId) -> DispatchResult;
}

/// What the SLA oracle needs to know to challenge a node and act on the outcome (and the
/// rewards pallet to weigh it).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ChallengeTarget<AccountId> {
	/// The HP whose collateral backs it.
	pub hp: AccountId,
	/// Its cluster.
	pub cluster: ClusterId,
	/// The first era after its commitment.
	pub commitment_end: EraIndex,
	/// Its hardware class.
	pub class: HardwareClass,
	/// Its capacity (its own collateral `S(n)` follows from class and capacity).
	pub capacity: u64,
	/// Its status.
	pub status: NodeStatus,
	/// URL of its hardware agent.
	pub endpoint: Vec<u8>,
	/// The registered root of its challenge data.
	pub proof_root: [u8; 32],
	/// Its plot as a verifier needs it (SPEC §5.8): `None` for a node registered before plots
	/// were bound to nodes (format version 1), which must re-plot (`set_endpoint`).
	pub plot: Option<crate::pos::PlotTarget>,
	/// Whether the plot covers what SPEC §5.8 requires now: for `Storage` nodes
	/// `ProofCoverage × free capacity`, or the re-plot grace after leases ended has not run out.
	/// Oracles fail an uncovered node (`FailReason::Uncovered`).
	pub plot_covered: bool,
	/// The capacity its plot proves (SPEC §5.8, §6.1): for `Storage` nodes the most units `u ≤
	/// capacity` with `ProofCoverage × u × 1 GiB ≤ plot bytes`; 0 for `Gpu` and `Cpu` nodes,
	/// whose plots prove availability only until their compute proofs exist. The subsidy pays
	/// these units only.
	pub proven: u64,
}

/// Read access to the market's nodes for the SLA oracle.
pub trait NodeDirectory<AccountId> {
	/// A node that is not retired, or `None`.
	fn target(node: NodeId) -> Option<ChallengeTarget<AccountId>>;
	/// Every node that is not retired. O(nodes): for off-chain workers and runtime APIs only,
	/// never for calls or hooks.
	fn live_nodes() -> Vec<NodeId>;
	/// Capacity of `Active` nodes in `(cluster, class)` that is not leased. O(1).
	fn free_capacity(cluster: ClusterId, class: HardwareClass) -> u64;
}

/// What the rewards pallet (SPEC §6) hears from the market and the SLA oracle. Every call is O(1).
///
/// The market calls `node_changed` after every change of a node's status, capacity or commitment
/// and when it retires; other pallets that keep per-node state (the SLA oracle's records) listen
/// too, through the tuple implementation: `(ClusterRewards, SlaOracle)` calls both in order.
pub trait RewardHooks<AccountId> {
	/// Something that weighs in `node`'s reward share changed (status, capacity, commitment,
	/// reliability), or it retired: its share is settled and re-weighed.
	fn node_changed(node: NodeId);
	/// SPs paid `amount` for capacity of `class` in `cluster` (lease settlement), of which the
	/// protocol took `take` (SPEC §4.10): the usage reward those fees can generate is at most
	/// `take`, so paying oneself never profits.
	fn fees_paid(cluster: ClusterId, class: HardwareClass, amount: Balance, take: Balance);
	/// `outcomes` votes of `oracle` agreed with the decided majority of their rounds (SPEC §5.7:
	/// a vote against it, or on a round never decided, earns nothing).
	fn report_accepted(oracle: &AccountId, outcomes: u32);
}

impl<AccountId> RewardHooks<AccountId> for () {
	fn node_changed(_node: NodeId) {}
	fn fees_paid(_cluster: ClusterId, _class: HardwareClass, _amount: Balance, _take: Balance) {}
	fn report_accepted(_oracle: &AccountId, _outcomes: u32) {}
}

impl<AccountId, A: RewardHooks<AccountId>, B: RewardHooks<AccountId>> RewardHooks<AccountId>
	for (A, B)
{
	fn node_changed(node: NodeId) {
		A::node_changed(node);
		B::node_changed(node);
	}
	fn fees_paid(cluster: ClusterId, class: HardwareClass, amount: Balance, take: Balance) {
		A::fees_paid(cluster, class, amount, take);
		B::fees_paid(cluster, class, amount, take);
	}
	fn report_accepted(oracle: &AccountId, outcomes: u32) {
		A::report_accepted(oracle, outcomes);
		B::report_accepted(oracle, outcomes);
	}
}

/// A node's reliability score (SPEC §5.6), which the market's matching weighs (SPEC §4.5).
pub trait NodeReliability {
	/// The score of `node`: `Perbill::one()` for a node with no failures on record.
	fn reliability(node: NodeId) -> Perbill;
	/// Whether an oracle has already reported `node` failing in the round in progress: an
	/// anomaly may be about to open, so its HP must not be able to slip out first (SPEC §3.9).
	/// O(1). No oracle, no suspicion.
	fn is_suspect(_node: NodeId) -> bool {
		false
	}
}

/// What an SP weighs when its request is matched (SPEC §4.5): weights over a lower price, a
/// higher reliability score and a longer commitment. Only their ratios matter.
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
pub struct Preferences {
	/// Weight of a low price.
	pub price: Perbill,
	/// Weight of the node's reliability score.
	pub reliability: Perbill,
	/// Weight of a long commitment.
	pub commitment: Perbill,
}

/// One node's share of a request.
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
pub struct Allocation {
	/// The node.
	pub node: NodeId,
	/// Units allocated on it.
	pub units: u64,
	/// Its price per unit per era.
	pub price: Balance,
}

/// What a request would get: its allocations and their total cost over the lease.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Quote {
	/// Allocations in the order they were made (best score first).
	pub allocations: Vec<Allocation>,
	/// Units allocated in total.
	pub allocated: u64,
	/// `Σ units × price × duration`.
	pub cost: Balance,
}

/// A slice of one node's capacity leased to one SP (SPEC §4.7).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Lease<AccountId> {
	/// The request it came from.
	pub request: RequestId,
	/// The node.
	pub node: NodeId,
	/// The SP that pays for it.
	pub sp: AccountId,
	/// Units leased.
	pub units: u64,
	/// Price per unit per era, fixed for the lease.
	pub price: Balance,
	/// First era of service (the era after the request).
	pub start: EraIndex,
	/// First era after the lease.
	pub end: EraIndex,
	/// Eras before this one are settled.
	pub settled_to: EraIndex,
	/// A renewal took over its capacity: it no longer counts toward the node's `leased`.
	pub renewed: bool,
	/// It is a renewal (`renew_lease`), not a match: made without a coverage check, since an
	/// uncovered HP's existing leases continue (SPEC §3.8). A lease that is not one was matched
	/// in era `start − 1`, to an HP that accepted new leases then.
	pub renewal: bool,
}

impl<A> Lease<A> {
	/// What one era of the lease costs.
	pub fn per_era(&self) -> Balance {
		Balance::from(self.units).saturating_mul(self.price)
	}
}

/// A hardware node as the runtime API reports it (SPEC §4.9).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct NodeInfo<AccountId> {
	/// The HP that runs it.
	pub hp: AccountId,
	/// The `HardwareProvider` passport staked for it.
	pub passport: PassportId,
	/// Its cluster.
	pub cluster: ClusterId,
	/// Its hardware class.
	pub class: HardwareClass,
	/// Capacity, in the class's unit.
	pub capacity: u64,
	/// Capacity leased.
	pub leased: u64,
	/// Price per unit per era.
	pub price: Balance,
	/// The first era after its commitment.
	pub commitment_end: EraIndex,
	/// URL of its hardware agent.
	pub endpoint: Vec<u8>,
	/// The registered root of its plot (SPEC §5.8).
	pub proof_root: [u8; 32],
	/// Its plot: nonce, shape and Merkle tree root.
	pub plot: crate::pos::Plot,
	/// Where it is in its life.
	pub status: NodeStatus,
	/// Its reliability score (SPEC §5.6).
	pub reliability: Perbill,
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// The capacity market (SPEC §4.9): what a request would get, free capacity, nodes and leases.
	pub trait CapacityMarketApi<AccountId>
	where
		AccountId: codec::Codec,
	{
		/// What `request_capacity` with these arguments would allocate and cost on the current
		/// state, without submitting it. The same function decides the real request, so a request
		/// in the next block on unchanged state gets exactly this. Errors as the request would
		/// (unknown cluster, class not accepted, zero amount, duration too short, overflow).
		fn quote(
			cluster: ClusterId,
			class: HardwareClass,
			amount: u64,
			duration: EraIndex,
			max_price: Balance,
			preferences: Preferences,
		) -> Result<Quote, DispatchError>;
		/// Capacity of `Active` nodes in `(cluster, class)` that is not leased.
		fn free_capacity(cluster: ClusterId, class: HardwareClass) -> u64;
		/// A node that has not retired.
		fn node(node: NodeId) -> Option<NodeInfo<AccountId>>;
		/// The open leases an SP pays for, by id.
		fn leases_of(sp: AccountId) -> Vec<(LeaseId, Lease<AccountId>)>;
	}
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
