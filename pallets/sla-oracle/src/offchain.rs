//! The oracle's off-chain worker (SPEC §5.3): challenge the assigned nodes' agents over HTTP,
//! verify their answers against the registered roots, and submit one signed report per round.
//!
//! Per local oracle key that belongs to an oracle of the current round, and once per round unless
//! the report does not land: a persistent "sent" mark records the round and the time (off-chain
//! clock, taken when the report was handed to the pool) it was submitted, and a storage lock per
//! (key, round) keeps an overlapping run (the next block's worker) from challenging and
//! submitting at the same time. A report the pool took but no block applied (the chain has no
//! `LastReport` of it `RESUBMIT_AFTER_MS` after the submission) is challenged and submitted
//! again, so no refusal silently costs the round (SPEC §5.5). The mark is taken at submission,
//! not at the run's start, so a run that took several blocks is not repeated at once. Challenges run one node after another, each with its own deadline of
//! `ChallengeTimeoutMs`, so a node that is down costs one timeout and the latency of a node that
//! is up is its own.

use super::*;
use codec::Decode;
use frame_system::offchain::SubmitTransaction;
use icn_primitives::{
	market::ChallengeTarget,
	oracle::FailReason,
	pos::{challenge_indices, verify_challenge, PlotError, PlotResponse},
};
use polkadot_sdk::sp_io;
use sp_runtime::offchain::{
	http,
	storage::StorageValueRef,
	storage_lock::{StorageLock, Time},
	Duration,
};

/// Time after a submission without the report on chain before the worker submits again: three
/// 6 s blocks.
pub const RESUBMIT_AFTER_MS: u64 = 18_000;

/// Largest agent answer read: 64 challenged chunks of 64 KiB with their three parents, and
/// their paths.
const MAX_BODY: usize = 17 << 20;

fn mark_key(prefix: &[u8], key: &impl Encode) -> Vec<u8> {
	let mut out = prefix.to_vec();
	key.encode_to(&mut out);
	out
}

/// The oracle key's beacon secret for `round`: drawn from the node's randomness the first time it
/// is asked for and kept in persistent off-chain storage, so that a report submitted again
/// commits to the same secret, and the next round's report can reveal it.
fn beacon_secret(key: &impl Encode, round: RoundIndex) -> [u8; 32] {
	let key = mark_key(b"icn/sla/beacon/", &(key, round));
	let store = StorageValueRef::persistent(&key);
	if let Ok(Some(secret)) = store.get::<[u8; 32]>() {
		return secret;
	}
	let secret = sp_io::offchain::random_seed();
	store.set(&secret);
	secret
}

/// Drops the secret of a round whose reveal is past.
fn forget_beacon_secret(key: &impl Encode, round: RoundIndex) {
	let key = mark_key(b"icn/sla/beacon/", &(key, round));
	StorageValueRef::persistent(&key).clear();
}

/// Runs the worker at block `now`.
pub(crate) fn run<T: Config>(now: u32) {
	let round = CurrentRound::<T>::get();
	if round.info.end == 0 || round.oracles.is_empty() || now < round.info.start {
		return;
	}
	for key in T::OracleKey::all() {
		let Some(oracle) = KeyOwner::<T>::get(&key) else { continue };
		if !round.oracles.contains(&oracle)
			|| LastReport::<T>::get(&oracle).is_some_and(|r| r >= round.info.index)
		{
			continue;
		}
		let sent_key = mark_key(b"icn/sla/sent/", &key);
		let sent = StorageValueRef::persistent(&sent_key);
		// Sent this round, recently enough that it may still land (a mark in the old format,
		// a bare round, does not decode: the report is sent again and the chain keeps one).
		let recently_sent = || {
			let now_ms = sp_io::offchain::timestamp().unix_millis();
			matches!(sent.get::<(RoundIndex, u64)>(), Ok(Some((r, at)))
				if r >= round.info.index && now_ms < at.saturating_add(RESUBMIT_AFTER_MS))
		};
		if recently_sent() {
			continue;
		}
		let nodes = Pallet::<T>::assignments(&oracle);
		if nodes.is_empty() {
			continue;
		}
		let budget =
			T::ChallengeTimeoutMs::get().saturating_mul((nodes.len() as u64).saturating_add(1));
		// One lock per (oracle key, round).
		let lock_key = mark_key(b"icn/sla/lock/", &(&key, round.info.index));
		let mut lock = StorageLock::<Time>::with_deadline(&lock_key, Duration::from_millis(budget));
		let Ok(_guard) = lock.try_lock() else { continue };
		// Another run may have finished while this one waited for the lock.
		if recently_sent() {
			continue;
		}
		let outcomes: Vec<(NodeId, Outcome)> = nodes
			.into_iter()
			.filter_map(|node| {
				let target = T::Nodes::target(node)?;
				// A node migrated without a plot is in its re-plot grace: nothing to challenge,
				// and no outcome, so its status stands (SPEC §5.5: a missing report counts for
				// no side).
				if target.plot.is_none() && target.plot_covered {
					return None;
				}
				Some((node, challenge::<T>(&round.info.seed, node, &oracle, &target)))
			})
			.collect();
		if outcomes.is_empty() {
			continue;
		}
		// The beacon (issue 24 item 10): reveal the secret committed to for this round, if a
		// commitment is due, and commit to the next round's.
		let due = Commitments::<T>::get(&oracle).filter(|(r, _)| *r == round.info.index);
		let reveal = match due {
			Some((_, hash)) => {
				let secret = beacon_secret(&key, round.info.index);
				if commitment(&secret) != hash {
					log::warn!(
						target: LOG_TARGET,
						"round {}: the beacon secret committed to is lost (off-chain storage \
						 wiped?): this round cannot be reported",
						round.info.index
					);
					continue;
				}
				Some(secret)
			},
			None => None,
		};
		let commit = commitment(&beacon_secret(&key, round.info.index.saturating_add(1)));
		forget_beacon_secret(&key, round.info.index.saturating_sub(1));
		let report = Report {
			round: round.info.index,
			oracle: oracle.clone(),
			outcomes: BoundedVec::truncate_from(outcomes),
			beacon: Beacon { reveal, commit },
		};
		let Some(signature) = report.using_encoded(|bytes| key.sign(&bytes)) else {
			log::warn!(target: LOG_TARGET, "cannot sign with the oracle key {key:?}");
			continue;
		};
		let passed = report.outcomes.iter().filter(|(_, o)| o.passed()).count();
		let total = report.outcomes.len();
		let call = Call::submit_reports { report, signature };
		let xt = T::create_authorized_transaction(call.into());
		// Marked either way: a report the pool refused (e.g. its earlier copy is still there)
		// is tried again after `RESUBMIT_AFTER_MS`, not at every block.
		sent.set(&(round.info.index, sp_io::offchain::timestamp().unix_millis()));
		match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
			Ok(()) => log::info!(
				target: LOG_TARGET,
				"round {}: reported {passed}/{total} nodes passing",
				round.info.index
			),
			Err(()) => log::warn!(
				target: LOG_TARGET,
				"round {}: report refused by the pool; trying again in {RESUBMIT_AFTER_MS} ms",
				round.info.index
			),
		}
	}
}

/// `GET url` with `deadline`: the body, or why it failed.
fn get(url: &str, deadline: sp_runtime::offchain::Timestamp) -> Result<Vec<u8>, FailReason> {
	let pending = http::Request::get(url)
		.add_header("Accept", "application/octet-stream")
		.deadline(deadline)
		.send()
		.map_err(|_| FailReason::Unreachable)?;
	let response = match pending.try_wait(deadline) {
		Ok(Ok(response)) => response,
		Ok(Err(http::Error::DeadlineReached)) | Err(_) => return Err(FailReason::Timeout),
		Ok(Err(_)) => return Err(FailReason::Unreachable),
	};
	if response.code != 200 {
		return Err(FailReason::HttpError(response.code));
	}
	// The deadline bounds the body too: without it an agent could send its headers at once and
	// trickle the body while it recomputes the chunks it does not hold (`try_wait` covers the
	// headers only, and a body read has no deadline of its own).
	let mut reader = response.body();
	reader.deadline(deadline);
	let mut body = Vec::new();
	for byte in reader.by_ref() {
		if body.len() >= MAX_BODY {
			return Err(FailReason::Malformed);
		}
		body.push(byte);
	}
	match reader.error() {
		None => Ok(body),
		Some(sp_runtime::offchain::HttpError::DeadlineReached) => Err(FailReason::Timeout),
		Some(_) => Err(FailReason::Unreachable),
	}
}

/// The seed a challenge draws its chunk indices from: the round's seed and a fresh nonce of the
/// oracle's own (`sp_io::offchain::random_seed`, the node's local randomness), as
/// `blake2_256(round seed ‖ nonce)`. The round seed alone is public a round ahead: an agent that
/// knew its indices in advance could keep just those chunks (or recompute them at leisure) and
/// the challenge deadline would mean nothing (`docs/design/proof-of-space.md`). The chain never
/// re-derives the indices: it trusts the majority of a node's oracles (SPEC §5.5, §5.7).
pub(crate) fn challenge_seed(round_seed: &[u8; 32], nonce: &[u8; 32]) -> [u8; 32] {
	let mut buf = [0u8; 64];
	buf[..32].copy_from_slice(round_seed);
	buf[32..].copy_from_slice(nonce);
	sp_io::hashing::blake2_256(&buf)
}

/// Challenges one node (SPEC §5.3, §5.8): the chunks drawn from `(challenge seed, node, oracle)` of the
/// node's own plot, named by its proof root (`{endpoint}/v1/plots/0x{root}/challenge`), each
/// verified with its Merkle path and recomputed from its parents. A node without a bound plot, or
/// whose plot no longer covers its free capacity past the re-plot grace, fails without a request.
pub(crate) fn challenge<T: Config>(
	seed: &[u8; 32],
	node: NodeId,
	oracle: &T::AccountId,
	target: &ChallengeTarget<T::AccountId>,
) -> Outcome {
	let started = sp_io::offchain::timestamp();
	let deadline = started.add(Duration::from_millis(T::ChallengeTimeoutMs::get()));
	let (Some(plot), true) = (target.plot, target.plot_covered) else {
		return Outcome::Fail(FailReason::Uncovered);
	};
	let Ok(base) = core::str::from_utf8(&target.endpoint) else {
		return Outcome::Fail(FailReason::Unreachable);
	};
	let base = base.trim_end_matches('/');
	let challenge = challenge_seed(seed, &sp_io::offchain::random_seed());
	let result = (|| {
		let indices = challenge_indices(
			&challenge,
			node,
			&oracle.encode(),
			plot.leaf_count,
			T::ChunksPerChallenge::get(),
		);
		let list: Vec<alloc::string::String> =
			indices.iter().map(|i| alloc::format!("{i}")).collect();
		let root: alloc::string::String =
			target.proof_root.iter().map(|b| alloc::format!("{b:02x}")).collect();
		let url = alloc::format!("{base}/v1/plots/0x{root}/challenge?indices={}", list.join(","));
		let response = PlotResponse::decode(&mut &get(&url, deadline)?[..])
			.map_err(|_| FailReason::Malformed)?;
		verify_challenge(&plot, &indices, &response).map_err(|e| match e {
			PlotError::WrongIndices => FailReason::Malformed,
			PlotError::BadProof => FailReason::BadProof,
			PlotError::BadLabel => FailReason::BadLabel,
		})
	})();
	match result {
		// An answer that verified but arrived after the deadline is a timeout: the deadline is
		// what makes recomputing a missing chunk useless (SPEC §5.8).
		Ok(())
			if sp_io::offchain::timestamp().diff(&started).millis()
				> T::ChallengeTimeoutMs::get() =>
		{
			Outcome::Fail(FailReason::Timeout)
		},
		Ok(()) => {
			let elapsed = sp_io::offchain::timestamp().diff(&started).millis();
			Outcome::Pass { latency_ms: u32::try_from(elapsed).unwrap_or(u32::MAX) }
		},
		Err(reason) => Outcome::Fail(reason),
	}
}
