//! Benchmarks of the SLA oracle pallet (frame-benchmarking v2). Worst cases: registration into
//! and removal from a nearly full oracle set; a report of `n` failures on `Slashing` nodes that
//! is the third of three oracles' votes, after one pass and one fail: each vote decides its node,
//! counts all three votes toward their passports' records (paying the two that agree), slashes
//! the node below the floor and force-retires it (the heaviest path a vote can take); the
//! `authorize` rule over `n` outcomes; a round start with `o` oracles.

use super::*;
use frame_system::RawOrigin;
use icn_primitives::oracle::FailReason;
use polkadot_sdk::frame_benchmarking::v2::*;

fn new_oracle<T: Config>(index: u32) -> Result<(T::AccountId, T::OracleKey), BenchmarkError> {
	let who: T::AccountId = account("oracle", index, 0);
	let passport = T::BenchmarkHelper::oracle_passport(&who);
	let key = T::OracleKey::generate_pair(None);
	let proof = (POSSESSION_CONTEXT, &who)
		.using_encoded(|m| key.sign(&m))
		.ok_or(BenchmarkError::Stop("cannot sign with a generated key"))?;
	Pallet::<T>::register_oracle(
		RawOrigin::Signed(who.clone()).into(),
		passport,
		key.clone(),
		proof,
	)?;
	Ok((who, key))
}

fn start_round<T: Config>() {
	let period = ChallengePeriod::<T>::get().max(1);
	let now: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
	let next = (now / period).saturating_add(1).saturating_mul(period);
	frame_system::Pallet::<T>::set_block_number(next.into());
	Pallet::<T>::on_initialize(next.into());
}

/// `n` nodes in `Slashing`, each one slash away from the floor.
fn slashing_nodes<T: Config>(n: u32) -> Result<Vec<NodeId>, BenchmarkError> {
	let mut nodes = Vec::new();
	for i in 0..n {
		let node = T::BenchmarkHelper::active_node(i);
		T::Nodes::set_status(node, NodeStatus::Faulty)?;
		T::Nodes::set_status(node, NodeStatus::Slashing)?;
		let target = T::Nodes::target(node).ok_or(BenchmarkError::Stop("node gone"))?;
		let own = T::Collateral::self_collateral(target.class, target.capacity);
		Records::<T>::insert(
			node,
			NodeRecord {
				reliability: Perbill::from_percent(50),
				faulty_since: Some(0),
				passes: 1,
				slashed_to: 0,
				slashed: own.saturating_sub(T::SlashFloor::get() * own),
			},
		);
		nodes.push(node);
	}
	nodes.sort_unstable();
	Ok(nodes)
}

fn signed_report<T: Config>(
	oracle: &T::AccountId,
	key: &T::OracleKey,
	nodes: &[NodeId],
) -> Result<
	(Report<T::AccountId, T::MaxOutcomes>, <T::OracleKey as RuntimeAppPublic>::Signature),
	BenchmarkError,
> {
	signed_outcomes::<T>(oracle, key, nodes, Outcome::Fail(FailReason::BadProof))
}

fn signed_outcomes<T: Config>(
	oracle: &T::AccountId,
	key: &T::OracleKey,
	nodes: &[NodeId],
	outcome: Outcome,
) -> Result<
	(Report<T::AccountId, T::MaxOutcomes>, <T::OracleKey as RuntimeAppPublic>::Signature),
	BenchmarkError,
> {
	let outcomes: Vec<(NodeId, Outcome)> = nodes.iter().map(|n| (*n, outcome)).collect();
	let round = CurrentRound::<T>::get().info.index;
	// The costliest beacon: a commitment due this round, revealed and checked.
	let secret = [7u8; 32];
	Commitments::<T>::insert(oracle, (round, commitment(&secret)));
	let report = Report {
		round,
		oracle: oracle.clone(),
		outcomes: BoundedVec::try_from(outcomes).map_err(|_| BenchmarkError::Weightless)?,
		beacon: Beacon { reveal: Some(secret), commit: commitment(&[8u8; 32]) },
	};
	let signature = report
		.using_encoded(|m| key.sign(&m))
		.ok_or(BenchmarkError::Stop("cannot sign with a generated key"))?;
	Ok((report, signature))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_oracle() -> Result<(), BenchmarkError> {
		for i in 1..T::MaxOracles::get() {
			new_oracle::<T>(i)?;
		}
		let who: T::AccountId = account("oracle", 0, 0);
		let passport = T::BenchmarkHelper::oracle_passport(&who);
		let key = T::OracleKey::generate_pair(None);
		let proof = (POSSESSION_CONTEXT, &who)
			.using_encoded(|m| key.sign(&m))
			.ok_or(BenchmarkError::Stop("cannot sign"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), passport, key, proof);

		assert!(Oracles::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn deregister_oracle() -> Result<(), BenchmarkError> {
		let mut last = None;
		for i in 0..T::MaxOracles::get() {
			last = Some(new_oracle::<T>(i)?.0);
		}
		let who = last.ok_or(BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Oracles::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn submit_reports(n: Linear<1, { T::MaxOutcomes::get() }>) -> Result<(), BenchmarkError> {
		// Three oracles: every node is assigned to all three. The first passes every node, the
		// second fails it (no majority yet); the third's failures decide.
		let (first, first_key) = new_oracle::<T>(0)?;
		let (second, second_key) = new_oracle::<T>(1)?;
		let (oracle, key) = new_oracle::<T>(2)?;
		let nodes = slashing_nodes::<T>(n)?;
		start_round::<T>();
		let pass = Outcome::Pass { latency_ms: 1 };
		let (report, signature) = signed_outcomes::<T>(&first, &first_key, &nodes, pass)?;
		Pallet::<T>::submit_reports(RawOrigin::Authorized.into(), report, signature)?;
		let (report, signature) = signed_report::<T>(&second, &second_key, &nodes)?;
		Pallet::<T>::submit_reports(RawOrigin::Authorized.into(), report, signature)?;
		let (report, signature) = signed_report::<T>(&oracle, &key, &nodes)?;
		let origin = RawOrigin::Authorized;

		#[extrinsic_call]
		_(origin, report, signature);

		assert!(nodes.iter().all(|node| T::Nodes::target(*node).is_none()), "all retired");
		Ok(())
	}

	#[benchmark]
	fn authorize_report(n: Linear<1, { T::MaxOutcomes::get() }>) -> Result<(), BenchmarkError> {
		for i in 1..T::MaxOracles::get() {
			new_oracle::<T>(i)?;
		}
		let (oracle, key) = new_oracle::<T>(0)?;
		let mut nodes = Vec::new();
		for i in 0..n {
			nodes.push(T::BenchmarkHelper::active_node(i));
		}
		nodes.sort_unstable();
		start_round::<T>();
		// With a full oracle set only some nodes are this oracle's; the rule checks every outcome
		// whether or not an earlier one failed, so the cost per outcome is the same either way.
		let assigned = Pallet::<T>::assignments(&oracle);
		let (report, signature) = signed_report::<T>(&oracle, &key, &nodes)?;
		let result;

		#[block]
		{
			result =
				Pallet::<T>::authorize_report(TransactionSource::External, &report, &signature);
		}

		assert_eq!(result.is_ok(), assigned.len() == nodes.len());
		Ok(())
	}

	#[benchmark]
	fn on_initialize_new_round(
		o: Linear<0, { T::MaxOracles::get() }>,
	) -> Result<(), BenchmarkError> {
		for i in 0..o {
			new_oracle::<T>(i)?;
		}
		// A round of the same `o` oracles, all of which reported: the new round forgets them.
		start_round::<T>();
		let round = CurrentRound::<T>::get();
		for oracle in round.oracles.iter() {
			LastReport::<T>::insert(oracle, round.info.index);
		}
		let period = ChallengePeriod::<T>::get().max(1);
		let now: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
		let next = (now / period).saturating_add(1).saturating_mul(period);
		frame_system::Pallet::<T>::set_block_number(next.into());

		#[block]
		{
			Pallet::<T>::on_initialize(next.into());
		}

		assert_eq!(CurrentRound::<T>::get().oracles.len() as u32, o);
		assert_eq!(LastReport::<T>::iter().count(), 0);
		Ok(())
	}

	#[benchmark]
	fn on_initialize_idle() -> Result<(), BenchmarkError> {
		start_round::<T>();
		let now = frame_system::Pallet::<T>::block_number();
		let round = CurrentRound::<T>::get().info.index;

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert_eq!(CurrentRound::<T>::get().info.index, round);
		Ok(())
	}

	#[benchmark]
	fn retire_under_anomaly() -> Result<(), BenchmarkError> {
		// A `Slashing` node one step from the floor: the heaviest slash and retirement.
		let node = slashing_nodes::<T>(1)?.pop().ok_or(BenchmarkError::Weightless)?;
		let hp = T::Nodes::target(node).ok_or(BenchmarkError::Stop("node gone"))?.hp;

		#[extrinsic_call]
		_(RawOrigin::Signed(hp), node);

		assert!(T::Nodes::target(node).is_none(), "retired");
		Ok(())
	}

	/// The off-chain worker's verification of one challenge answer, in the runtime (wasm when
	/// run by `icn-node benchmark pallet`, as the worker runs it): decoding the agent's answer
	/// and `pos::verify_challenge` of `ChunksPerChallenge` chunks of the smallest plot (256
	/// chunks of 4 KiB), each with its three parents, four Merkle paths and its label. Not part
	/// of `weights.rs` (the worker is off-chain; nothing is charged): issue 18's figure of the
	/// verification cost inside the worker, `scripts/benchmark-ocw.sh`.
	#[benchmark(extra)]
	fn verify_challenge_in_runtime() -> Result<(), BenchmarkError> {
		use icn_primitives::{
			merkle::{leaf_hash, ChunkProof, MerkleTree},
			pos::{self, ChallengedChunk, Plot, PlotResponse},
		};
		let hp: T::AccountId = account("hp", 0, 0);
		let seed = pos::plot_seed(&hp.encode(), 0, 0);
		let (count, size) = (pos::MIN_PLOT_CHUNKS, pos::MIN_CHUNK_SIZE);
		let chunks = pos::plot_in_memory(&seed, count, size);
		let tree = MerkleTree::from_leaves(chunks.iter().map(|c| leaf_hash(c)).collect())
			.ok_or(BenchmarkError::Stop("empty plot"))?;
		let plot = Plot { nonce: 0, leaf_count: count, chunk_size: size, tree_root: tree.root() };
		let target = plot.target(&hp.encode(), 0);
		let indices =
			pos::challenge_indices(&[7; 32], 0, &hp.encode(), count, T::ChunksPerChallenge::get());
		let proof = |i: u32| -> Result<ChunkProof, BenchmarkError> {
			Ok(ChunkProof {
				index: i,
				data: chunks.get(i as usize).cloned().ok_or(BenchmarkError::Stop("index"))?,
				proof: tree.proof(i).ok_or(BenchmarkError::Stop("index"))?,
			})
		};
		let mut answer = Vec::new();
		for i in &indices {
			let parents = pos::parents_of(&seed, *i)
				.into_iter()
				.map(|p| proof(p))
				.collect::<Result<Vec<_>, _>>()?;
			answer.push(ChallengedChunk { chunk: proof(*i)?, parents });
		}
		let body = PlotResponse { chunks: answer }.encode();
		let result;

		#[block]
		{
			result = PlotResponse::decode(&mut &body[..])
				.map_err(|_| pos::PlotError::BadProof)
				.and_then(|response| pos::verify_challenge(&target, &indices, &response));
		}

		assert!(result.is_ok(), "an honest answer verifies");
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(&[]).0, crate::mock::Test);
}
