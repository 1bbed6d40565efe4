//! SLA oracles (SPEC §5): the oracle key type, challenge outcomes, the deterministic assignment
//! of oracles to nodes, and the `SlaOracleApi` runtime API. Shared by the SLA oracle pallet (and
//! its off-chain worker), the node and the client.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	sp_core::crypto::KeyTypeId, sp_crypto_hashing::blake2_256, sp_runtime::Perbill,
};
use scale_info::TypeInfo;

use crate::{market::NodeStatus, NodeId};

/// Keystore key type of oracle keys: `icno` (insert with `icn-node key insert --key-type icno
/// --scheme sr25519`).
pub const ORACLE_KEY_TYPE: KeyTypeId = KeyTypeId(*b"icno");

/// The oracle key: sr25519 under [`ORACLE_KEY_TYPE`]. An oracle signs its reports with it; its
/// on-chain account registers it (with a proof of possession), which binds the two.
pub mod crypto {
	use super::ORACLE_KEY_TYPE;
	use polkadot_sdk::sp_application_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, ORACLE_KEY_TYPE);
}

/// An oracle's public key.
pub type OracleKey = crypto::Public;
/// A signature by an oracle key.
pub type OracleSignature = crypto::Signature;

/// Index of a challenge round.
pub type RoundIndex = u32;

/// Why a challenge failed (SPEC §5.3).
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
pub enum FailReason {
	/// No answer before the deadline.
	#[codec(index = 0)]
	Timeout,
	/// The endpoint could not be reached.
	#[codec(index = 1)]
	Unreachable,
	/// The agent answered with a non-success HTTP status.
	#[codec(index = 2)]
	HttpError(u16),
	/// The answer could not be decoded, or answered other indices than asked.
	#[codec(index = 3)]
	Malformed,
	/// The agent's data is not the data the node registered (its root differs).
	#[codec(index = 4)]
	WrongRoot,
	/// A chunk or its Merkle path does not verify against the registered root.
	#[codec(index = 5)]
	BadProof,
	/// A chunk is in the registered tree but is not the label of its parents: the agent does
	/// not hold this node's plot (SPEC §5.8).
	#[codec(index = 6)]
	BadLabel,
	/// The node has no plot bound to it (registered before SPEC §5.8), or its plot no longer
	/// covers its free capacity and the re-plot grace is over.
	#[codec(index = 7)]
	Uncovered,
}

/// What one oracle saw when it challenged one node.
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
pub enum Outcome {
	/// The node proved its data, answering in `latency_ms`.
	#[codec(index = 0)]
	Pass {
		/// Milliseconds from the first request to the verified answer.
		latency_ms: u32,
	},
	/// The node failed the challenge.
	#[codec(index = 1)]
	Fail(FailReason),
}

impl Outcome {
	/// Whether this is a pass.
	pub fn passed(&self) -> bool {
		matches!(self, Outcome::Pass { .. })
	}
}

/// The current challenge round.
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
pub struct RoundInfo {
	/// Round index.
	pub index: RoundIndex,
	/// Its seed, mixed from the oracles' beacon reveals of the round before
	/// (`pallet_sla_oracle::next_seed`), never from a block hash.
	pub seed: [u8; 32],
	/// Its first block.
	pub start: u32,
	/// The first block of the next round; reports are accepted until then.
	pub end: u32,
}

/// A node's standing with the SLA oracle, as the runtime API reports it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct NodeSla {
	/// The node's status in the market.
	pub status: NodeStatus,
	/// Its reliability score (SPEC §5.6).
	pub reliability: Perbill,
	/// The block its open anomaly began, if any (the grace runs from it, SPEC §5.5).
	pub faulty_since: Option<u32>,
	/// Rounds in a row it has passed under that anomaly; `RecoveryRounds` close it.
	pub recovery_passes: u32,
	/// What has been slashed for its current anomaly.
	pub slashed: u128,
	/// Round of the latest votes, and the votes cast for it so far (`true` = pass).
	pub round: RoundIndex,
	/// Votes in that round.
	pub votes: Vec<bool>,
	/// Whether that round was decided, and how (`Some(true)` = passed).
	pub decided: Option<bool>,
}

/// The oracles assigned to `node` in a round with `seed`, as indices into the round's oracle
/// list of `oracle_count` (SPEC §5.2): `min(per_node, oracle_count)` distinct indices drawn by a
/// partial Fisher–Yates shuffle keyed by `blake2_256("icn/asgn" ‖ seed ‖ node ‖ j)`. Every node
/// and oracle can compute it; nobody can steer it within a round.
pub fn assigned_oracles(
	seed: &[u8; 32],
	node: NodeId,
	oracle_count: u32,
	per_node: u32,
) -> Vec<u32> {
	let picks = per_node.min(oracle_count);
	let mut order: Vec<u32> = (0..oracle_count).collect();
	for j in 0..picks {
		let mut buf = [0u8; 8 + 32 + 8 + 4];
		buf[..8].copy_from_slice(b"icn/asgn");
		buf[8..40].copy_from_slice(seed);
		buf[40..48].copy_from_slice(&node.to_le_bytes());
		buf[48..].copy_from_slice(&j.to_le_bytes());
		let h = blake2_256(&buf);
		let remaining = oracle_count.saturating_sub(j).max(1);
		let offset = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) % remaining;
		order.swap(j as usize, j.saturating_add(offset) as usize);
	}
	order.truncate(picks as usize);
	order
}

/// Whether `votes` out of `assigned` oracles form a majority (strictly more than half). Oracles
/// that did not report count for neither side.
pub fn is_majority(votes: u32, assigned: u32) -> bool {
	u64::from(votes) * 2 > u64::from(assigned)
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// The SLA oracle (SPEC §5): rounds, an oracle's duties, a node's standing.
	pub trait SlaOracleApi<AccountId>
	where
		AccountId: codec::Codec,
	{
		/// The current round.
		fn round() -> RoundInfo;
		/// The nodes `oracle` must challenge in the current round (empty if it is not in the
		/// round's oracle set).
		fn assignments(oracle: AccountId) -> Vec<NodeId>;
		/// A node's status, reliability, anomaly and latest round votes.
		fn node_sla(node: NodeId) -> Option<NodeSla>;
		/// The registered oracles.
		fn oracles() -> Vec<AccountId>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn assignment_is_deterministic_distinct_and_bounded() {
		let seed = [3u8; 32];
		for count in 0..10u32 {
			for node in 0..50u64 {
				let a = assigned_oracles(&seed, node, count, 3);
				assert_eq!(a, assigned_oracles(&seed, node, count, 3));
				assert_eq!(a.len() as u32, count.min(3));
				let mut sorted = a.clone();
				sorted.sort();
				sorted.dedup();
				assert_eq!(sorted.len(), a.len(), "distinct");
				assert!(a.iter().all(|i| *i < count));
			}
		}
	}

	#[test]
	fn assignment_spreads_over_oracles_and_changes_with_the_seed() {
		let mut hits = [0u32; 10];
		for node in 0..1_000u64 {
			for i in assigned_oracles(&[1u8; 32], node, 10, 3) {
				hits[i as usize] += 1;
			}
		}
		// 3,000 picks over 10 oracles: each near 300.
		assert!(hits.iter().all(|h| (200..400).contains(h)), "{hits:?}");
		let differs = (0..100u64)
			.filter(|n| {
				assigned_oracles(&[1u8; 32], *n, 10, 3) != assigned_oracles(&[2u8; 32], *n, 10, 3)
			})
			.count();
		assert!(differs > 80);
	}

	#[test]
	fn majority_is_strict_and_missing_reports_count_for_no_side() {
		assert!(is_majority(2, 3));
		assert!(!is_majority(1, 3));
		assert!(!is_majority(1, 2), "a tie is no majority");
		assert!(is_majority(1, 1));
		assert!(!is_majority(0, 0));
	}
}
