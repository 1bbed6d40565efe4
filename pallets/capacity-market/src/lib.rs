//! # Capacity market pallet (SPEC §4)
//!
//! Clusters, hardware nodes and the sorted index that matching reads. (Requests, matching,
//! leases and settlement follow the design in `docs/design/capacity-market.md`.)
//!
//! * Governance creates clusters ([`Pallet::create_cluster`]) with a region code and the hardware
//!   classes they accept.
//! * An HP registers a node ([`Pallet::register_node`]): its `HardwareProvider` passport is staked
//!   through [`PassportStaking`], the node's capacity is committed against the HP's collateral
//!   through [`NodeCollateral`] (which refuses it unless `C = S + N` is covered, SPEC §3.1), and the
//!   node starts `Pending` until its first passed challenge round.
//! * The HP manages it: price ([`Pallet::set_price`]), endpoint and proof root
//!   ([`Pallet::set_endpoint`]), capacity ([`Pallet::add_capacity`]), commitment
//!   ([`Pallet::extend_commitment`]), and exit ([`Pallet::exit_node`], early exits pay the penalty
//!   of SPEC §3.7).
//! * The SLA oracle drives the node state machine through [`NodeHealth`]; the pallet enforces
//!   [`NodeStatus::can_become`].
//!
//! ## The candidate index
//!
//! Matching must not scan nodes (SPEC §4.6). [`Candidates`] is keyed per `(cluster, class)` by a
//! [`SortKey`] that encodes the node's price and id **big-endian** under the `Identity` hasher, so
//! iterating the prefix yields nodes by ascending price, then id, and reads only what it consumes.
//! A node is in the index exactly while it is `Active` and has free capacity.
//!
//! Storage that grows with users (SPEC §9): nodes (each needs a staked passport, which only
//! governance mints, and held collateral) and their per-HP index; leases and their per-SP and
//! per-node index entries, each paid for by `LeaseDeposit` held from its SP until it is removed
//! ([`HoldReason::LeaseDeposit`]), so leases with dust escrow are not free.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use icn_primitives::market::{Allocation, Lease, LeaseId, Preferences, Quote, RequestId};
pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use icn_primitives::{
	collateral::{EraProvider, NodeCollateral, RewardCrediting},
	market::{NodeHealth, NodeInfo, NodeReliability, NodeStatus, RewardHooks},
	passport::{PassportId, PassportStaking, PassportUse},
	pos::Plot,
	Balance, ClusterId, EraIndex, HardwareClass, NodeId,
};
use polkadot_sdk::{frame_support, frame_system};

use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::Precision,
	},
};
use polkadot_sdk::sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

/// Eras in `from..to` that overlap any of `faults` (each `start..end`, end exclusive).
pub fn faulty_eras(faults: &[(EraIndex, EraIndex)], from: EraIndex, to: EraIndex) -> EraIndex {
	faults.iter().fold(0, |sum: EraIndex, (start, end)| {
		let lo = (*start).max(from);
		let hi = (*end).min(to);
		sum.saturating_add(hi.saturating_sub(lo))
	})
}

/// What the benchmarks need from the runtime: HPs with passports and collateral (which this
/// pallet reaches only through traits that cannot create them), and moving time forward.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Gives `hp` a new `HardwareProvider` passport and bonds enough collateral for any node a
	/// benchmark registers. Returns the passport.
	fn provision_hp(hp: &AccountId) -> PassportId;
	/// Moves the chain `eras` eras forward.
	fn advance_eras(eras: EraIndex);
	/// Makes `hp` uncovered past its top-up window (SPEC §3.8), so that its nodes take no new
	/// leases: the costliest entry a request passes over. May move the chain forward.
	fn uncover_hp(hp: &AccountId);
}

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::market";

/// Position of a node in the candidate index: price then node id, both big-endian, so that the
/// raw key order is the matching order (SPEC §4.5: cheapest first, ties by node id).
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
pub struct SortKey(pub [u8; 24]);

impl SortKey {
	/// The key of `node` at `price`.
	pub fn new(price: Balance, node: NodeId) -> Self {
		let mut bytes = [0u8; 24];
		bytes[..16].copy_from_slice(&price.to_be_bytes());
		bytes[16..].copy_from_slice(&node.to_be_bytes());
		SortKey(bytes)
	}

	/// The price and node id this key encodes.
	pub fn decode_parts(&self) -> (Balance, NodeId) {
		let mut price = [0u8; 16];
		price.copy_from_slice(&self.0[..16]);
		let mut node = [0u8; 8];
		node.copy_from_slice(&self.0[16..]);
		(Balance::from_be_bytes(price), NodeId::from_be_bytes(node))
	}
}

/// The ids the next request and the next lease get ([`pallet::NextIds`]); both count from 0.
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
pub struct Ids {
	/// The next request's id.
	pub request: RequestId,
	/// The next lease's id.
	pub lease: LeaseId,
}

/// What matching read of the candidate index ([`Pallet::do_quote`]): the request's weight.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EntriesRead {
	/// Eligible candidates it scored (at most `MaxCandidates`).
	pub considered: u32,
	/// Entries it passed over as unable to serve the request (at most `MaxSkipped`).
	pub skipped: u32,
}

/// A candidate's place in the index: its `(cluster, class)`, sort key and free units.
type IndexEntry = ((ClusterId, HardwareClass), SortKey, u64);

/// Whether `endpoint` is an acceptable agent URL: `http://` or `https://`, then a non-empty rest
/// of printable ASCII without spaces (SPEC §4.2).
pub fn valid_endpoint(endpoint: &[u8]) -> bool {
	let rest = if let Some(rest) = endpoint.strip_prefix(b"https://") {
		rest
	} else if let Some(rest) = endpoint.strip_prefix(b"http://") {
		rest
	} else {
		return false;
	};
	!rest.is_empty() && !rest.starts_with(b"/") && rest.iter().all(|b| b.is_ascii_graphic())
}

/// A cluster: a region created by governance (SPEC §4.1).
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
#[scale_info(skip_type_params(MaxRegionLen))]
pub struct Cluster<MaxRegionLen: Get<u32>> {
	/// Region code, e.g. `eu-central-1`.
	pub region: BoundedVec<u8, MaxRegionLen>,
	/// The hardware classes the cluster accepts.
	pub classes: BoundedVec<HardwareClass, ConstU32<8>>,
}

/// A hardware node (SPEC §4.2).
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
#[scale_info(skip_type_params(MaxEndpointLen))]
pub struct Node<AccountId: Clone + Eq + core::fmt::Debug, MaxEndpointLen: Get<u32>> {
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
	/// Capacity currently leased.
	pub leased: u64,
	/// Price per unit per era.
	pub price: Balance,
	/// The first era after its commitment.
	pub commitment_end: EraIndex,
	/// URL of its hardware agent.
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// The registered root of its plot (SPEC §5.3, §5.8): bound to the HP, the passport and
	/// [`Self::plot`] ([`Plot::bound_root`]).
	pub proof_root: [u8; 32],
	/// Its plot: nonce, leaf count, chunk size and Merkle tree root. A node registered before
	/// plots were bound to nodes carries `Plot::default()` (no chunks), which no oracle can
	/// verify: it must re-plot with [`Pallet::set_endpoint`] ([`migrations::v3`]).
	pub plot: Plot,
	/// Where it is in its life.
	pub status: NodeStatus,
	/// Eras in which it was `Faulty` or `Slashing` (`start..end`, end exclusive; an open interval
	/// ends at `EraIndex::MAX`), oldest first. Those eras are not paid to the HP (SPEC §4.7).
	pub faults: BoundedVec<(EraIndex, EraIndex), ConstU32<MAX_FAULT_INTERVALS>>,
}

/// Fault intervals kept per node. When full, a new fault is merged into the last interval: the
/// eras between are then not paid either, which never favours the HP of a node that keeps
/// failing.
pub const MAX_FAULT_INTERVALS: u32 = 16;

impl<A: Clone + Eq + core::fmt::Debug, M: Get<u32>> Node<A, M> {
	/// Capacity not leased.
	pub fn free(&self) -> u64 {
		self.capacity.saturating_sub(self.leased)
	}

	/// Whether matching may consider it: `Active` with free capacity.
	pub fn is_candidate(&self) -> bool {
		self.status == NodeStatus::Active && self.free() > 0
	}

	/// Whether its plot covers its free capacity at `coverage` (SPEC §5.8): for `Storage` nodes
	/// `plot bytes ≥ coverage × free × 1 GiB` (rounded up); `Gpu` and `Cpu` nodes prove
	/// availability with a plot of any accepted shape until their compute proofs exist.
	pub fn plot_covers(&self, coverage: Perbill) -> bool {
		plot_covers(&self.plot, self.class, self.free(), coverage)
	}
}

/// Bytes in one unit of `Storage` capacity (GiB).
pub const GIB: u128 = 1 << 30;

/// The units of `class` that `plot` proves, at most `capacity` (SPEC §5.8, §6.1): for `Storage`
/// the most `u` with `coverage × u × 1 GiB ≤ plot bytes` — the same test as [`plot_covers`], so
/// `plot_covers(plot, Storage, plot_proves(..), coverage)` always holds — and 0 for `Gpu` and
/// `Cpu`, which have no capacity proof yet. A plot whose shape the oracles cannot check proves
/// nothing.
pub fn plot_proves(plot: &Plot, class: HardwareClass, capacity: u64, coverage: Perbill) -> u64 {
	if class != HardwareClass::Storage || plot.check_shape().is_err() {
		return 0;
	}
	let parts = u128::from(coverage.deconstruct());
	if parts == 0 {
		return capacity;
	}
	// `ceil(u × GiB × parts / 10^9) ≤ bytes` ⟺ `u ≤ bytes × 10^9 / (GiB × parts)` (bytes is an
	// integer), so rounding down is exact.
	let one = u128::from(Perbill::one().deconstruct());
	let units = polkadot_sdk::sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
		u128::from(plot.bytes()),
		one,
		GIB.saturating_mul(parts),
		polkadot_sdk::sp_runtime::Rounding::Down,
	)
	.unwrap_or(0);
	u64::try_from(units).unwrap_or(u64::MAX).min(capacity)
}

/// Whether `plot` covers `free` units of `class` at `coverage` (see [`Node::plot_covers`]).
pub fn plot_covers(plot: &Plot, class: HardwareClass, free: u64, coverage: Perbill) -> bool {
	match class {
		HardwareClass::Storage => {
			let required = coverage.mul_ceil(u128::from(free).saturating_mul(GIB));
			u128::from(plot.bytes()) >= required
		},
		_ => true,
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version. 2: the request and lease counters became one value,
	/// [`NextIds`] ([`migrations::v2`]). 3: nodes carry their [`Plot`] ([`migrations::v3`]).
	/// 4: a lease records whether it is a renewal ([`migrations::v4`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(4);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Passports, staked for each node.
		type Passports: PassportStaking<Self::AccountId>;
		/// HP collateral, committed for each node's capacity.
		type Collateral: NodeCollateral<Self::AccountId>;
		/// The protocol's era.
		type Eras: EraProvider;
		/// Who creates clusters (root on ICN's chains).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Longest region code of a cluster, in bytes.
		#[pallet::constant]
		type MaxRegionLen: Get<u32>;
		/// Longest agent endpoint URL, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Shortest commitment a node may register with, in eras.
		#[pallet::constant]
		type MinCommitmentEras: Get<EraIndex>;
		/// The native token: SP escrow is held on the SP's account.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Reliability scores of nodes (the SLA oracle).
		type Reliability: NodeReliability;
		/// Most candidates a request considers (SPEC §4.6).
		#[pallet::constant]
		type MaxCandidates: Get<u32>;
		/// Most index entries a request passes over because they cannot serve it (a commitment
		/// that ends before the lease would, an HP whose collateral no longer covers it): a
		/// budget of their own, so cheap ineligible nodes cannot use up `MaxCandidates` and hide
		/// the eligible ones behind them (SPEC §4.10). Hiding them takes more than this many
		/// such nodes, each with its own passport, which only governance mints.
		#[pallet::constant]
		type MaxSkipped: Get<u32>;
		/// Most nodes one request is split across: each allocation is a lease with its own
		/// writes, so this bounds a request's weight (SPEC leaves it open; at most
		/// `MaxCandidates`). A request that would need more nodes gets these, and fails unless
		/// `allow_partial`.
		#[pallet::constant]
		type MaxAllocations: Get<u32>;
		/// Where HPs' lease income goes: credited to the HP's pool split (SPEC §3.4).
		type Rewards: RewardCrediting<Self::AccountId>;
		/// Told about every change of a node's status, capacity or commitment, its retirement,
		/// and the fees SPs pay (the rewards pallet, SPEC §6; the SLA oracle's node records).
		type Hooks: RewardHooks<Self::AccountId>;
		/// `LeaseTake` (SPEC §4.10): the protocol's share of every lease payment, paid to
		/// [`Config::Treasury`]. The usage reward a payment can generate never exceeds it (the
		/// rewards pallet caps usage rewards by the takes, `RewardHooks::fees_paid`), so an SP
		/// leasing its own HP's node loses at least what it could earn back.
		#[pallet::constant]
		type LeaseTake: Get<Perbill>;
		/// Where the lease take goes.
		type Treasury: Get<Self::AccountId>;
		/// Held from the SP for every open lease and returned when it is removed: leases (and
		/// their two index entries) are storage that grows with users, so each is paid for
		/// however small its escrow (SPEC §9). Changing it needs a migration of the holds.
		#[pallet::constant]
		type LeaseDeposit: Get<Balance>;
		/// Notice an SP gives to cancel a lease, in eras (SPEC §4.8).
		#[pallet::constant]
		type CancelNoticeEras: Get<EraIndex>;
		/// Eras an HP has to re-plot after ending leases left its plot short of its free
		/// capacity (SPEC §5.8); after that oracles fail the node (`FailReason::Uncovered`), which
		/// opens the ordinary anomaly with its own grace.
		#[pallet::constant]
		type PlotGraceEras: Get<EraIndex>;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
		/// What the benchmarks need from the rest of the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// A cluster as stored by this runtime.
	pub type ClusterOf<T> = Cluster<<T as Config>::MaxRegionLen>;
	/// A node as stored by this runtime.
	pub type NodeOf<T> =
		Node<<T as frame_system::Config>::AccountId, <T as Config>::MaxEndpointLen>;

	/// Every cluster, by id.
	#[pallet::storage]
	pub type Clusters<T: Config> = StorageMap<_, Twox64Concat, ClusterId, ClusterOf<T>>;

	/// The id the next cluster gets.
	#[pallet::storage]
	pub type NextClusterId<T: Config> = StorageValue<_, ClusterId, ValueQuery>;

	/// Every node that has not retired, by id.
	#[pallet::storage]
	pub type Nodes<T: Config> = StorageMap<_, Twox64Concat, NodeId, NodeOf<T>>;

	/// The id the next node gets. Ids are never reused.
	#[pallet::storage]
	pub type NextNodeId<T: Config> = StorageValue<_, NodeId, ValueQuery>;

	/// An HP's nodes, so they can be listed without a scan.
	#[pallet::storage]
	pub type NodesByHp<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, NodeId, ()>;

	/// The candidate index (see the crate docs): `Active` nodes with free capacity per
	/// `(cluster, class)`, in matching order.
	#[pallet::storage]
	pub type Candidates<T: Config> =
		StorageDoubleMap<_, Twox64Concat, (ClusterId, HardwareClass), Identity, SortKey, ()>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An SP's payment for its leases, held until each era of service is settled (SPEC §4.4).
		#[codec(index = 0)]
		Escrow,
		/// An SP's deposit for the storage of each open lease, returned when it is removed.
		#[codec(index = 1)]
		LeaseDeposit,
	}

	/// Every open lease, by id.
	#[pallet::storage]
	pub type Leases<T: Config> = StorageMap<_, Twox64Concat, LeaseId, Lease<T::AccountId>>;

	/// The ids the next request and the next lease get. One value, so a request (which takes
	/// one of each, or a renewal, which takes a lease id) reads and writes one key.
	#[pallet::storage]
	pub type NextIds<T: Config> = StorageValue<_, Ids, ValueQuery>;

	/// An SP's leases, so they can be listed without a scan. Each is paid for by escrow.
	#[pallet::storage]
	pub type LeasesBySp<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, LeaseId, ()>;

	/// A node's leases, so a retiring node's leases can be found without a scan.
	#[pallet::storage]
	pub type LeasesByNode<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NodeId, Twox64Concat, LeaseId, ()>;

	/// Nodes force-retired with open leases (SPEC §5.5), and the era they retired: service ended
	/// then. Each such node stays in [`Nodes`] as `Retired` until its last lease is settled.
	#[pallet::storage]
	pub type ForceRetired<T: Config> = StorageMap<_, Twox64Concat, NodeId, EraIndex>;

	/// Free capacity of `Active` nodes per `(cluster, class)`.
	#[pallet::storage]
	pub type FreeCapacity<T: Config> =
		StorageMap<_, Twox64Concat, (ClusterId, HardwareClass), u64, ValueQuery>;

	/// The node each registered plot root belongs to, so that no root backs two nodes (SPEC
	/// §5.8). One entry per live node with a plot; removed when it retires or re-plots. The HP
	/// picks the nonce that the root hashes, so the key is hashed again (`Blake2_128Concat`).
	#[pallet::storage]
	pub type PlotRoots<T: Config> = StorageMap<_, Blake2_128Concat, [u8; 32], NodeId>;

	/// Nodes whose free capacity outgrew their plot when leases ended, and the era it happened:
	/// the HP has `PlotGraceEras` from then to re-plot (SPEC §5.8). One entry per node at most;
	/// removed when it re-plots or retires.
	#[pallet::storage]
	pub type PlotShortSince<T: Config> = StorageMap<_, Twox64Concat, NodeId, EraIndex>;

	#[pallet::type_value]
	pub fn FullCoverage() -> Perbill {
		Perbill::one()
	}

	/// `ProofCoverage` (SPEC §5.8): the share of a `Storage` node's free capacity its plot must
	/// cover. 100% unless the chain's genesis sets less (dev chains, so tests stay small).
	#[pallet::storage]
	pub type ProofCoverage<T: Config> = StorageValue<_, Perbill, ValueQuery, FullCoverage>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Clusters that exist from genesis, ids 0, 1, … in order: region code and classes.
		pub clusters: alloc::vec::Vec<(alloc::vec::Vec<u8>, alloc::vec::Vec<HardwareClass>)>,
		/// `ProofCoverage`, when not 100% (dev and test chains).
		pub proof_coverage: Option<Perbill>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		/// Creates the listed clusters as `create_cluster` would. A malformed entry is a broken
		/// chain spec: building it fails (at spec build time, never on a running chain).
		fn build(&self) {
			for (region, classes) in &self.clusters {
				if let Err(e) = Pallet::<T>::add_cluster(region.clone(), classes.clone()) {
					panic!("genesis cluster {region:?} {classes:?} is invalid: {e:?}");
				}
			}
			if let Some(coverage) = self.proof_coverage {
				ProofCoverage::<T>::put(coverage);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance created `cluster`.
		ClusterCreated { cluster: ClusterId, region: BoundedVec<u8, T::MaxRegionLen> },
		/// `hp` registered `node` in `cluster` with `capacity` of `class`; it is `Pending`.
		NodeRegistered {
			node: NodeId,
			hp: T::AccountId,
			cluster: ClusterId,
			class: HardwareClass,
			capacity: u64,
		},
		/// `node`'s price per unit per era changed.
		PriceSet { node: NodeId, price: Balance },
		/// `node`'s agent endpoint and plot changed; `proof_root` is its new plot's root.
		EndpointSet { node: NodeId, proof_root: [u8; 32] },
		/// Ending leases left `node`'s plot short of its free capacity in `era`: its HP has
		/// `PlotGraceEras` to re-plot with `set_endpoint` (SPEC §5.8).
		PlotShort { node: NodeId, era: EraIndex },
		/// `node` grew by `added` to `capacity`.
		CapacityAdded { node: NodeId, added: u64, capacity: u64 },
		/// `node`'s commitment now ends at `commitment_end`.
		CommitmentExtended { node: NodeId, commitment_end: EraIndex },
		/// `node` changed status.
		StatusChanged { node: NodeId, from: NodeStatus, to: NodeStatus },
		/// `node` was force-retired in `era` (SPEC §5.5); its leases end with refunds.
		NodeForceRetired { node: NodeId, era: EraIndex },
		/// `node` retired; `penalty` was charged for leaving before its commitment ended.
		NodeRetired { node: NodeId, penalty: Balance },
		/// Eras of `lease` were settled: `paid` to the HP, `take` of the payment to the treasury
		/// (SPEC §4.10), `compensation` back to the SP for eras the node was faulty.
		LeaseSettled {
			lease: LeaseId,
			paid: Balance,
			take: Balance,
			compensation: Balance,
			settled_to: EraIndex,
		},
		/// `hp` could not be credited through its pool for `lease` (its collateral ledger is
		/// gone, e.g. after a force-retirement and withdrawal): `amount` was paid to its account
		/// directly, or, if even that failed, returned to the SP (`refunded`) — never left held
		/// (SPEC §4.10).
		LeaseIncomeNotPooled { lease: LeaseId, hp: T::AccountId, amount: Balance, refunded: bool },
		/// `lease` ended; its capacity is free again (unless a renewal took it over).
		LeaseEnded { lease: LeaseId },
		/// The SP cancelled `lease`: it now ends at `end`; `released` escrow returned.
		LeaseCancelled { lease: LeaseId, end: EraIndex, released: Balance },
		/// `lease` was renewed by `renewal` at `price` until `end`.
		LeaseRenewed { lease: LeaseId, renewal: LeaseId, price: Balance, end: EraIndex },
		/// `sp`'s request was matched: `allocated` units for `cost` over the lease.
		CapacityRequested {
			request: RequestId,
			sp: T::AccountId,
			requested: u64,
			allocated: u64,
			cost: Balance,
		},
		/// A lease of `units` on `node` at `price`, for eras `start..end`.
		LeaseCreated {
			lease: LeaseId,
			request: RequestId,
			node: NodeId,
			units: u64,
			price: Balance,
			start: EraIndex,
			end: EraIndex,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The region code is empty or longer than `MaxRegionLen`.
		BadRegion,
		/// A cluster must accept at least one class, each at most once.
		BadClasses,
		/// All cluster or node ids are used up.
		IdsExhausted,
		/// No cluster has this id.
		UnknownCluster,
		/// The cluster does not accept this hardware class.
		ClassNotAccepted,
		/// Capacity must be above zero.
		ZeroCapacity,
		/// Price must be above zero.
		ZeroPrice,
		/// The commitment is shorter than `MinCommitmentEras`.
		CommitmentTooShort,
		/// The endpoint is longer than `MaxEndpointLen`.
		EndpointTooLong,
		/// The endpoint is not an `http://` or `https://` URL with a host.
		InvalidEndpoint,
		/// No live node has this id.
		UnknownNode,
		/// Only the node's HP may do this.
		NotNodeOwner,
		/// The node's status does not allow this.
		IllegalTransition,
		/// The new commitment end is not later than the current one.
		CommitmentNotExtended,
		/// A node with leased capacity cannot exit; cancel or let its leases end first.
		NodeHasLeases,
		/// The node was force-retired; only its leases can still be settled.
		NodeRetired,
		/// Lease duration must be at least one era.
		ZeroDuration,
		/// The SP's free balance cannot cover the maximum cost.
		InsufficientBalance,
		/// No candidate node can serve the request.
		NoMatch,
		/// The cluster cannot fill the whole request and partial fills were not allowed.
		InsufficientCapacity,
		/// No open lease has this id.
		UnknownLease,
		/// Only the lease's SP may do this.
		NotLeaseOwner,
		/// No era of the lease is due yet.
		NothingToSettle,
		/// The lease ends before the notice period would.
		NoticeBeyondEnd,
		/// The lease was already renewed.
		AlreadyRenewed,
		/// The node no longer takes leases (not `Active`).
		NodeNotLeasable,
		/// The number is too large (overflow).
		Overflow,
		/// The plot's chunk size is not a power of two from 4 KiB to 64 KiB, or it has fewer
		/// than 256 chunks (SPEC §5.8).
		BadPlotShape,
		/// The proof root is not the root of this plot made for the caller's account and this
		/// passport: a plot made for another HP or another passport (SPEC §5.8).
		PlotNotBound,
		/// Another node is registered with this proof root.
		ProofRootInUse,
		/// The plot is smaller than `ProofCoverage` of the node's free capacity (SPEC §5.8).
		PlotTooSmall,
		/// The node is `Faulty` or `Slashing`, or reported failing this round: it cannot exit
		/// until its anomaly closes (SPEC §3.9).
		NodeUnderAnomaly,
		/// The node's price is above the `max_price` the SP accepts.
		PriceAboveMax,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a cluster with region code `region` accepting `classes` (SPEC §4.1).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_cluster())]
		pub fn create_cluster(
			origin: OriginFor<T>,
			region: alloc::vec::Vec<u8>,
			classes: alloc::vec::Vec<HardwareClass>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let (cluster, region) = Self::add_cluster(region, classes)?;
			Self::deposit_event(Event::ClusterCreated { cluster, region });
			Ok(())
		}

		/// Registers a hardware node (SPEC §4.2): stakes `passport`, commits `capacity` of
		/// `class` against the caller's collateral, and creates the node `Pending` in `cluster`
		/// at `price` per unit per era, committed for `commitment_eras` from now.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::register_node())]
		pub fn register_node(
			origin: OriginFor<T>,
			passport: PassportId,
			cluster: ClusterId,
			class: HardwareClass,
			capacity: u64,
			#[pallet::compact] price: Balance,
			commitment_eras: EraIndex,
			endpoint: alloc::vec::Vec<u8>,
			proof_root: [u8; 32],
			plot: Plot,
		) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			Self::ensure_accepts(cluster, class)?;
			ensure!(capacity > 0, Error::<T>::ZeroCapacity);
			ensure!(price > 0, Error::<T>::ZeroPrice);
			ensure!(commitment_eras >= T::MinCommitmentEras::get(), Error::<T>::CommitmentTooShort);
			let endpoint = Self::checked_endpoint(endpoint)?;
			Self::check_plot(&hp, passport, &plot, proof_root, None)?;
			ensure!(
				plot_covers(&plot, class, capacity, ProofCoverage::<T>::get()),
				Error::<T>::PlotTooSmall
			);
			let node = NextNodeId::<T>::get();
			let next = node.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
			let commitment_end = T::Eras::current_era()
				.checked_add(commitment_eras)
				.ok_or(Error::<T>::Overflow)?;
			T::Passports::stake(&hp, passport, PassportUse::HardwareNode(node))?;
			T::Collateral::commit(&hp, class, capacity)?;
			Nodes::<T>::insert(
				node,
				Node {
					hp: hp.clone(),
					passport,
					cluster,
					class,
					capacity,
					leased: 0,
					price,
					commitment_end,
					endpoint,
					proof_root,
					plot,
					status: NodeStatus::Pending,
					faults: BoundedVec::new(),
				},
			);
			NodesByHp::<T>::insert(&hp, node, ());
			PlotRoots::<T>::insert(proof_root, node);
			NextNodeId::<T>::put(next);
			Self::deposit_event(Event::NodeRegistered { node, hp, cluster, class, capacity });
			Ok(())
		}

		/// Sets the price per unit per era of the caller's `node`. Existing leases keep theirs.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_price())]
		pub fn set_price(
			origin: OriginFor<T>,
			node: NodeId,
			#[pallet::compact] price: Balance,
		) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			ensure!(price > 0, Error::<T>::ZeroPrice);
			let mut n = Self::owned_node(&hp, node)?;
			let before = Self::index_entry(node, &n);
			n.price = price;
			Self::reindex(node, before, &n);
			Nodes::<T>::insert(node, n);
			Self::deposit_event(Event::PriceSet { node, price });
			Ok(())
		}

		/// Replaces the agent endpoint and plot of the caller's `node` (new hardware, or a new
		/// plot: smaller once leases hold capacity, larger before they end, SPEC §5.8). The plot
		/// must be bound to the caller and the node's passport, not registered by another node,
		/// and cover the node's free capacity; it ends any re-plot grace ([`PlotShortSince`]).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_endpoint())]
		pub fn set_endpoint(
			origin: OriginFor<T>,
			node: NodeId,
			endpoint: alloc::vec::Vec<u8>,
			proof_root: [u8; 32],
			plot: Plot,
		) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			let endpoint = Self::checked_endpoint(endpoint)?;
			let mut n = Self::owned_node(&hp, node)?;
			Self::check_plot(&hp, n.passport, &plot, proof_root, Some(node))?;
			ensure!(
				plot_covers(&plot, n.class, n.free(), ProofCoverage::<T>::get()),
				Error::<T>::PlotTooSmall
			);
			if n.proof_root != proof_root {
				// Only its own entry: a node migrated from storage v2 has an unbound root, which
				// may equal another node's.
				if PlotRoots::<T>::get(n.proof_root) == Some(node) {
					PlotRoots::<T>::remove(n.proof_root);
				}
				PlotRoots::<T>::insert(proof_root, node);
			}
			PlotShortSince::<T>::remove(node);
			n.endpoint = endpoint;
			n.proof_root = proof_root;
			n.plot = plot;
			Nodes::<T>::insert(node, n);
			// The plot decides the units the node proves, which the subsidy pays (SPEC §6.1).
			T::Hooks::node_changed(node);
			Self::deposit_event(Event::EndpointSet { node, proof_root });
			Ok(())
		}

		/// Adds `added` units to the caller's `node`, committing them against its collateral.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::add_capacity())]
		pub fn add_capacity(origin: OriginFor<T>, node: NodeId, added: u64) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			ensure!(added > 0, Error::<T>::ZeroCapacity);
			let mut n = Self::owned_node(&hp, node)?;
			let capacity = n.capacity.checked_add(added).ok_or(Error::<T>::Overflow)?;
			// The added units are free: the plot must cover them too (SPEC §5.8).
			let free = n.free().checked_add(added).ok_or(Error::<T>::Overflow)?;
			ensure!(
				plot_covers(&n.plot, n.class, free, ProofCoverage::<T>::get()),
				Error::<T>::PlotTooSmall
			);
			T::Collateral::commit(&hp, n.class, added)?;
			let before = Self::index_entry(node, &n);
			n.capacity = capacity;
			Self::reindex(node, before, &n);
			Nodes::<T>::insert(node, n);
			T::Hooks::node_changed(node);
			Self::deposit_event(Event::CapacityAdded { node, added, capacity });
			Ok(())
		}

		/// Extends the caller's `node`'s commitment to end at `commitment_end`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::extend_commitment())]
		pub fn extend_commitment(
			origin: OriginFor<T>,
			node: NodeId,
			commitment_end: EraIndex,
		) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			let mut n = Self::owned_node(&hp, node)?;
			ensure!(commitment_end > n.commitment_end, Error::<T>::CommitmentNotExtended);
			n.commitment_end = commitment_end;
			Nodes::<T>::insert(node, n);
			T::Hooks::node_changed(node);
			Self::deposit_event(Event::CommitmentExtended { node, commitment_end });
			Ok(())
		}

		/// Retires the caller's `node`: its capacity is released from collateral and its passport
		/// unstaked. Before the commitment ends this charges the early-exit penalty (SPEC §3.7).
		/// A node with leased capacity cannot exit, nor a node under an anomaly (`Faulty` or
		/// `Slashing`, SPEC §3.9): it could otherwise leave for the early-exit penalty, keep its
		/// passport and unbond the rest, cheaper than the slash schedule. It exits once the
		/// anomaly closes, is force-retired by the schedule, or its HP retires it paying the rest
		/// of the schedule (`SlaOracle::retire_under_anomaly`; passport revoked either way).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::exit_node())]
		pub fn exit_node(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			let hp = ensure_signed(origin)?;
			let n = Self::owned_node(&hp, node)?;
			// Nor a node an oracle has reported failing this round: it would leave between the
			// first failing vote and the majority's.
			ensure!(
				!matches!(n.status, NodeStatus::Faulty | NodeStatus::Slashing)
					&& !T::Reliability::is_suspect(node),
				Error::<T>::NodeUnderAnomaly
			);
			ensure!(!Self::has_leases(node, &n), Error::<T>::NodeHasLeases);
			let penalty = if T::Eras::current_era() < n.commitment_end {
				T::Collateral::charge_early_exit(&hp, n.class, n.capacity)
			} else {
				0
			};
			Self::retire(node, n)?;
			Self::deposit_event(Event::NodeRetired { node, penalty });
			Ok(())
		}

		/// Requests `amount` units of `class` in `cluster` for `duration` eras at most
		/// `max_price` per unit per era (SPEC §4.4, §4.5). The SP must be able to escrow the
		/// maximum cost (`amount · duration · max_price`); matching allocates greedily over the
		/// best-scored candidates by `preferences`, split across nodes, and what the allocations
		/// cost is held in escrow — the state SPEC §4.4's hold of the maximum and release of the
		/// unused part leaves, in one step. Without
		/// `allow_partial` the request fails, changing nothing, unless it is filled completely.
		/// Leases start with the next era.
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::request_worst())]
		pub fn request_capacity(
			origin: OriginFor<T>,
			cluster: ClusterId,
			class: HardwareClass,
			amount: u64,
			duration: EraIndex,
			#[pallet::compact] max_price: Balance,
			preferences: Preferences,
			allow_partial: bool,
		) -> DispatchResultWithPostInfo {
			let sp = ensure_signed(origin)?;
			let max_cost = Self::check_request(cluster, class, amount, duration, max_price)?;
			// SPEC §4.4 escrows the maximum cost, then releases what the leases do not cost: an
			// SP who could not escrow the maximum is refused, whatever matching finds.
			T::Currency::ensure_can_hold(&HoldReason::Escrow.into(), &sp, max_cost)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let (quote, read) =
				Self::do_quote(cluster, class, amount, duration, max_price, preferences)?;
			ensure!(quote.allocated > 0, Error::<T>::NoMatch);
			ensure!(allow_partial || quote.allocated == amount, Error::<T>::InsufficientCapacity);
			// Escrow what the allocations cost (at most the maximum checked above), rather than
			// holding the maximum and releasing the rest: the same end state, one update.
			T::Currency::hold(&HoldReason::Escrow.into(), &sp, quote.cost)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			// One storage deposit per lease (SPEC §9), so that dust leases are not free.
			let deposit = T::LeaseDeposit::get()
				.saturating_mul(Balance::from(quote.allocations.len() as u32));
			if !deposit.is_zero() {
				T::Currency::hold(&HoldReason::LeaseDeposit.into(), &sp, deposit)
					.map_err(|_| Error::<T>::InsufficientBalance)?;
			}

			let mut ids = NextIds::<T>::get();
			let request = ids.request;
			ids.request = request.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
			let start = T::Eras::current_era().checked_add(1).ok_or(Error::<T>::Overflow)?;
			let end = start.checked_add(duration).ok_or(Error::<T>::Overflow)?;
			// Allocations that moved their node in the candidate index (it filled up).
			let mut reindexed = 0u32;
			for allocation in &quote.allocations {
				let mut n = Nodes::<T>::get(allocation.node).ok_or(Error::<T>::UnknownNode)?;
				let before = Self::index_entry(allocation.node, &n);
				n.leased = n.leased.checked_add(allocation.units).ok_or(Error::<T>::Overflow)?;
				if Self::reindex(allocation.node, before, &n) {
					reindexed = reindexed.saturating_add(1);
				}
				Nodes::<T>::insert(allocation.node, n);
				let lease = ids.lease;
				ids.lease = lease.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
				Leases::<T>::insert(
					lease,
					Lease {
						request,
						node: allocation.node,
						sp: sp.clone(),
						units: allocation.units,
						price: allocation.price,
						start,
						end,
						settled_to: start,
						renewed: false,
						renewal: false,
					},
				);
				LeasesBySp::<T>::insert(&sp, lease, ());
				LeasesByNode::<T>::insert(allocation.node, lease, ());
				Self::deposit_event(Event::LeaseCreated {
					lease,
					request,
					node: allocation.node,
					units: allocation.units,
					price: allocation.price,
					start,
					end,
				});
			}
			NextIds::<T>::put(ids);
			Self::deposit_event(Event::CapacityRequested {
				request,
				sp,
				requested: amount,
				allocated: quote.allocated,
				cost: quote.cost,
			});
			// Charged for what it did: the candidates it considered but did not allocate, and its
			// allocations, as benchmarked with every allocated node filled and leaving the
			// candidate index. Matching fills every allocated node but the last; when the last
			// keeps free units its index entry is not written, and that write (priced by the
			// runtime's `DbWeight`) is refunded. A benchmark of its own for that case measured
			// the same execution time within the machine's noise, which made its fitted base
			// weight swing by more than the write it saves.
			let allocations = quote.allocations.len() as u32;
			let passed_over = read.considered.saturating_sub(allocations);
			let unwritten = allocations.saturating_sub(reindexed);
			let weight = Self::request_weight(passed_over, allocations, read.skipped)
				.saturating_sub(T::DbWeight::get().writes(u64::from(unwritten)));
			Ok(Some(weight).into())
		}

		/// Settles the due eras of `lease` (anyone may call; SPEC §4.7): eras the node was
		/// `Active` are paid from the SP's escrow to the HP (through its pool split), eras it was
		/// `Faulty` or `Slashing` are released back to the SP as compensation. At the lease's
		/// end its capacity is freed and the lease removed.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::settle_lease())]
		pub fn settle_lease(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut l = Leases::<T>::get(lease).ok_or(Error::<T>::UnknownLease)?;
			let n = Nodes::<T>::get(l.node).ok_or(Error::<T>::UnknownNode)?;
			// A force-retired node served until the era it retired; the rest is refunded.
			let retired = ForceRetired::<T>::get(l.node);
			let served_to = retired.map_or(l.end, |era| era.clamp(l.settled_to, l.end));
			let to = if retired.is_some() { served_to } else { T::Eras::current_era().min(l.end) };
			ensure!(to > l.settled_to || retired.is_some(), Error::<T>::NothingToSettle);
			let eras = to.saturating_sub(l.settled_to);
			let unpaid = faulty_eras(&n.faults, l.settled_to, to).min(eras);
			let per_era = l.per_era();
			let paid = per_era.saturating_mul(Balance::from(eras.saturating_sub(unpaid)));
			let refund = per_era.saturating_mul(Balance::from(l.end.saturating_sub(served_to)));
			let compensation = per_era.saturating_mul(Balance::from(unpaid)).saturating_add(refund);
			let due = paid.saturating_add(compensation);
			T::Currency::release(&HoldReason::Escrow.into(), &l.sp, due, Precision::Exact)?;
			let (paid, take, compensation) = Self::pay_hp(lease, &l.sp, &n, paid, compensation);
			l.settled_to = to;
			Self::deposit_event(Event::LeaseSettled {
				lease,
				paid,
				take,
				compensation,
				settled_to: to,
			});
			if to == l.end || retired.is_some() {
				Self::end_lease(lease, &l, n)?;
			} else {
				Leases::<T>::insert(lease, l);
			}
			Ok(())
		}

		/// Cancels the caller's `lease` with notice (SPEC §4.8): it ends `CancelNoticeEras` from
		/// now, and the escrow for the eras after that returns to the caller at once.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::cancel_lease())]
		pub fn cancel_lease(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			let sp = ensure_signed(origin)?;
			let mut l = Leases::<T>::get(lease).ok_or(Error::<T>::UnknownLease)?;
			ensure!(l.sp == sp, Error::<T>::NotLeaseOwner);
			ensure!(!l.renewed, Error::<T>::AlreadyRenewed);
			let end = T::Eras::current_era()
				.saturating_add(T::CancelNoticeEras::get())
				.max(l.settled_to);
			ensure!(end < l.end, Error::<T>::NoticeBeyondEnd);
			let released = l.per_era().saturating_mul(Balance::from(l.end.saturating_sub(end)));
			T::Currency::release(&HoldReason::Escrow.into(), &sp, released, Precision::Exact)?;
			l.end = end;
			Leases::<T>::insert(lease, l);
			Self::deposit_event(Event::LeaseCancelled { lease, end, released });
			Ok(())
		}

		/// Renews the caller's `lease` for `duration` more eras at the node's current price, if
		/// that is at most `max_price` per unit per era (SPEC §4.8, §4.10: an HP that raises its
		/// price just before the renewal lands cannot overcharge the SP): a new lease of the
		/// same units starts when this one ends and takes over its capacity; its whole cost is
		/// escrowed now.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::renew_lease())]
		pub fn renew_lease(
			origin: OriginFor<T>,
			lease: LeaseId,
			duration: EraIndex,
			#[pallet::compact] max_price: Balance,
		) -> DispatchResult {
			let sp = ensure_signed(origin)?;
			ensure!(duration > 0, Error::<T>::ZeroDuration);
			let mut l = Leases::<T>::get(lease).ok_or(Error::<T>::UnknownLease)?;
			ensure!(l.sp == sp, Error::<T>::NotLeaseOwner);
			ensure!(!l.renewed, Error::<T>::AlreadyRenewed);
			let n = Nodes::<T>::get(l.node).ok_or(Error::<T>::UnknownNode)?;
			ensure!(n.status == NodeStatus::Active, Error::<T>::NodeNotLeasable);
			ensure!(n.price <= max_price, Error::<T>::PriceAboveMax);
			let end = l.end.checked_add(duration).ok_or(Error::<T>::Overflow)?;
			ensure!(end <= n.commitment_end, Error::<T>::NodeNotLeasable);
			let cost = Balance::from(l.units)
				.checked_mul(n.price)
				.and_then(|c| c.checked_mul(Balance::from(duration)))
				.ok_or(Error::<T>::Overflow)?;
			T::Currency::hold(&HoldReason::Escrow.into(), &sp, cost)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let deposit = T::LeaseDeposit::get();
			if !deposit.is_zero() {
				T::Currency::hold(&HoldReason::LeaseDeposit.into(), &sp, deposit)
					.map_err(|_| Error::<T>::InsufficientBalance)?;
			}
			let mut ids = NextIds::<T>::get();
			let renewal = ids.lease;
			ids.lease = renewal.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
			NextIds::<T>::put(ids);
			let new = Lease {
				request: l.request,
				node: l.node,
				sp: sp.clone(),
				units: l.units,
				price: n.price,
				start: l.end,
				end,
				settled_to: l.end,
				renewed: false,
				renewal: true,
			};
			Leases::<T>::insert(renewal, new);
			LeasesBySp::<T>::insert(&sp, renewal, ());
			LeasesByNode::<T>::insert(l.node, renewal, ());
			l.renewed = true;
			Leases::<T>::insert(lease, l);
			Self::deposit_event(Event::LeaseRenewed { lease, renewal, price: n.price, end });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Validates and stores a new cluster; returns its id and region.
	fn add_cluster(
		region: alloc::vec::Vec<u8>,
		classes: alloc::vec::Vec<HardwareClass>,
	) -> Result<(ClusterId, BoundedVec<u8, T::MaxRegionLen>), DispatchError> {
		ensure!(!region.is_empty(), Error::<T>::BadRegion);
		let region: BoundedVec<u8, T::MaxRegionLen> =
			region.try_into().map_err(|_| Error::<T>::BadRegion)?;
		let mut sorted = classes.clone();
		sorted.sort();
		sorted.dedup();
		ensure!(!classes.is_empty() && sorted.len() == classes.len(), Error::<T>::BadClasses);
		let classes = BoundedVec::try_from(sorted).map_err(|_| Error::<T>::BadClasses)?;
		let cluster = NextClusterId::<T>::get();
		let next = cluster.checked_add(1).ok_or(Error::<T>::IdsExhausted)?;
		Clusters::<T>::insert(cluster, Cluster { region: region.clone(), classes });
		NextClusterId::<T>::put(next);
		Ok((cluster, region))
	}

	/// Fails unless `cluster` exists and accepts `class`.
	fn ensure_accepts(cluster: ClusterId, class: HardwareClass) -> DispatchResult {
		let accepted = Clusters::<T>::get(cluster).ok_or(Error::<T>::UnknownCluster)?;
		ensure!(accepted.classes.contains(&class), Error::<T>::ClassNotAccepted);
		Ok(())
	}

	/// Checks a request's arguments (SPEC §4.4) and returns its maximum cost
	/// `amount × duration × max_price`.
	fn check_request(
		cluster: ClusterId,
		class: HardwareClass,
		amount: u64,
		duration: EraIndex,
		max_price: Balance,
	) -> Result<Balance, DispatchError> {
		Self::ensure_accepts(cluster, class)?;
		ensure!(amount > 0, Error::<T>::ZeroCapacity);
		ensure!(duration > 0, Error::<T>::ZeroDuration);
		ensure!(max_price > 0, Error::<T>::ZeroPrice);
		let max_cost = Balance::from(amount)
			.checked_mul(Balance::from(duration))
			.and_then(|c| c.checked_mul(max_price))
			.ok_or(Error::<T>::Overflow)?;
		Ok(max_cost)
	}

	/// What `request_capacity` with these arguments would get on the current state (the
	/// `CapacityMarketApi::quote` runtime API): the same checks, then the same [`Self::do_quote`].
	/// Whether the SP can pay is not checked; the quote's `cost` says what it would pay.
	pub fn quote(
		cluster: ClusterId,
		class: HardwareClass,
		amount: u64,
		duration: EraIndex,
		max_price: Balance,
		preferences: Preferences,
	) -> Result<Quote, DispatchError> {
		Self::check_request(cluster, class, amount, duration, max_price)?;
		Self::do_quote(cluster, class, amount, duration, max_price, preferences).map(|(q, _)| q)
	}

	/// Free capacity of `Active` nodes in `(cluster, class)`.
	pub fn free_capacity(cluster: ClusterId, class: HardwareClass) -> u64 {
		FreeCapacity::<T>::get((cluster, class))
	}

	/// `node` as the runtime API reports it, with its reliability score.
	pub fn node_info(node: NodeId) -> Option<NodeInfo<T::AccountId>> {
		Nodes::<T>::get(node).map(|n| NodeInfo {
			hp: n.hp,
			passport: n.passport,
			cluster: n.cluster,
			class: n.class,
			capacity: n.capacity,
			leased: n.leased,
			price: n.price,
			commitment_end: n.commitment_end,
			endpoint: n.endpoint.into_inner(),
			proof_root: n.proof_root,
			plot: n.plot,
			status: n.status,
			reliability: T::Reliability::reliability(node),
		})
	}

	/// The open leases `sp` pays for, by id (reads its per-SP index, never all leases).
	pub fn leases_of(sp: &T::AccountId) -> alloc::vec::Vec<(LeaseId, Lease<T::AccountId>)> {
		LeasesBySp::<T>::iter_key_prefix(sp)
			.filter_map(|id| Leases::<T>::get(id).map(|l| (id, l)))
			.collect()
	}

	fn checked_endpoint(
		endpoint: alloc::vec::Vec<u8>,
	) -> Result<BoundedVec<u8, T::MaxEndpointLen>, DispatchError> {
		let endpoint: BoundedVec<u8, T::MaxEndpointLen> =
			endpoint.try_into().map_err(|_| Error::<T>::EndpointTooLong)?;
		ensure!(valid_endpoint(&endpoint), Error::<T>::InvalidEndpoint);
		Ok(endpoint)
	}

	/// Checks a plot an HP registers for the node `passport` backs (SPEC §5.8): an accepted
	/// shape, `proof_root` its root bound to `hp` and `passport`, and no other node registered
	/// with that root (`node` itself may keep its own).
	fn check_plot(
		hp: &T::AccountId,
		passport: PassportId,
		plot: &Plot,
		proof_root: [u8; 32],
		node: Option<NodeId>,
	) -> DispatchResult {
		plot.check_shape().map_err(|_| Error::<T>::BadPlotShape)?;
		ensure!(plot.bound_root(&hp.encode(), passport) == proof_root, Error::<T>::PlotNotBound);
		match PlotRoots::<T>::get(proof_root) {
			Some(owner) if Some(owner) != node => Err(Error::<T>::ProofRootInUse.into()),
			_ => Ok(()),
		}
	}

	fn owned_node(hp: &T::AccountId, node: NodeId) -> Result<NodeOf<T>, DispatchError> {
		let n = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
		ensure!(&n.hp == hp, Error::<T>::NotNodeOwner);
		ensure!(n.status != NodeStatus::Retired, Error::<T>::NodeRetired);
		Ok(n)
	}

	/// What a request that passed over `e` candidates, allocated `a` nodes and skipped `s`
	/// index entries is charged: the measured one-node request plus the fitted slopes of
	/// `request_capacity(e, a, s)` for what it did beyond it, at most the worst case charged
	/// before dispatch. (The fit's own intercept is extrapolated from samples whose other
	/// components are at their maximum; the one-node point is measured.)
	pub fn request_weight(e: u32, a: u32, s: u32) -> Weight {
		let fitted = T::WeightInfo::request_capacity(e, a, s);
		let beyond = fitted.saturating_sub(T::WeightInfo::request_capacity(0, 1, 0));
		T::WeightInfo::request_capacity_one_node()
			.saturating_add(beyond)
			.min(Self::request_worst())
	}

	/// A request's worst case, charged before dispatch: every candidate it may read passed over
	/// but the `MaxAllocations` it allocates, and `MaxSkipped` index entries skipped.
	pub fn request_worst() -> Weight {
		T::WeightInfo::request_capacity(
			T::MaxCandidates::get().saturating_sub(T::MaxAllocations::get()),
			T::MaxAllocations::get(),
			T::MaxSkipped::get(),
		)
	}

	/// Whether `node` still has a lease: capacity leased, or a lease not yet settled to its end.
	/// (A renewal settled before the lease it renews frees the capacity while that lease still
	/// holds the SP's escrow; the node must stay until it is settled, or the escrow would be
	/// trapped, SPEC §4.10.)
	fn has_leases(node: NodeId, n: &NodeOf<T>) -> bool {
		n.leased > 0 || LeasesByNode::<T>::iter_key_prefix(node).next().is_some()
	}

	/// Frees a retiring node's plot root and ends its re-plot grace.
	fn forget_plot(node: NodeId, n: &NodeOf<T>) {
		if PlotRoots::<T>::get(n.proof_root) == Some(node) {
			PlotRoots::<T>::remove(n.proof_root);
		}
		PlotShortSince::<T>::remove(node);
	}

	/// Whether `n`'s plot satisfies SPEC §5.8 now: it covers the free capacity, or it fell short
	/// (leases ended, or the node was migrated from storage v2 without a plot) less than
	/// `PlotGraceEras` ago. A node without a plot in its grace is not challenged (oracles skip
	/// it, so its status stands); after the grace it fails `Uncovered`.
	pub fn plot_covered(node: NodeId, n: &NodeOf<T>) -> bool {
		let in_grace = PlotShortSince::<T>::get(node).is_some_and(|since| {
			T::Eras::current_era() < since.saturating_add(T::PlotGraceEras::get())
		});
		in_grace || (n.plot.check_shape().is_ok() && n.plot_covers(ProofCoverage::<T>::get()))
	}

	/// Removes `n` from the candidate index and free capacity if it is a candidate.
	fn remove_from_index(node: NodeId, n: &NodeOf<T>) {
		if n.is_candidate() {
			Candidates::<T>::remove((n.cluster, n.class), SortKey::new(n.price, node));
			FreeCapacity::<T>::mutate((n.cluster, n.class), |f| *f = f.saturating_sub(n.free()));
		}
	}

	/// Where `n` sits in the candidate index: its group, sort key and free units; `None` when
	/// it is not a candidate.
	fn index_entry(node: NodeId, n: &NodeOf<T>) -> Option<IndexEntry> {
		n.is_candidate()
			.then(|| ((n.cluster, n.class), SortKey::new(n.price, node), n.free()))
	}

	/// Moves `node` in the candidate index and free capacity from `before` (its
	/// [`Self::index_entry`] before a change) to where `n` puts it now. The index entry is
	/// written only when it appears, disappears or moves (a new price): a change of free
	/// capacity alone, e.g. a lease on a node with units left, writes `FreeCapacity` only.
	/// Returns whether the index entry was written.
	fn reindex(node: NodeId, before: Option<IndexEntry>, n: &NodeOf<T>) -> bool {
		let after = Self::index_entry(node, n);
		match (before, after) {
			(Some((group, key, free)), Some((new_group, new_key, new_free)))
				if group == new_group =>
			{
				if free != new_free {
					FreeCapacity::<T>::mutate(group, |f| {
						*f = f.saturating_sub(free).saturating_add(new_free)
					});
				}
				if key != new_key {
					Candidates::<T>::remove(group, key);
					Candidates::<T>::insert(group, new_key, ());
					return true;
				}
				false
			},
			(before, after) => {
				if let Some((group, key, free)) = before {
					Candidates::<T>::remove(group, key);
					FreeCapacity::<T>::mutate(group, |f| *f = f.saturating_sub(free));
				}
				if let Some((group, key, free)) = after {
					Candidates::<T>::insert(group, key, ());
					FreeCapacity::<T>::mutate(group, |f| *f = f.saturating_add(free));
				}
				before.is_some() || after.is_some()
			},
		}
	}

	/// Pays a settlement's served eras, `due`, already released from `sp`'s escrow (SPEC
	/// §4.7, §4.10): `LeaseTake × due` (rounded up) to the treasury and the rest to the HP —
	/// through its pool split (SPEC §3.4) when it can be credited, otherwise to its account; if
	/// even that fails, nothing is taken and all of `due` stays with the SP. Settlement thus
	/// never fails on the HP's side and never traps the SP's escrow. Returns `(paid to the HP,
	/// take, compensation)` as they ended up; the fees, with their take, count toward usage
	/// rewards only when the HP was paid.
	fn pay_hp(
		lease: LeaseId,
		sp: &T::AccountId,
		n: &NodeOf<T>,
		due: Balance,
		compensation: Balance,
	) -> (Balance, Balance, Balance) {
		use frame_support::traits::tokens::Preservation;
		if due.is_zero() {
			return (0, 0, compensation);
		}
		let take = T::LeaseTake::get().mul_ceil(due).min(due);
		let net = due.saturating_sub(take);
		// `credit_reward` changes nothing when it fails; the layer makes sure of it.
		let credited = net.is_zero()
			|| frame_support::storage::with_storage_layer(|| {
				T::Rewards::credit_reward(sp, &n.hp, net)
			})
			.is_ok();
		if !credited {
			let transferred =
				T::Currency::transfer(sp, &n.hp, net, Preservation::Expendable).is_ok();
			Self::deposit_event(Event::LeaseIncomeNotPooled {
				lease,
				hp: n.hp.clone(),
				amount: net,
				refunded: !transferred,
			});
			if !transferred {
				return (0, 0, compensation.saturating_add(due));
			}
		}
		// A take the treasury cannot receive (below its existential deposit) stays with the SP,
		// and then generates no usage reward either.
		let taken = if take.is_zero()
			|| T::Currency::transfer(sp, &T::Treasury::get(), take, Preservation::Expendable)
				.is_ok()
		{
			take
		} else {
			0
		};
		T::Hooks::fees_paid(n.cluster, n.class, due, taken);
		(net, taken, compensation.saturating_add(take.saturating_sub(taken)))
	}

	/// Removes a fully settled lease; frees its capacity unless a renewal took it over.
	/// A force-retired node is removed with its last lease.
	fn end_lease(lease: LeaseId, l: &Lease<T::AccountId>, mut n: NodeOf<T>) -> DispatchResult {
		Leases::<T>::remove(lease);
		LeasesBySp::<T>::remove(&l.sp, lease);
		LeasesByNode::<T>::remove(l.node, lease);
		// Its storage is gone: the deposit goes back (best effort: what is held, should the
		// constant have changed without a migration).
		let deposit = T::LeaseDeposit::get();
		if !deposit.is_zero() {
			T::Currency::release(
				&HoldReason::LeaseDeposit.into(),
				&l.sp,
				deposit,
				Precision::BestEffort,
			)?;
		}
		if !l.renewed {
			let before = Self::index_entry(l.node, &n);
			let coverage = ProofCoverage::<T>::get();
			let covered = n.plot_covers(coverage);
			n.leased = n.leased.saturating_sub(l.units);
			Self::reindex(l.node, before, &n);
			// The freed capacity must be plotted again (SPEC §5.8): the grace starts now, unless
			// the plot was already short (its grace runs from then).
			if n.status != NodeStatus::Retired && covered && !n.plot_covers(coverage) {
				let era = T::Eras::current_era();
				PlotShortSince::<T>::insert(l.node, era);
				Self::deposit_event(Event::PlotShort { node: l.node, era });
			}
			if n.status == NodeStatus::Retired && !Self::has_leases(l.node, &n) {
				Nodes::<T>::remove(l.node);
				ForceRetired::<T>::remove(l.node);
			} else {
				Nodes::<T>::insert(l.node, n);
			}
		}
		Self::deposit_event(Event::LeaseEnded { lease });
		Ok(())
	}

	/// Removes a live node: index, collateral commitment, passport stake, storage.
	fn retire(node: NodeId, n: NodeOf<T>) -> DispatchResult {
		Self::remove_from_index(node, &n);
		T::Collateral::release(&n.hp, n.class, n.capacity)?;
		T::Passports::unstake(n.passport, PassportUse::HardwareNode(node))?;
		NodesByHp::<T>::remove(&n.hp, node);
		Self::forget_plot(node, &n);
		Nodes::<T>::remove(node);
		T::Hooks::node_changed(node);
		if n.status != NodeStatus::Retired {
			Self::deposit_event(Event::StatusChanged {
				node,
				from: n.status,
				to: NodeStatus::Retired,
			});
		}
		Ok(())
	}

	/// What a request would get on the current state (SPEC §4.5), and how many index entries it
	/// read. `request_capacity` and the `quote` runtime API both call this, so they agree.
	///
	/// Reads index entries cheapest first, stopping at the first above `max_price`; keeps those
	/// whose commitment covers the lease and whose HP takes new leases (SPEC §3.8), at most
	/// `MaxCandidates` of them, and passes over at most `MaxSkipped` that fail those checks
	/// (SPEC §4.10: the two budgets are separate, so ineligible entries never crowd out
	/// eligible ones); scores the kept ones by `preferences` over price, reliability and
	/// commitment, each normalised within the candidate set; allocates greedily by score, ties
	/// by node id, on at most `MaxAllocations` nodes.
	pub fn do_quote(
		cluster: ClusterId,
		class: HardwareClass,
		amount: u64,
		duration: EraIndex,
		max_price: Balance,
		preferences: Preferences,
	) -> Result<(Quote, EntriesRead), DispatchError> {
		let lease_end = T::Eras::current_era()
			.checked_add(1)
			.and_then(|s| s.checked_add(duration))
			.ok_or(Error::<T>::Overflow)?;
		let mut read = EntriesRead::default();
		let mut candidates: alloc::vec::Vec<(NodeId, NodeOf<T>)> = alloc::vec::Vec::new();
		for key in Candidates::<T>::iter_key_prefix((cluster, class)) {
			let (price, id) = key.decode_parts();
			if price > max_price {
				break;
			}
			let eligible = Nodes::<T>::get(id).filter(|n| {
				n.commitment_end >= lease_end && T::Collateral::accepts_new_leases(&n.hp)
			});
			match eligible {
				Some(n) => {
					read.considered.saturating_inc();
					candidates.push((id, n));
					if read.considered >= T::MaxCandidates::get() {
						break;
					}
				},
				None => {
					read.skipped.saturating_inc();
					if read.skipped >= T::MaxSkipped::get() {
						break;
					}
				},
			}
		}
		let (min_price, max_seen) = candidates
			.iter()
			.fold((Balance::MAX, 0), |(lo, hi), (_, n)| (lo.min(n.price), hi.max(n.price)));
		let (min_end, max_end) = candidates.iter().fold((EraIndex::MAX, 0), |(lo, hi), (_, n)| {
			(lo.min(n.commitment_end), hi.max(n.commitment_end))
		});
		let ratio = |num: u128, den: u128| {
			if den == 0 {
				Perbill::one()
			} else {
				Perbill::from_rational(num, den)
			}
		};
		let mut scored: alloc::vec::Vec<(u128, NodeId, u64, Balance)> = candidates
			.iter()
			.map(|(id, n)| {
				let price_score =
					ratio(max_seen.saturating_sub(n.price), max_seen.saturating_sub(min_price));
				let commitment_score = ratio(
					u128::from(n.commitment_end.saturating_sub(min_end)),
					u128::from(max_end.saturating_sub(min_end)),
				);
				let reliability = T::Reliability::reliability(*id);
				let weigh = |w: Perbill, s: Perbill| {
					u128::from(w.deconstruct()).saturating_mul(u128::from(s.deconstruct()))
				};
				let score = weigh(preferences.price, price_score)
					.saturating_add(weigh(preferences.reliability, reliability))
					.saturating_add(weigh(preferences.commitment, commitment_score));
				(score, *id, n.free(), n.price)
			})
			.collect();
		// Best score first; ties by node id.
		scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
		let mut remaining = amount;
		let mut quote = Quote { allocations: alloc::vec::Vec::new(), allocated: 0, cost: 0 };
		for (_, node, free, price) in scored {
			if remaining == 0 || quote.allocations.len() >= T::MaxAllocations::get() as usize {
				break;
			}
			let units = free.min(remaining);
			remaining = remaining.saturating_sub(units);
			let cost = Balance::from(units)
				.checked_mul(price)
				.and_then(|c| c.checked_mul(Balance::from(duration)))
				.ok_or(Error::<T>::Overflow)?;
			quote.cost = quote.cost.checked_add(cost).ok_or(Error::<T>::Overflow)?;
			quote.allocated = quote.allocated.saturating_add(units);
			quote.allocations.push(Allocation { node, units, price });
		}
		Ok((quote, read))
	}

	/// The first `limit` candidates of `(cluster, class)` in matching order.
	pub fn candidates(
		cluster: ClusterId,
		class: HardwareClass,
		limit: u32,
	) -> alloc::vec::Vec<NodeId> {
		Candidates::<T>::iter_key_prefix((cluster, class))
			.take(limit as usize)
			.map(|key| key.decode_parts().1)
			.collect()
	}

	/// Checks the market's invariants (SPEC §9): the index holds exactly the candidate nodes at
	/// their current price; free capacity per `(cluster, class)` is their sum; leased ≤ capacity;
	/// every node's passport backs it; every SP's escrow is what its open leases can still pay;
	/// no lease was matched to an HP past its collateral top-up window. Public (not only under
	/// `try-runtime`) so that the tests of the pallets built on this one can check it too.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use icn_primitives::passport::PassportInspect;
		let mut free: BTreeMap<(ClusterId, HardwareClass), u64> = BTreeMap::new();
		let mut candidates = 0usize;
		// Read once: the fuzzer runs this after every step, and each pass over a map is a
		// trie walk.
		let nodes: BTreeMap<NodeId, _> = Nodes::<T>::iter().collect();
		for (&id, n) in &nodes {
			ensure!(n.leased <= n.capacity, "a node leases more than its capacity");
			if n.status == NodeStatus::Retired {
				ensure!(
					ForceRetired::<T>::contains_key(id) && Self::has_leases(id, n),
					"a retired node is kept only while its leases run out"
				);
				ensure!(T::Passports::use_of(n.passport).is_none(), "a retired node's passport");
				continue;
			}
			ensure!(!ForceRetired::<T>::contains_key(id), "a live node marked retired");
			ensure!(
				T::Passports::use_of(n.passport) == Some(PassportUse::HardwareNode(id)),
				"a node's passport does not back it"
			);
			ensure!(
				NodesByHp::<T>::contains_key(&n.hp, id),
				"a node is missing from its HP's index"
			);
			let indexed =
				Candidates::<T>::contains_key((n.cluster, n.class), SortKey::new(n.price, id));
			ensure!(indexed == n.is_candidate(), "the candidate index disagrees with a node");
			if n.is_candidate() {
				candidates += 1;
				let entry = free.entry((n.cluster, n.class)).or_default();
				*entry = entry.saturating_add(n.free());
			}
		}
		ensure!(Candidates::<T>::iter().count() == candidates, "stale entries in the index");
		let mut leased: BTreeMap<NodeId, u64> = BTreeMap::new();
		let mut owed: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
		for (id, lease) in Leases::<T>::iter() {
			let entry = owed.entry(lease.sp.clone()).or_default();
			*entry = entry.saturating_add(
				lease
					.per_era()
					.saturating_mul(Balance::from(lease.end.saturating_sub(lease.settled_to))),
			);
			ensure!(nodes.contains_key(&lease.node), "a lease's node does not exist");
			ensure!(LeasesBySp::<T>::contains_key(&lease.sp, id), "a lease is missing for its SP");
			ensure!(
				LeasesByNode::<T>::contains_key(lease.node, id),
				"a lease is missing for its node"
			);
			ensure!(lease.settled_to <= lease.end, "a lease is settled past its end");
			// SPEC §9's "held collateral of every committed HP ≥ its requirement outside the
			// top-up window", in the form a state can show. The requirement's network part
			// grows with the circulating supply, so an HP falls short without any call, and its
			// window opens when coverage is next checked (by matching): a shortfall alone is a
			// valid state. What §3.8 makes of it is checkable: no lease is matched to an HP
			// past its window. The window recorded now, opened in era `since` and not closed
			// since, was open in every later era; a lease matched in a later era `start − 1`
			// must then have been matched before `until`. (In era `since` itself the match
			// may have come first, while covered. Renewals are exempt: existing leases go on.
			// `until` is recomputed with today's `CollateralTopUpEras`: an upgrade that shortens
			// the window must migrate or accept that older matches may then fail this check.)
			if !lease.renewal {
				let matched = lease.start.saturating_sub(1);
				let window =
					nodes.get(&lease.node).and_then(|n| T::Collateral::top_up_window(&n.hp));
				if let Some((since, until)) = window {
					ensure!(
						matched <= since || matched < until,
						"a lease was matched to an HP past its top-up window"
					);
				}
			}
			if !lease.renewed {
				let entry = leased.entry(lease.node).or_default();
				*entry = entry.saturating_add(lease.units);
			}
		}
		for (id, n) in &nodes {
			ensure!(leased.get(id).copied().unwrap_or(0) == n.leased, "leased differs from leases");
		}
		// SPEC §9: the escrow held for every SP with open leases is exactly what they can still
		// pay, `Σ units × price × (end − settled_to)`.
		let mut open: BTreeMap<T::AccountId, Balance> = BTreeMap::new();
		for (sp, _) in LeasesBySp::<T>::iter_keys() {
			let entry = open.entry(sp).or_default();
			*entry = entry.saturating_add(1);
		}
		for (sp, amount) in &owed {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::Escrow.into(), sp) == *amount,
				"an SP's escrow differs from what its open leases can pay"
			);
			// And it holds one storage deposit per open lease (SPEC §9).
			let leases = open.get(sp).copied().unwrap_or(0);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::LeaseDeposit.into(), sp)
					== T::LeaseDeposit::get().saturating_mul(leases),
				"an SP's lease deposits differ from its open leases"
			);
		}
		for (sp, lease) in LeasesBySp::<T>::iter_keys() {
			ensure!(
				Leases::<T>::get(lease).is_some_and(|l| l.sp == sp),
				"an SP's lease index lists a lease that is not its own"
			);
		}
		for (id, _) in ForceRetired::<T>::iter() {
			ensure!(
				nodes.get(&id).is_some_and(|n| n.status == NodeStatus::Retired),
				"a force-retirement of a node that is gone or live"
			);
		}
		for (key, value) in FreeCapacity::<T>::iter() {
			ensure!(free.get(&key).copied().unwrap_or(0) == value, "free capacity differs");
		}
		// SPEC §5.8: a plot root backs one live node, and every live node with a plot is listed.
		for (root, id) in PlotRoots::<T>::iter() {
			ensure!(
				nodes
					.get(&id)
					.is_some_and(|n| n.status != NodeStatus::Retired && n.proof_root == root),
				"a plot root of a node that is gone or re-plotted"
			);
		}
		for (&id, n) in &nodes {
			if n.status != NodeStatus::Retired && n.plot.check_shape().is_ok() {
				ensure!(PlotRoots::<T>::get(n.proof_root) == Some(id), "a plot root is not listed");
			}
		}
		for (id, _) in PlotShortSince::<T>::iter() {
			ensure!(
				nodes.get(&id).is_some_and(|n| n.status != NodeStatus::Retired),
				"a re-plot grace of a node that is gone"
			);
		}
		Ok(())
	}
}

impl<T: Config> NodeHealth for Pallet<T> {
	fn status(node: NodeId) -> Option<NodeStatus> {
		Nodes::<T>::get(node).map(|n| n.status)
	}

	fn set_status(node: NodeId, to: NodeStatus) -> DispatchResult {
		let mut n = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
		let from = n.status;
		ensure!(from.can_become(to), Error::<T>::IllegalTransition);
		if to == NodeStatus::Retired {
			// A node with leases retires only by `force_retire`, which ends them with refunds.
			ensure!(!Self::has_leases(node, &n), Error::<T>::NodeHasLeases);
			Self::retire(node, n)?;
			return Ok(());
		}
		let era = T::Eras::current_era();
		if !from.is_paid() && to.is_paid() {
			// Recovered: the current era stays unpaid.
			if let Some(last) = n.faults.last_mut() {
				if last.1 == EraIndex::MAX {
					last.1 = era.saturating_add(1);
				}
			}
		} else if from.is_paid() && !to.is_paid() {
			let open = (era, EraIndex::MAX);
			if n.faults.try_push(open).is_err() {
				if let Some(last) = n.faults.last_mut() {
					last.1 = EraIndex::MAX;
				}
			}
		}
		let before = Self::index_entry(node, &n);
		n.status = to;
		Self::reindex(node, before, &n);
		Nodes::<T>::insert(node, n);
		T::Hooks::node_changed(node);
		Self::deposit_event(Event::StatusChanged { node, from, to });
		Ok(())
	}

	fn force_retire(node: NodeId) -> DispatchResult {
		let mut n = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
		let from = n.status;
		ensure!(from.can_become(NodeStatus::Retired), Error::<T>::IllegalTransition);
		if !Self::has_leases(node, &n) {
			Self::retire(node, n.clone())?;
		} else {
			let era = T::Eras::current_era();
			Self::remove_from_index(node, &n);
			T::Collateral::release(&n.hp, n.class, n.capacity)?;
			NodesByHp::<T>::remove(&n.hp, node);
			Self::forget_plot(node, &n);
			n.status = NodeStatus::Retired;
			Nodes::<T>::insert(node, n.clone());
			ForceRetired::<T>::insert(node, era);
			T::Hooks::node_changed(node);
			Self::deposit_event(Event::StatusChanged { node, from, to: NodeStatus::Retired });
		}
		T::Passports::revoke(n.passport)?;
		Self::deposit_event(Event::NodeForceRetired { node, era: T::Eras::current_era() });
		Ok(())
	}
}

impl<T: Config> icn_primitives::market::NodeDirectory<T::AccountId> for Pallet<T> {
	fn target(node: NodeId) -> Option<icn_primitives::market::ChallengeTarget<T::AccountId>> {
		let n = Nodes::<T>::get(node).filter(|n| n.status != NodeStatus::Retired)?;
		let plot = n.plot.check_shape().ok().map(|_| n.plot.target(&n.hp.encode(), n.passport));
		let plot_covered = Self::plot_covered(node, &n);
		Some(icn_primitives::market::ChallengeTarget {
			hp: n.hp,
			cluster: n.cluster,
			commitment_end: n.commitment_end,
			class: n.class,
			capacity: n.capacity,
			status: n.status,
			endpoint: n.endpoint.into_inner(),
			proof_root: n.proof_root,
			plot,
			plot_covered,
			proven: plot_proves(&n.plot, n.class, n.capacity, ProofCoverage::<T>::get()),
		})
	}

	fn live_nodes() -> alloc::vec::Vec<NodeId> {
		Nodes::<T>::iter()
			.filter(|(_, n)| n.status != NodeStatus::Retired)
			.map(|(id, _)| id)
			.collect()
	}

	fn free_capacity(cluster: ClusterId, class: HardwareClass) -> u64 {
		FreeCapacity::<T>::get((cluster, class))
	}
}
