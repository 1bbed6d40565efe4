//! # SLA oracle pallet (SPEC §5)
//!
//! The protocol's layer of trust: oracles challenge hardware nodes every round from their
//! off-chain workers, over HTTP to each node's agent, and the chain acts on the majority.
//!
//! * **Oracles** register with an `Oracle` passport and an oracle key (`icno`, sr25519) they prove
//!   they hold ([`Pallet::register_oracle`]); the active set is bounded by `MaxOracles`.
//! * **Rounds** start every [`ChallengePeriod`] blocks; a round's seed is mixed from the secrets
//!   the oracles revealed in the round before ([`Beacon`], [`next_seed`]: commit–reveal, no block
//!   hash), and its oracle set is the registered set at its start. Each live node gets
//!   `OraclesPerNode` oracles from [`icn_primitives::oracle::assigned_oracles`].
//! * **Challenges** (off-chain worker): for each assignment,
//!   `GET {endpoint}/v1/plots/0x{proof_root}/challenge?indices=…` with indices drawn from
//!   `(round seed ‖ a fresh nonce of the oracle's, node, oracle)` — the nonce keeps an agent from
//!   knowing its indices before the request; each chunk and its parents are verified against the node's plot
//!   with `icn_primitives::pos` (Merkle paths and the chunk's label, SPEC §5.8), so an agent must
//!   hold the node's own plot. A node with no bound plot, or whose plot no longer covers its free
//!   capacity past the re-plot grace, fails with `Uncovered`. `Gpu` and `Cpu` nodes prove
//!   availability with a small plot for now; their compute proofs are future work (SPEC §5.8).
//!   One storage lock per (oracle key, round) and a "sent" mark keep overlapping runs from
//!   submitting twice.
//! * **Reports** ([`Pallet::submit_reports`]): one transaction per oracle per round carrying all
//!   its outcomes, signed by its oracle key and authorized by `#[pallet::authorize]`. A valid
//!   first report is free; a duplicate, late, unassigned or non-oracle report is invalid in the
//!   pool and never reaches a block.
//! * **Aggregation** as reports arrive (never in a hook over nodes): a strict majority of a
//!   node's assigned oracles decides its round. Oracles that did not report count for neither
//!   side, so a missing report never fails a node.
//! * **Enforcement** through [`NodeHealth`] and [`NodeCollateral`]: a passed round activates a
//!   `Pending` node and closes an anomaly; a failed round opens one (`Active → Faulty`); after
//!   `GraceEras` a failed round makes it `Slashing`, which slashes `SlashPerEra` of the node's own
//!   collateral `S(n)` for every era since the last slash, each time a failed round is decided
//!   (no evidence, no slash). Once the slashes of an anomaly reach `1 − SlashFloor` of `S(n)` the
//!   node is force-retired: its leases end with refunds and its passport is revoked.
//! * **Reliability** (SPEC §5.6): an exponentially weighted pass rate over decided rounds
//!   (weight 1/8 per round), `Perbill::one()` for a node with no decided round. Matching and
//!   rewards read it through [`NodeReliability`].
//! * **Disagreement** (SPEC §5.7): every vote on a decided round counts toward its oracle's window
//!   of `DisagreementWindow` votes; an oracle disagreeing with the majority on more than
//!   `MaxDisagreement` of a window is removed and its passport revoked.
//! * **The protocol clock**: this pallet keeps the era length and challenge period (set at
//!   genesis; dev chains use short ones) and is the runtime's [`EraProvider`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

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

mod offchain;

use alloc::vec::Vec;
use icn_primitives::{
	collateral::{EraProvider, NodeCollateral},
	market::{NodeDirectory, NodeHealth, NodeReliability, NodeStatus, RewardHooks},
	oracle::{assigned_oracles, is_majority, NodeSla, Outcome, RoundIndex, RoundInfo},
	passport::{PassportId, PassportInspect, PassportStaking, PassportUse},
	Balance, ClusterId, EraIndex, HardwareClass, NodeId, BLOCKS_PER_ERA,
};
use polkadot_sdk::{frame_support, frame_system, sp_runtime};

use frame_support::pallet_prelude::*;
use frame_system::offchain::CreateAuthorizedTransaction;
use sp_runtime::{
	traits::{SaturatedConversion, Saturating},
	Perbill, RuntimeAppPublic,
};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::sla";

/// Weight of one decided round in the reliability score: 1/8.
pub const RELIABILITY_STEP: u32 = 8;

/// Context signed into an oracle's proof of key possession.
pub const POSSESSION_CONTEXT: &[u8] = b"icn/oracle-key";

/// Challenge period in blocks when genesis sets none: 600 blocks (one hour), SPEC §5.2.
pub const DEFAULT_CHALLENGE_PERIOD: u32 = 600;

/// What the benchmarks need from the runtime: passports and nodes, which this pallet reaches
/// only through traits that cannot create them.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Gives `who` a new `Oracle` passport; returns it.
	fn oracle_passport(who: &AccountId) -> PassportId;
	/// Registers node number `index` of a fresh HP with collateral, and activates it.
	fn active_node(index: u32) -> NodeId;
}

/// One oracle's report for one round: the outcome of each of its assignments (SPEC §5.4).
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
#[scale_info(skip_type_params(MaxOutcomes))]
pub struct Report<AccountId: Clone + Eq + core::fmt::Debug, MaxOutcomes: Get<u32>> {
	/// The round reported on.
	pub round: RoundIndex,
	/// The reporting oracle's account.
	pub oracle: AccountId,
	/// Outcomes by node; each node at most once.
	pub outcomes: BoundedVec<(NodeId, Outcome), MaxOutcomes>,
	/// The oracle's part of the round seed's beacon ([`Beacon`]).
	pub beacon: Beacon,
}

/// An oracle's commit–reveal contribution to the round seed (SPEC §5.2, issue 24 item 10): each
/// report reveals the secret whose commitment the oracle's report of the round before carried,
/// and commits to a new one for the next round. The next round's seed is mixed from the secrets
/// revealed in this one ([`next_seed`]) — never from a block hash, which a block's author chooses.
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
pub struct Beacon {
	/// The secret committed to for this round, required when the chain holds a commitment of
	/// the oracle's for this round ([`Commitments`]), else `None`.
	pub reveal: Option<[u8; 32]>,
	/// [`commitment`] of the secret the oracle will reveal in the next round.
	pub commit: [u8; 32],
}

/// The commitment to a beacon `secret`: `blake2_256("icn/beacon" ‖ secret)`.
pub fn commitment(secret: &[u8; 32]) -> [u8; 32] {
	polkadot_sdk::sp_crypto_hashing::blake2_256(&(b"icn/beacon", secret).encode())
}

/// What `oracle`'s revealed `secret` adds to the round's beacon mix (by XOR, so the order reports
/// land in does not matter): `blake2_256("icn/reveal" ‖ oracle ‖ secret)`.
pub fn reveal_share<AccountId: Encode>(oracle: &AccountId, secret: &[u8; 32]) -> [u8; 32] {
	polkadot_sdk::sp_crypto_hashing::blake2_256(&(b"icn/reveal", oracle, secret).encode())
}

/// The seed of round `index`: `blake2_256("icn/seed" ‖ index ‖ previous seed ‖ mix)`, `mix` the
/// XOR of the reveals of the round before. Chained, so a round without reveals still depends on
/// every reveal so far; no block hash, so an author can only leave reports out of its own block
/// (and the oracle submits them again to the next).
pub fn next_seed(index: RoundIndex, previous: &[u8; 32], mix: &[u8; 32]) -> [u8; 32] {
	polkadot_sdk::sp_crypto_hashing::blake2_256(&(b"icn/seed", index, previous, mix).encode())
}

/// A registered oracle.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct OracleInfo<Key> {
	/// Its staked `Oracle` passport.
	pub passport: PassportId,
	/// The key its reports are signed with.
	pub key: Key,
}

/// An oracle passport's disagreement window (SPEC §5.7), kept with the passport
/// ([`OracleRecords`]) so that deregistering and registering again does not wipe it.
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
pub struct OracleRecord {
	/// Votes on decided rounds in the current window.
	pub votes: u32,
	/// Of those, votes against the majority.
	pub disagreements: u32,
}

/// The votes on one node for its latest round.
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
#[scale_info(skip_type_params(MaxVotes))]
pub struct Tally<MaxVotes: Get<u32>> {
	/// The round.
	pub round: RoundIndex,
	/// `(oracle index in the round's set, passed)`.
	pub votes: BoundedVec<(u32, bool), MaxVotes>,
	/// The round's decision once a majority agreed.
	pub decided: Option<bool>,
}

/// A node's record with the SLA oracle.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct NodeRecord {
	/// Reliability score.
	pub reliability: Perbill,
	/// Block at which the open anomaly began: its grace runs from here (SPEC §5.5).
	pub faulty_since: Option<u32>,
	/// Consecutive passed rounds of the open anomaly since its last failed one; it closes at
	/// `RecoveryRounds`.
	pub passes: u32,
	/// Eras before this one have been slashed for the open anomaly.
	pub slashed_to: EraIndex,
	/// Slashed for the open anomaly so far.
	pub slashed: Balance,
}

impl Default for NodeRecord {
	fn default() -> Self {
		NodeRecord {
			reliability: Perbill::one(),
			faulty_since: None,
			passes: 0,
			slashed_to: 0,
			slashed: 0,
		}
	}
}

/// The round in progress and the oracle set it was assigned from.
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
#[scale_info(skip_type_params(MaxOracles))]
pub struct Round<AccountId: Clone + Eq + core::fmt::Debug, MaxOracles: Get<u32>> {
	/// The round and its seed.
	pub info: RoundInfo,
	/// The oracle set at its start.
	pub oracles: BoundedVec<AccountId, MaxOracles>,
	/// Their passports, in the same order: a vote is counted toward its passport's record
	/// ([`OracleRecords`]) even if the oracle deregisters before the round is decided. Empty for
	/// a round started before the record moved to the passport ([`migrations::v2`]), whose votes
	/// are counted through the registry.
	pub passports: BoundedVec<PassportId, MaxOracles>,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version. 2: oracle records moved to the passport, anomalies keep
	/// their start block and recovery streak, rounds their oracles' passports
	/// ([`migrations::v2`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		CreateAuthorizedTransaction<Call<Self>>
		+ polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>>
	{
		/// The oracle key (sr25519 under `icno` in the runtime).
		type OracleKey: Member + Parameter + RuntimeAppPublic + Ord + MaxEncodedLen;
		/// Passports, an `Oracle` one staked per oracle.
		type Passports: PassportStaking<Self::AccountId>;
		/// The market's nodes: their challenge data, and their state machine.
		type Nodes: NodeHealth + NodeDirectory<Self::AccountId>;
		/// HP collateral, slashed for nodes that stay down.
		type Collateral: NodeCollateral<Self::AccountId>;
		/// Largest oracle set.
		#[pallet::constant]
		type MaxOracles: Get<u32>;
		/// Oracles assigned to each node per round (SPEC §5.2: 3).
		#[pallet::constant]
		type OraclesPerNode: Get<u32>;
		/// Most outcomes one report carries: the nodes one oracle challenges per round.
		#[pallet::constant]
		type MaxOutcomes: Get<u32>;
		/// Chunks asked for per challenge.
		#[pallet::constant]
		type ChunksPerChallenge: Get<u32>;
		/// Time an agent has to answer a challenge, in milliseconds.
		#[pallet::constant]
		type ChallengeTimeoutMs: Get<u64>;
		/// Grace a faulty node has to recover before it is slashed (SPEC §5.5), in eras' worth
		/// of blocks counted from the block its anomaly opened (`GraceEras × EraLength`): a
		/// fault in an era's last round gets the same grace as one in its first.
		#[pallet::constant]
		type GraceEras: Get<EraIndex>;
		/// Consecutive rounds a faulty or slashing node must pass before its anomaly closes
		/// (SPEC §5.5); a failed round between passes starts the count again and neither the
		/// grace nor the slashes taken are reset by a pass.
		#[pallet::constant]
		type RecoveryRounds: Get<u32>;
		/// Share of a node's own collateral slashed per era of `Slashing`.
		#[pallet::constant]
		type SlashPerEra: Get<Perbill>;
		/// Share of a node's own collateral below which it is force-retired.
		#[pallet::constant]
		type SlashFloor: Get<Perbill>;
		/// Largest share of an oracle's votes in a window that may disagree with the majority.
		#[pallet::constant]
		type MaxDisagreement: Get<Perbill>;
		/// Votes per disagreement window.
		#[pallet::constant]
		type DisagreementWindow: Get<u32>;
		/// Pool priority of reports.
		#[pallet::constant]
		type ReportPriority: Get<TransactionPriority>;
		/// Told about reliability changes (they re-weigh a node's reward share) and votes that
		/// agreed with a decided majority (they earn oracle rewards): the rewards pallet (SPEC
		/// §6.2, §6.4, §5.7).
		type Rewards: RewardHooks<Self::AccountId>;
		/// Weights.
		type WeightInfo: WeightInfo;
		/// Creates what the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Length of an era in blocks: the protocol's clock (genesis sets it; never changes after).
	#[pallet::storage]
	pub type EraLength<T: Config> = StorageValue<_, u32, ValueQuery, EraLengthDefault>;

	#[pallet::type_value]
	pub fn EraLengthDefault() -> u32 {
		BLOCKS_PER_ERA
	}

	/// Blocks per challenge round (genesis sets it).
	#[pallet::storage]
	pub type ChallengePeriod<T: Config> = StorageValue<_, u32, ValueQuery, ChallengePeriodDefault>;

	#[pallet::type_value]
	pub fn ChallengePeriodDefault() -> u32 {
		DEFAULT_CHALLENGE_PERIOD
	}

	/// Registered oracles.
	#[pallet::storage]
	pub type Oracles<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, OracleInfo<T::OracleKey>>;

	/// Each oracle passport's disagreement window (SPEC §5.7). Kept across deregistration and
	/// registration; removed with the passport when the oracle is removed. At most one entry per
	/// `Oracle` passport, which only governance mints.
	#[pallet::storage]
	pub type OracleRecords<T: Config> =
		StorageMap<_, Twox64Concat, PassportId, OracleRecord, ValueQuery>;

	/// Which account registered an oracle key.
	#[pallet::storage]
	pub type KeyOwner<T: Config> = StorageMap<_, Blake2_128Concat, T::OracleKey, T::AccountId>;

	/// The registered oracles, sorted: the next round's oracle set.
	#[pallet::storage]
	pub type OracleSet<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxOracles>, ValueQuery>;

	/// The round in progress.
	#[pallet::storage]
	pub type CurrentRound<T: Config> =
		StorageValue<_, Round<T::AccountId, T::MaxOracles>, ValueQuery>;

	/// The round each oracle of the round in progress reported on; cleared at each round's start
	/// for the last round's oracles, so at most `MaxOracles` entries.
	#[pallet::storage]
	pub type LastReport<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, RoundIndex>;

	/// Each oracle's latest beacon commitment: the round it must be revealed in and the hash
	/// ([`commitment`]). One per registered oracle, and per oracle of the round in progress
	/// that left (kept so that leaving and registering again within the round does not spare
	/// the reveal; removed at the next round's start).
	#[pallet::storage]
	pub type Commitments<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (RoundIndex, [u8; 32])>;

	/// XOR of the reveals of the round in progress ([`reveal_share`]): the next round's seed is
	/// mixed from it.
	#[pallet::storage]
	pub type BeaconMix<T: Config> = StorageValue<_, [u8; 32], ValueQuery>;

	/// Votes on each node's latest round.
	#[pallet::storage]
	pub type Tallies<T: Config> = StorageMap<_, Twox64Concat, NodeId, Tally<T::OraclesPerNode>>;

	/// Each node's reliability and anomaly.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, NodeId, NodeRecord>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Era length in blocks (`None`: one day, SPEC §1).
		pub era_length: Option<u32>,
		/// Challenge period in blocks (`None`: 600).
		pub challenge_period: Option<u32>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		/// A zero era length or period is a broken chain spec: building it fails.
		fn build(&self) {
			if let Some(length) = self.era_length {
				assert!(length > 0, "era_length must be positive");
				EraLength::<T>::put(length);
			}
			if let Some(period) = self.challenge_period {
				assert!(period > 0, "challenge_period must be positive");
				ChallengePeriod::<T>::put(period);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `oracle` registered with `key`, staking `passport`.
		OracleRegistered { oracle: T::AccountId, passport: PassportId, key: T::OracleKey },
		/// `oracle` left; its passport is released.
		OracleDeregistered { oracle: T::AccountId },
		/// `oracle` disagreed with the majority on `disagreements` of `votes`: removed, its
		/// passport revoked (SPEC §5.7).
		OracleRemoved { oracle: T::AccountId, votes: u32, disagreements: u32 },
		/// Round `round` started with `oracles` oracles.
		RoundStarted { round: RoundIndex, seed: [u8; 32], oracles: u32 },
		/// `oracle` reported on round `round`: `passed` passes and `failed` failures counted,
		/// `skipped` outcomes of nodes that had left (SPEC §5.5: they void nothing else).
		ReportsSubmitted {
			round: RoundIndex,
			oracle: T::AccountId,
			passed: u32,
			failed: u32,
			skipped: u32,
		},
		/// A majority decided `node`'s round; its reliability is now `reliability`.
		RoundDecided { node: NodeId, round: RoundIndex, passed: bool, reliability: Perbill },
		/// `node` failed a round: an anomaly opened at block `at`, in `era` (`Active → Faulty`).
		AnomalyOpened { node: NodeId, era: EraIndex, at: u32 },
		/// `node`, under an anomaly, passed `passes` rounds in a row of the `RecoveryRounds` that
		/// close it.
		Recovering { node: NodeId, passes: u32 },
		/// `node` passed `RecoveryRounds` rounds in a row: its anomaly is closed.
		AnomalyClosed { node: NodeId },
		/// `node` stayed down past the grace period: `Faulty → Slashing`.
		SlashingStarted { node: NodeId },
		/// `amount` of `hp`'s collateral was slashed for `eras` eras of `node` in `Slashing`.
		Slashed { node: NodeId, hp: T::AccountId, eras: EraIndex, amount: Balance },
		/// `node` was slashed below the floor: force-retired, its passport revoked.
		ForceRetired { node: NodeId },
		/// `node`'s HP retired it under an anomaly, paying `amount`, the rest of the slash
		/// schedule (SPEC §3.9); it is force-retired, its passport revoked.
		RetiredUnderAnomaly { node: NodeId, hp: T::AccountId, amount: Balance },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is already an oracle.
		AlreadyOracle,
		/// The caller is not an oracle.
		NotOracle,
		/// The key is registered by another oracle.
		KeyInUse,
		/// The proof of possession is not a signature of the caller's account by the key.
		BadKeyProof,
		/// The oracle set is full.
		TooManyOracles,
		/// The report is not for the current round.
		WrongRound,
		/// The oracle already reported on this round.
		DuplicateReport,
		/// A reported node is not assigned to the oracle this round, or appears twice.
		NotAssigned,
		/// The report is empty.
		EmptyReport,
		/// A report's outcomes must be in strictly ascending node order.
		UnsortedOutcomes,
		/// The report's signature is not the oracle key's.
		BadSignature,
		/// No live node has this id.
		UnknownNode,
		/// Only the node's HP may do this.
		NotNodeOwner,
		/// The node is not `Faulty` or `Slashing`: it leaves with the market's `exit_node`.
		NotUnderAnomaly,
		/// The report does not reveal the secret the oracle committed to for this round (or
		/// reveals one when none is due).
		BadReveal,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Starts a round when its first block begins: O(`MaxOracles`), never O(nodes).
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let now: u32 = now.saturated_into();
			let period = ChallengePeriod::<T>::get().max(1);
			let index = now / period;
			let round = CurrentRound::<T>::get();
			if round.info.end != 0 && index == round.info.index {
				return T::WeightInfo::on_initialize_idle();
			}
			// `LastReport` keeps only the round in progress: the last round's reporters are
			// forgotten now (at most `MaxOracles` entries), so it never grows with oracles that
			// came and went (SPEC §9).
			let previous = round.oracles.len() as u32;
			for oracle in round.oracles.iter() {
				LastReport::<T>::remove(oracle);
				// Oracles that left: their beacon commitments go too (SPEC §9).
				if !Oracles::<T>::contains_key(oracle) {
					Commitments::<T>::remove(oracle);
				}
			}
			let oracles = OracleSet::<T>::get();
			// Issue 24 item 10: mixed from the oracles' reveals, not from a block hash.
			let seed = next_seed(index, &round.info.seed, &BeaconMix::<T>::take());
			let start = index.saturating_mul(period);
			let info = RoundInfo { index, seed, start, end: start.saturating_add(period) };
			let count = oracles.len() as u32;
			// An oracle missing from the registry (never: the set and the registry agree,
			// `do_try_state`) would leave the round without passports, whose votes are then
			// counted through the registry.
			let passports = Self::passports_of(&oracles).unwrap_or_else(|| {
				frame_support::defensive!("an oracle of the set is not registered");
				BoundedVec::new()
			});
			CurrentRound::<T>::put(Round { info, oracles, passports });
			Self::deposit_event(Event::RoundStarted { round: index, seed, oracles: count });
			// Benchmarked with `o` oracles in both the new round and the one before.
			T::WeightInfo::on_initialize_new_round(count.max(previous))
		}

		/// Challenges this node's assignments if it holds a registered oracle key.
		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::run::<T>(now.saturated_into());
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as an oracle (SPEC §5.1): stakes its `Oracle` passport and binds
		/// `key` to its account. `proof` is `key`'s signature of `"icn/oracle-key" ‖ account`
		/// (SCALE), so nobody can register a key they do not hold. It joins from the next round.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_oracle())]
		pub fn register_oracle(
			origin: OriginFor<T>,
			passport: PassportId,
			key: T::OracleKey,
			proof: <T::OracleKey as RuntimeAppPublic>::Signature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Oracles::<T>::contains_key(&who), Error::<T>::AlreadyOracle);
			ensure!(!KeyOwner::<T>::contains_key(&key), Error::<T>::KeyInUse);
			let message = (POSSESSION_CONTEXT, &who).encode();
			ensure!(key.verify(&message, &proof), Error::<T>::BadKeyProof);
			let mut set = OracleSet::<T>::get();
			let at = set.binary_search(&who).err().ok_or(Error::<T>::AlreadyOracle)?;
			set.try_insert(at, who.clone()).map_err(|_| Error::<T>::TooManyOracles)?;
			T::Passports::stake(&who, passport, PassportUse::Oracle)?;
			OracleSet::<T>::put(set);
			KeyOwner::<T>::insert(&key, &who);
			// Its disagreement record, if the passport had one, carries on (SPEC §5.7).
			Oracles::<T>::insert(&who, OracleInfo { passport, key: key.clone() });
			Self::deposit_event(Event::OracleRegistered { oracle: who, passport, key });
			Ok(())
		}

		/// Leaves the oracle set and releases the passport. Votes already cast still count, and
		/// toward the passport's disagreement record, which stays with the passport (SPEC §5.7):
		/// registering again does not wipe it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_oracle())]
		pub fn deregister_oracle(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Oracles::<T>::get(&who).ok_or(Error::<T>::NotOracle)?;
			T::Passports::unstake(info.passport, PassportUse::Oracle)?;
			Self::forget_oracle(&who, &info);
			Self::deposit_event(Event::OracleDeregistered { oracle: who });
			Ok(())
		}

		/// Retires the caller's `node` while it is `Faulty` or `Slashing` (SPEC §3.9): it pays the
		/// rest of the slash schedule at once — what the schedule would take before it
		/// force-retires the node, less what this anomaly already slashed — and is force-retired
		/// (leases end with refunds, passport revoked). So an HP can always leave (e.g. when no
		/// oracle decides its rounds any more), but never more cheaply than the schedule; the
		/// market's `exit_node` refuses nodes under an anomaly.
		///
		/// Origin: signed, the node's HP. Emits `Slashed`, `RetiredUnderAnomaly`. Errors:
		/// `UnknownNode`, `NotNodeOwner`, `NotUnderAnomaly`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::retire_under_anomaly())]
		pub fn retire_under_anomaly(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let target = T::Nodes::target(node).ok_or(Error::<T>::UnknownNode)?;
			ensure!(target.hp == who, Error::<T>::NotNodeOwner);
			ensure!(
				matches!(target.status, NodeStatus::Faulty | NodeStatus::Slashing),
				Error::<T>::NotUnderAnomaly
			);
			let record = Records::<T>::get(node).unwrap_or_default();
			let due = Self::rest_of_schedule(&target, record.slashed);
			let amount = T::Collateral::slash(&target.hp, due);
			T::Nodes::force_retire(node)?;
			Records::<T>::remove(node);
			Tallies::<T>::remove(node);
			Self::deposit_event(Event::Slashed { node, hp: who.clone(), eras: 0, amount });
			Self::deposit_event(Event::RetiredUnderAnomaly { node, hp: who, amount });
			Ok(())
		}

		/// An oracle's outcomes for the current round (SPEC §5.4), signed by its oracle key.
		/// Authorized by [`Pallet::authorize_report`]: free for a valid first report; anything
		/// else is invalid before it reaches a block.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::submit_reports(report.outcomes.len() as u32))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_report(report.outcomes.len() as u32))]
		#[pallet::authorize(Self::authorize_report)]
		pub fn submit_reports(
			origin: OriginFor<T>,
			report: Report<T::AccountId, T::MaxOutcomes>,
			// Checked by `authorize_report`.
			_signature: <T::OracleKey as RuntimeAppPublic>::Signature,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			let round = CurrentRound::<T>::get();
			let oracle_index = Self::check_report(&round, &report)?;
			LastReport::<T>::insert(&report.oracle, report.round);
			if let Some(secret) = &report.beacon.reveal {
				let share = reveal_share(&report.oracle, secret);
				BeaconMix::<T>::mutate(|mix| {
					mix.iter_mut().zip(share.iter()).for_each(|(m, s)| *m ^= s)
				});
			}
			Commitments::<T>::insert(
				&report.oracle,
				(report.round.saturating_add(1), report.beacon.commit),
			);
			let (mut passed, mut failed, mut skipped) = (0u32, 0u32, 0u32);
			for (node, outcome) in &report.outcomes {
				// SPEC §5.5: judged outcome by outcome. A node that left since the oracle
				// challenged it is skipped; it never voids the other outcomes.
				if !Self::is_live(*node) {
					skipped.saturating_inc();
					continue;
				}
				if outcome.passed() {
					passed.saturating_inc();
				} else {
					failed.saturating_inc();
				}
				Self::record_vote(&round, *node, oracle_index, outcome.passed());
			}
			Self::deposit_event(Event::ReportsSubmitted {
				round: report.round,
				oracle: report.oracle,
				passed,
				failed,
				skipped,
			});
			Ok(Pays::No.into())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The passports of `oracles`, in the same order (a round's [`Round::passports`]); `None`
	/// if one of them is not registered. One registry read per oracle: O(`MaxOracles`).
	pub fn passports_of(
		oracles: &BoundedVec<T::AccountId, T::MaxOracles>,
	) -> Option<BoundedVec<PassportId, T::MaxOracles>> {
		let passports: Vec<PassportId> = oracles
			.iter()
			.map(|o| Oracles::<T>::get(o).map(|i| i.passport))
			.collect::<Option<_>>()?;
		Some(BoundedVec::truncate_from(passports))
	}
	/// `authorize` rule of `submit_reports`: the report must be for the current round, from an
	/// oracle of that round that has not reported yet, only about nodes assigned to it, each once
	/// in ascending order, and signed by its key. The pool keeps one report per (round, oracle).
	///
	/// Whether a listed node still exists is not part of the rule (SPEC §5.5): a node that
	/// leaves between the challenge and the block must not make the report invalid, so its
	/// outcome is skipped at dispatch. An oracle can thus list an assigned id of no node; that
	/// costs nobody anything (the outcome is skipped, the report is bounded by `MaxOutcomes`
	/// and there is one per oracle and round).
	pub fn authorize_report(
		_source: TransactionSource,
		report: &Report<T::AccountId, T::MaxOutcomes>,
		signature: &<T::OracleKey as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		use sp_runtime::transaction_validity::{InvalidTransaction, ValidTransaction};
		let round = CurrentRound::<T>::get();
		let invalid = |e: Error<T>| -> TransactionValidityError {
			match e {
				Error::<T>::WrongRound | Error::<T>::DuplicateReport => InvalidTransaction::Stale,
				Error::<T>::BadSignature => InvalidTransaction::BadProof,
				Error::<T>::NotOracle => InvalidTransaction::BadSigner,
				other => InvalidTransaction::Custom(other.encode().first().copied().unwrap_or(0)),
			}
			.into()
		};
		Self::check_report(&round, report).map_err(|e| invalid(e))?;
		let key = Oracles::<T>::get(&report.oracle)
			.map(|info| info.key)
			.ok_or_else(|| invalid(Error::<T>::NotOracle))?;
		if !report.using_encoded(|bytes| key.verify(&bytes, signature)) {
			return Err(invalid(Error::<T>::BadSignature));
		}
		let now: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
		ValidTransaction::with_tag_prefix("IcnSlaReport")
			.priority(T::ReportPriority::get())
			.and_provides((report.round, &report.oracle))
			.longevity(u64::from(round.info.end.saturating_sub(now).max(1)))
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	/// The report's round, oracle and outcomes are acceptable; returns the oracle's index in the
	/// round's set.
	fn check_report(
		round: &Round<T::AccountId, T::MaxOracles>,
		report: &Report<T::AccountId, T::MaxOutcomes>,
	) -> Result<u32, Error<T>> {
		ensure!(report.round == round.info.index && round.info.end != 0, Error::<T>::WrongRound);
		let index = round
			.oracles
			.iter()
			.position(|o| o == &report.oracle)
			.ok_or(Error::<T>::NotOracle)? as u32;
		// Registered, with its passport still staked for it (not revoked since).
		ensure!(
			Oracles::<T>::get(&report.oracle).is_some_and(|info| {
				T::Passports::use_of(info.passport) == Some(PassportUse::Oracle)
			}),
			Error::<T>::NotOracle
		);
		ensure!(
			LastReport::<T>::get(&report.oracle).is_none_or(|last| last < report.round),
			Error::<T>::DuplicateReport
		);
		// The beacon: the secret committed to for this round, if a commitment is due; a stale
		// one (the oracle skipped the round it was for) is replaced by this report's.
		let due = Commitments::<T>::get(&report.oracle)
			.filter(|(round, _)| *round == report.round)
			.map(|(_, hash)| hash);
		ensure!(report.beacon.reveal.as_ref().map(commitment) == due, Error::<T>::BadReveal);
		ensure!(!report.outcomes.is_empty(), Error::<T>::EmptyReport);
		ensure!(report.outcomes.windows(2).all(|w| w[0].0 < w[1].0), Error::<T>::UnsortedOutcomes);
		let count = round.oracles.len() as u32;
		// Every outcome is checked, valid or not, so the check costs the same for any report of
		// that length (its benchmarked weight).
		let mut assigned = true;
		for (node, _) in report.outcomes.iter() {
			assigned &= assigned_oracles(&round.info.seed, *node, count, T::OraclesPerNode::get())
				.contains(&index);
		}
		ensure!(assigned, Error::<T>::NotAssigned);
		Ok(index)
	}

	/// Whether `node` exists and has not retired: one read.
	fn is_live(node: NodeId) -> bool {
		T::Nodes::status(node).is_some_and(|s| s != NodeStatus::Retired)
	}

	/// Records one vote; decides the node's round when a majority of its assigned oracles agree.
	fn record_vote(
		round: &Round<T::AccountId, T::MaxOracles>,
		node: NodeId,
		oracle_index: u32,
		passed: bool,
	) {
		let assigned = T::OraclesPerNode::get().min(round.oracles.len() as u32);
		let mut tally = Tallies::<T>::get(node)
			.filter(|t| t.round == round.info.index)
			.unwrap_or(Tally { round: round.info.index, votes: Default::default(), decided: None });
		if tally.votes.iter().any(|(i, _)| *i == oracle_index)
			|| tally.votes.try_push((oracle_index, passed)).is_err()
		{
			return;
		}
		match tally.decided {
			Some(decision) => Self::note_vote(round, oracle_index, passed == decision),
			None => {
				let passes = tally.votes.iter().filter(|(_, p)| *p).count() as u32;
				let fails = (tally.votes.len() as u32).saturating_sub(passes);
				let decision = if is_majority(passes, assigned) {
					Some(true)
				} else if is_majority(fails, assigned) {
					Some(false)
				} else {
					None
				};
				if let Some(decision) = decision {
					tally.decided = Some(decision);
					for (i, vote) in tally.votes.iter() {
						Self::note_vote(round, *i, *vote == decision);
					}
					Self::decide(node, round.info.index, decision);
				}
			},
		}
		// A node the decision force-retired leaves no tally behind.
		if Self::is_live(node) {
			Tallies::<T>::insert(node, tally);
		}
	}

	/// Counts a vote on a decided round toward its oracle passport's disagreement window
	/// (SPEC §5.7), and pays a vote that agreed with the majority (one that disagreed earns
	/// nothing). The passport is the round's record of it, so an oracle that deregistered after
	/// voting is still judged; a revoked passport is judged no more.
	fn note_vote(round: &Round<T::AccountId, T::MaxOracles>, oracle_index: u32, agreed: bool) {
		let Some(oracle) = round.oracles.get(oracle_index as usize) else { return };
		let passport = match round.passports.get(oracle_index as usize) {
			Some(passport) => *passport,
			None => match Oracles::<T>::get(oracle) {
				Some(info) => info.passport,
				None => return,
			},
		};
		if T::Passports::owner_of(passport).is_none() {
			return;
		}
		if agreed {
			T::Rewards::report_accepted(oracle, 1);
		}
		let mut record = OracleRecords::<T>::get(passport);
		record.votes.saturating_inc();
		if !agreed {
			record.disagreements.saturating_inc();
		}
		if record.votes < T::DisagreementWindow::get().max(1) {
			OracleRecords::<T>::insert(passport, record);
			return;
		}
		let allowed = T::MaxDisagreement::get().mul_floor(record.votes);
		if record.disagreements > allowed {
			let _ = T::Passports::revoke(passport);
			OracleRecords::<T>::remove(passport);
			// Out of the registry too, whoever is registered with this passport now: the voter
			// may have left and the passport (unstaked, so transferable) been registered by
			// another account. At most `MaxOracles` reads, once per removal.
			let holder = core::iter::once(oracle.clone())
				.chain(OracleSet::<T>::get().into_iter())
				.find_map(|o| {
					Oracles::<T>::get(&o).filter(|i| i.passport == passport).map(|i| (o, i))
				});
			if let Some((holder, info)) = holder {
				Self::forget_oracle(&holder, &info);
			}
			Self::deposit_event(Event::OracleRemoved {
				oracle: oracle.clone(),
				votes: record.votes,
				disagreements: record.disagreements,
			});
		} else {
			// A new window: the default record, so nothing is stored.
			OracleRecords::<T>::remove(passport);
		}
	}

	/// Removes an oracle from the registry and the next rounds' set.
	fn forget_oracle(oracle: &T::AccountId, info: &OracleInfo<T::OracleKey>) {
		OracleSet::<T>::mutate(|set| set.retain(|o| o != oracle));
		KeyOwner::<T>::remove(&info.key);
		Oracles::<T>::remove(oracle);
		// Its commitment stays while it is in the round's set (removed at the next round's start
		// if it has not registered again): leaving and coming back within a round must not
		// spare it the reveal it owes (issue 24's review).
	}

	/// Acts on a decided round (SPEC §5.5, §5.6).
	fn decide(node: NodeId, round: RoundIndex, passed: bool) {
		let Some(target) = T::Nodes::target(node) else { return };
		let mut record = Records::<T>::get(node).unwrap_or_default();
		let step = Perbill::from_rational(1u32, RELIABILITY_STEP);
		record.reliability = record
			.reliability
			.saturating_sub(record.reliability * step)
			.saturating_add(if passed { step } else { Perbill::zero() });
		Self::deposit_event(Event::RoundDecided {
			node,
			round,
			passed,
			reliability: record.reliability,
		});
		let era = Self::current_era();
		let now: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
		let status = target.status;
		if passed {
			match status {
				// The first passed round activates a new node.
				NodeStatus::Pending => {
					let _ = T::Nodes::set_status(node, NodeStatus::Active);
				},
				// An anomaly closes only after `RecoveryRounds` passes in a row (SPEC §5.5):
				// until then the node stays unpaid and unrewarded, its grace keeps running and
				// its slashes stand, so a node up one round in a few never recovers.
				NodeStatus::Faulty | NodeStatus::Slashing => {
					record.passes.saturating_inc();
					if record.passes >= T::RecoveryRounds::get().max(1) {
						if T::Nodes::set_status(node, NodeStatus::Active).is_ok() {
							Self::deposit_event(Event::AnomalyClosed { node });
						}
						record.faulty_since = None;
						record.passes = 0;
						record.slashed = 0;
					} else {
						Self::deposit_event(Event::Recovering { node, passes: record.passes });
					}
				},
				NodeStatus::Active | NodeStatus::Retired => {},
			}
			Records::<T>::insert(node, record);
			T::Rewards::node_changed(node);
			return;
		}
		record.passes = 0;
		match status {
			NodeStatus::Active => {
				if T::Nodes::set_status(node, NodeStatus::Faulty).is_ok() {
					record.faulty_since = Some(now);
					Self::deposit_event(Event::AnomalyOpened { node, era, at: now });
				}
			},
			NodeStatus::Faulty => {
				let since = record.faulty_since.unwrap_or(now);
				record.faulty_since = Some(since);
				if now >= since.saturating_add(Self::grace_blocks())
					&& T::Nodes::set_status(node, NodeStatus::Slashing).is_ok()
				{
					Self::deposit_event(Event::SlashingStarted { node });
					record.slashed_to = era;
					Self::slash(node, &target, &mut record, era);
				}
			},
			NodeStatus::Slashing => Self::slash(node, &target, &mut record, era),
			// A pending node that fails simply is not activated.
			NodeStatus::Pending | NodeStatus::Retired => {},
		}
		// A node the decision force-retired leaves no record behind.
		if T::Nodes::target(node).is_some() {
			Records::<T>::insert(node, record);
			T::Rewards::node_changed(node);
		}
	}

	/// Slashes `SlashPerEra × S(n)` for each era from `record.slashed_to` through `era`; force-
	/// retires the node once its anomaly's slashes leave less than `SlashFloor × S(n)`.
	fn slash(
		node: NodeId,
		target: &icn_primitives::market::ChallengeTarget<T::AccountId>,
		record: &mut NodeRecord,
		era: EraIndex,
	) {
		if era < record.slashed_to {
			return;
		}
		let eras = era.saturating_add(1).saturating_sub(record.slashed_to);
		let own = T::Collateral::self_collateral(target.class, target.capacity);
		let due = (T::SlashPerEra::get() * own).saturating_mul(Balance::from(eras));
		let amount = T::Collateral::slash(&target.hp, due);
		record.slashed = record.slashed.saturating_add(amount);
		record.slashed_to = era.saturating_add(1);
		Self::deposit_event(Event::Slashed { node, hp: target.hp.clone(), eras, amount });
		let floor = T::SlashFloor::get() * own;
		if own.saturating_sub(record.slashed) < floor || amount < due {
			if T::Nodes::force_retire(node).is_ok() {
				Records::<T>::remove(node);
				Tallies::<T>::remove(node);
				Self::deposit_event(Event::ForceRetired { node });
			}
		}
	}

	/// What the slash schedule would still take from a node with `slashed` slashed in its
	/// anomaly before it force-retires it: `k × SlashPerEra × S(n) − slashed`, where `k` is the
	/// first number of steps that leaves less than `SlashFloor × S(n)` (all of `S(n) − floor`
	/// if the schedule slashes nothing per era).
	pub fn rest_of_schedule(
		target: &icn_primitives::market::ChallengeTarget<T::AccountId>,
		slashed: Balance,
	) -> Balance {
		let own = T::Collateral::self_collateral(target.class, target.capacity);
		let floor = T::SlashFloor::get() * own;
		let step = T::SlashPerEra::get() * own;
		let total = if step == 0 {
			own.saturating_sub(floor)
		} else {
			let steps = own.saturating_sub(floor) / step + 1;
			step.saturating_mul(steps).min(own)
		};
		total.saturating_sub(slashed)
	}

	/// The grace of an anomaly in blocks: `GraceEras × EraLength` (SPEC §5.5).
	pub fn grace_blocks() -> u32 {
		T::GraceEras::get().saturating_mul(EraLength::<T>::get())
	}

	/// The current era: block number / era length.
	pub fn current_era() -> EraIndex {
		let now: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
		now / EraLength::<T>::get().max(1)
	}

	/// The nodes `oracle` must challenge this round, by id (at most `MaxOutcomes`, the lowest
	/// ids first). O(nodes): runtime APIs and the off-chain worker only.
	pub fn assignments(oracle: &T::AccountId) -> Vec<NodeId> {
		let round = CurrentRound::<T>::get();
		let Some(index) = round.oracles.iter().position(|o| o == oracle) else {
			return Vec::new();
		};
		let count = round.oracles.len() as u32;
		let mut nodes = T::Nodes::live_nodes();
		nodes.sort_unstable();
		nodes
			.into_iter()
			.filter(|node| {
				assigned_oracles(&round.info.seed, *node, count, T::OraclesPerNode::get())
					.contains(&(index as u32))
			})
			.take(T::MaxOutcomes::get() as usize)
			.collect()
	}

	/// A node's standing, for the runtime API.
	pub fn node_sla(node: NodeId) -> Option<NodeSla> {
		let target = T::Nodes::target(node)?;
		let record = Records::<T>::get(node).unwrap_or_default();
		let tally = Tallies::<T>::get(node);
		Some(NodeSla {
			status: target.status,
			reliability: record.reliability,
			faulty_since: record.faulty_since,
			recovery_passes: record.passes,
			slashed: record.slashed,
			round: tally.as_ref().map(|t| t.round).unwrap_or_default(),
			votes: tally
				.as_ref()
				.map(|t| t.votes.iter().map(|(_, p)| *p).collect())
				.unwrap_or_default(),
			decided: tally.and_then(|t| t.decided),
		})
	}

	/// The registered oracles.
	pub fn oracles() -> Vec<T::AccountId> {
		OracleSet::<T>::get().into_inner()
	}

	/// Invariants (SPEC §9): every registered oracle is in the set, holds its key and has its
	/// passport staked for it; the set is sorted and bounded.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use icn_primitives::passport::PassportInspect;
		let set = OracleSet::<T>::get();
		ensure!(set.windows(2).all(|w| w[0] < w[1]), "the oracle set is not sorted");
		ensure!(set.len() == Oracles::<T>::iter().count(), "oracle set and registry differ");
		for (oracle, info) in Oracles::<T>::iter() {
			ensure!(set.contains(&oracle), "a registered oracle is not in the set");
			ensure!(KeyOwner::<T>::get(&info.key) == Some(oracle.clone()), "key not bound");
			ensure!(
				T::Passports::use_of(info.passport) == Some(PassportUse::Oracle),
				"an oracle's passport is not staked for it"
			);
		}
		ensure!(KeyOwner::<T>::iter().count() == set.len(), "stale oracle keys");
		// The round's passports are its oracles' (or none, for a round begun before v2).
		let round = CurrentRound::<T>::get();
		ensure!(
			round.passports.is_empty() || round.passports.len() == round.oracles.len(),
			"a round's passports do not match its oracles"
		);
		// A record is kept only for a live passport. (Its votes may exceed the window if an
		// upgrade shortened it; the next vote judges it.)
		for (passport, record) in OracleRecords::<T>::iter() {
			ensure!(T::Passports::owner_of(passport).is_some(), "a revoked passport's record");
			ensure!(record.disagreements <= record.votes, "more disagreements than votes");
		}
		// Records and tallies go with their node, however it retires.
		for (node, _) in Records::<T>::iter() {
			ensure!(T::Nodes::target(node).is_some(), "a retired node's record is left");
		}
		for (node, _) in Tallies::<T>::iter() {
			ensure!(T::Nodes::target(node).is_some(), "a retired node's tally is left");
		}
		let round = CurrentRound::<T>::get();
		for (oracle, _) in Commitments::<T>::iter() {
			ensure!(
				Oracles::<T>::contains_key(&oracle) || round.oracles.contains(&oracle),
				"a commitment of an oracle that left before this round"
			);
		}
		Ok(())
	}
}

impl<T: Config> EraProvider for Pallet<T> {
	fn current_era() -> EraIndex {
		Self::current_era()
	}

	fn era_length() -> u32 {
		EraLength::<T>::get().max(1)
	}

	fn blocks_left_in_era() -> u32 {
		let now: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
		let length = EraLength::<T>::get().max(1);
		length.saturating_sub(now % length)
	}
}

/// The market tells this pallet about node changes (as one of its hooks): when a node retires —
/// its HP's `exit_node` as much as a force-retirement — its record and tally go with it.
impl<T: Config> RewardHooks<T::AccountId> for Pallet<T> {
	fn node_changed(node: NodeId) {
		if !Self::is_live(node) {
			Records::<T>::remove(node);
			Tallies::<T>::remove(node);
		}
	}
	fn fees_paid(_cluster: ClusterId, _class: HardwareClass, _amount: Balance, _take: Balance) {}
	fn report_accepted(_oracle: &T::AccountId, _outcomes: u32) {}
}

impl<T: Config> NodeReliability for Pallet<T> {
	fn reliability(node: NodeId) -> Perbill {
		Records::<T>::get(node).map(|r| r.reliability).unwrap_or(Perbill::one())
	}

	/// A failing vote in the round in progress (two reads).
	fn is_suspect(node: NodeId) -> bool {
		let round = CurrentRound::<T>::get().info.index;
		Tallies::<T>::get(node)
			.is_some_and(|t| t.round == round && t.votes.iter().any(|(_, passed)| !passed))
	}
}
