//! Cluster rewards (SPEC §6): what the `RewardsApi` runtime API (SPEC §6.5) returns, so that the
//! node, the client and polkadot.js decode it from metadata alone.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::Perbill;
use scale_info::TypeInfo;

use crate::{Balance, ClusterId, EraIndex, HardwareClass, NodeId};

/// The current reward rates of one `(cluster, class)` group.
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
pub struct GroupRates {
	/// Its cluster.
	pub cluster: ClusterId,
	/// Its hardware class.
	pub class: HardwareClass,
	/// Capacity of its rewardable (`Active`) nodes.
	pub capacity: u64,
	/// Of that, the units their plots prove: what the subsidy pays for (SPEC §6.1; `Gpu` and `Cpu` capacity proves nothing until compute proofs exist).
	pub proven: u64,
	/// Share of that capacity under lease.
	pub utilization: Perbill,
	/// The subsidy of the era in progress if nothing changes until its end (on the era's
	/// average proven units), before the network-wide cap.
	pub subsidy_per_era: Balance,
	/// SP fees paid in the group so far in the current era.
	pub fees_this_era: Balance,
	/// The usage reward those fees earn at the end of the era, before the cap.
	pub usage_this_era: Balance,
	/// What the last finished era gave the group (after the cap): subsidy …
	pub last_subsidy: Balance,
	/// … and usage reward.
	pub last_usage: Balance,
}

/// An account's rewards earned and not yet claimed.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct PendingRewards {
	/// Per node the account runs as HP: rewards `claim_node_rewards` would credit to its pool
	/// (then split into commission, self-bond share and delegators' shares, SPEC §3.4).
	pub nodes: Vec<(NodeId, Balance)>,
	/// Oracle rewards of finished eras that `claim_oracle_rewards` would pay.
	pub oracle: Balance,
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Cluster rewards (SPEC §6.5): rates per group and an account's pending rewards.
	pub trait RewardsApi<AccountId>
	where
		AccountId: codec::Codec,
	{
		/// The rates of every group with reward parameters in `cluster`.
		fn cluster_rates(cluster: ClusterId) -> Vec<GroupRates>;
		/// The rates of every group with reward parameters.
		fn all_rates() -> Vec<GroupRates>;
		/// `who`'s unclaimed node and oracle rewards.
		fn pending_rewards(who: AccountId) -> PendingRewards;
		/// The last era whose rewards were allocated.
		fn processed_era() -> EraIndex;
	}
}
