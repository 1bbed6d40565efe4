//! Cheating agents against a real dev chain's off-chain worker, over real HTTP (SPEC §5.8,
//! issue 18). One dev chain whose validator is the only oracle; an honest `icn-node agent`; and
//! a cheating agent written here as a small HTTP server (it exists only in this test) that holds
//! plots in memory and can drop most of one.
//!
//! * (a) one plot for two nodes: the second registration is refused (`PlotNotBound`, or
//!   `ProofRootInUse` for the same passport); a second node registered with a root of its own
//!   but pointing at the first node's agent fails every challenge (`HttpError(404)`: the agent
//!   has no plot under that root) and is never activated.
//! * (b) a plot smaller than the capacity claimed: refused (`PlotTooSmall`).
//! * (c) an agent that keeps 10% of its plot and recomputes the rest on demand: its node, first
//!   `Active` with the whole plot, fails its challenges once it drops 90% (the recomputation
//!   takes longer than the deadline), becomes `Faulty`, then `Slashing` after the grace.
//! * (d) an endpoint and root copied from another HP: refused (`PlotNotBound`); binding another
//!   plot's tree root to one's own passport instead registers, but every challenged chunk fails
//!   its label check (`BadLabel`) and the node is never activated.
//! * (e) an agent that sends its headers at once and the body after the deadline (the time it
//!   would spend recomputing): `Timeout`, never activated — the deadline covers the body too.
//!
//! The honest node stays `Active` from its activation to the end.

use std::{
	collections::BTreeMap,
	io::{BufRead, BufReader, Write},
	net::{TcpListener, TcpStream},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, RwLock,
	},
	time::Duration,
};

use codec::Encode;
use icn_primitives::{
	market::NodeStatus,
	merkle::{leaf_hash, ChunkProof, MerkleTree},
	oracle::{FailReason, OracleKey, OracleSignature, Outcome},
	pos::{self, ChallengedChunk, Plot, PlotResponse},
	HardwareClass, NodeId, ICNT,
};
use icn_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use polkadot_sdk::{
	sp_core::Pair,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{DispatchError, MultiAddress},
};
use serde_json::json;

use crate::{
	dev_chain::{events_at, submit_and_wait},
	oracle::{status, wait_until, Seen},
	support::{agent_init, free_port, to_hex, Agent, Node, NodeConfig, Rpc},
};

/// Chunks of the cheater's plot (c): 512 MiB of 4 KiB chunks. Answering one challenge of 16
/// chunks means recomputing about 80% of the plot (`docs/design/proof-of-space.md`, §5.3):
/// ≈ 10⁵ labels, a few seconds on one core of this machine, past the 2 s deadline.
const CHEAT_CHUNKS: u32 = 1 << 17;

/// A plot held by the cheating server.
struct HeldPlot {
	/// The seed its chunks were labelled with.
	seed: [u8; 32],
	/// The seed of the plot it claims to be: the parents it sends are this seed's, as the
	/// oracle expects (differs from `seed` when it serves a copy).
	claimed: [u8; 32],
	/// `None` for a chunk the cheater dropped.
	chunks: Vec<Option<Vec<u8>>>,
	tree: MerkleTree,
	/// Send the headers at once and the body only after the deadline (the time a cheater would
	/// spend recomputing while the oracle waits on the body).
	trickle: bool,
}

impl HeldPlot {
	fn plot(hp: &[u8], passport: u32, nonce: u64, leaves: u32) -> (HeldPlot, Plot) {
		let seed = pos::plot_seed(hp, passport, nonce);
		let chunks = pos::plot_in_memory(&seed, leaves, pos::MIN_CHUNK_SIZE);
		let tree = MerkleTree::from_leaves(chunks.iter().map(|c| leaf_hash(c)).collect())
			.expect("non-empty");
		let plot = Plot {
			nonce,
			leaf_count: leaves,
			chunk_size: pos::MIN_CHUNK_SIZE,
			tree_root: tree.root(),
		};
		let chunks = chunks.into_iter().map(Some).collect();
		(HeldPlot { seed, claimed: seed, chunks, tree, trickle: false }, plot)
	}

	/// Keeps every tenth chunk only.
	fn drop_nine_tenths(&mut self) {
		for (i, chunk) in self.chunks.iter_mut().enumerate() {
			if i % 10 != 0 {
				*chunk = None;
			}
		}
	}

	/// Chunk `index`: held, or recomputed from the held ones — every missing ancestor, in
	/// index order (parents come before children), kept only for this answer.
	fn chunk(&self, index: u32, memo: &mut BTreeMap<u32, Vec<u8>>) -> Vec<u8> {
		if let Some(Some(chunk)) = self.chunks.get(index as usize) {
			return chunk.clone();
		}
		let mut missing = Vec::new();
		let mut seen = vec![false; self.chunks.len()];
		let mut stack = vec![index];
		while let Some(v) = stack.pop() {
			let at = v as usize;
			if self.chunks[at].is_some() || memo.contains_key(&v) || seen[at] {
				continue;
			}
			seen[at] = true;
			missing.push(v);
			stack.extend(pos::parents_of(&self.seed, v));
		}
		missing.sort_unstable();
		for v in missing {
			let parents: Vec<Vec<u8>> = pos::parents_of(&self.seed, v)
				.into_iter()
				.map(|p| {
					self.chunks[p as usize]
						.clone()
						.or_else(|| memo.get(&p).cloned())
						.expect("parents are computed first")
				})
				.collect();
			let refs = match parents.as_slice() {
				[] => None,
				[a, b, c] => Some([a.as_slice(), b.as_slice(), c.as_slice()]),
				_ => unreachable!("three parents"),
			};
			let label = pos::label(&self.seed, v, refs, pos::MIN_CHUNK_SIZE).expect("label");
			memo.insert(v, label);
		}
		memo[&index].clone()
	}

	fn proof(&self, index: u32, memo: &mut BTreeMap<u32, Vec<u8>>) -> ChunkProof {
		ChunkProof {
			index,
			data: self.chunk(index, memo),
			proof: self.tree.proof(index).expect("in range"),
		}
	}

	fn answer(&self, indices: &[u32]) -> PlotResponse {
		let mut memo = BTreeMap::new();
		PlotResponse {
			chunks: indices
				.iter()
				.map(|i| ChallengedChunk {
					chunk: self.proof(*i, &mut memo),
					parents: pos::parents_of(&self.claimed, *i)
						.into_iter()
						.map(|p| self.proof(p, &mut memo))
						.collect(),
				})
				.collect(),
		}
	}
}

/// The cheating agent: serves `GET /v1/plots/0x<root>/challenge?indices=…` for the plots it
/// holds, one connection at a time, until dropped.
struct CheatServer {
	addr: String,
	plots: Arc<RwLock<BTreeMap<String, HeldPlot>>>,
	stop: Arc<AtomicBool>,
}

impl CheatServer {
	fn start() -> CheatServer {
		let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
		let addr = listener.local_addr().expect("addr").to_string();
		listener.set_nonblocking(true).expect("nonblocking");
		let plots: Arc<RwLock<BTreeMap<String, HeldPlot>>> = Arc::default();
		let stop = Arc::new(AtomicBool::new(false));
		let (served, stopped) = (plots.clone(), stop.clone());
		std::thread::spawn(move || {
			while !stopped.load(Ordering::Relaxed) {
				match listener.accept() {
					Ok((stream, _)) => {
						let plots = served.clone();
						std::thread::spawn(move || serve(stream, &plots));
					},
					Err(_) => std::thread::sleep(Duration::from_millis(20)),
				}
			}
		});
		CheatServer { addr, plots, stop }
	}

	fn url(&self) -> String {
		format!("http://{}", self.addr)
	}

	fn hold(&self, root: [u8; 32], plot: HeldPlot) {
		self.plots.write().expect("lock").insert(to_hex(&root), plot);
	}
}

impl Drop for CheatServer {
	fn drop(&mut self) {
		self.stop.store(true, Ordering::Relaxed);
	}
}

fn serve(mut stream: TcpStream, plots: &RwLock<BTreeMap<String, HeldPlot>>) {
	let _ = stream.set_nonblocking(false);
	let mut reader = BufReader::new(stream.try_clone().expect("clone"));
	let mut line = String::new();
	if reader.read_line(&mut line).is_err() {
		return;
	}
	// Skip the headers.
	loop {
		let mut header = String::new();
		if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
			break;
		}
	}
	let path = line.split_whitespace().nth(1).unwrap_or_default().to_string();
	let answer = path
		.strip_prefix("/v1/plots/")
		.and_then(|rest| rest.split_once("/challenge?indices="))
		.and_then(|(root, list)| {
			let indices: Vec<u32> = list.split(',').filter_map(|i| i.parse().ok()).collect();
			let plots = plots.read().expect("lock");
			plots.get(root).map(|plot| (plot.answer(&indices).encode(), plot.trickle))
		});
	let (status, body, trickle) = match answer {
		Some((body, trickle)) => ("200 OK", body, trickle),
		None => ("404 Not Found", b"no such plot\n".to_vec(), false),
	};
	let _ = write!(
		stream,
		"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\
		 Connection: close\r\n\r\n",
		body.len()
	);
	if trickle {
		// Headers now, the first byte of the body, then the rest past the deadline.
		let _ = stream.flush();
		let _ = stream.write_all(&body[..1]);
		let _ = stream.flush();
		std::thread::sleep(Duration::from_secs(3));
		let _ = stream.write_all(&body[1..]);
	} else {
		let _ = stream.write_all(&body);
	}
}

/// Alice's calls, signed and submitted in order; each returns how it failed, if it did.
struct Alice {
	nonce: u32,
	genesis: icn_runtime::Hash,
}

impl Alice {
	fn send(&mut self, rpc: &mut Rpc, call: RuntimeCall) -> Option<DispatchError> {
		let xt = icn_runtime::signing::sign_immortal(
			&Sr25519Keyring::Alice.pair(),
			self.nonce,
			self.genesis,
			call,
		);
		self.nonce += 1;
		let hash = submit_and_wait(rpc, &xt.encode());
		events_at(rpc, &hash).into_iter().find_map(|e| match e {
			RuntimeEvent::System(polkadot_sdk::frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) => Some(dispatch_error),
			_ => None,
		})
	}

	fn ok(&mut self, rpc: &mut Rpc, call: RuntimeCall) {
		let failed = self.send(rpc, call);
		assert!(failed.is_none(), "a setup extrinsic failed: {failed:?}");
	}
}

fn register(
	passport: u32,
	capacity: u64,
	endpoint: &str,
	proof_root: [u8; 32],
	plot: Plot,
) -> RuntimeCall {
	RuntimeCall::CapacityMarket(pallet_capacity_market::Call::register_node {
		passport,
		cluster: 0,
		class: HardwareClass::Storage,
		capacity,
		price: icn_primitives::MILLI_ICNT,
		commitment_eras: 30,
		endpoint: endpoint.as_bytes().to_vec(),
		proof_root,
		plot,
	})
}

/// Whether `got` is the market's error `expected`.
fn is_market_error(
	got: Option<DispatchError>,
	expected: pallet_capacity_market::Error<Runtime>,
) -> bool {
	let (DispatchError::Module(expected), Some(DispatchError::Module(got))) =
		(DispatchError::from(expected), got)
	else {
		return false;
	};
	(got.index, got.error) == (expected.index, expected.error)
}

#[test]
fn cheating_agents_are_refused_or_slashed_and_the_honest_one_stays_active() {
	use pallet_capacity_market::Error as MarketError;
	let alice = Sr25519Keyring::Alice;
	let alice_id = alice.to_account_id();
	let hp = alice_id.encode();

	// The honest agent: a real `icn-node agent` with the plot of passport 0.
	let honest_dir = tempfile::tempdir().expect("tmp");
	let alice_bytes: [u8; 32] = alice_id.clone().into();
	let honest = agent_init(honest_dir.path(), &alice_bytes, 0, pos::MIN_PLOT_CHUNKS);
	let agent = Agent::start(honest_dir.path(), &format!("127.0.0.1:{}", free_port()), &[]);

	// The cheater's plots: (c) passport 2's whole plot, for now; (d) passport 2's data under a
	// root bound to passport 4 (another tree root than passport 4's own data would have).
	let cheat = CheatServer::start();
	let (held, cheat_plot) = HeldPlot::plot(&hp, 2, 0, CHEAT_CHUNKS);
	let cheat_root = cheat_plot.bound_root(&hp, 2);
	cheat.hold(cheat_root, held);
	let (mut held_copy, copy_of) = HeldPlot::plot(&hp, 2, 0, pos::MIN_PLOT_CHUNKS);
	let copied = Plot { nonce: 9, ..copy_of };
	let copied_root = copied.bound_root(&hp, 4);
	held_copy.claimed = pos::plot_seed(&hp, 4, 9);
	cheat.hold(copied_root, held_copy);
	// (e) passport 6's own, whole plot, answered with the headers at once and the body late.
	let (mut slow, slow_plot) = HeldPlot::plot(&hp, 6, 0, pos::MIN_PLOT_CHUNKS);
	slow.trickle = true;
	let slow_root = slow_plot.bound_root(&hp, 6);
	cheat.hold(slow_root, slow);

	let node = Node::start(NodeConfig {
		name: "dev-cheaters",
		args: vec!["--dev".into(), "--log".into(), "runtime::sla=debug".into()],
		use_tmp: true,
	});
	let mut rpc = node.rpc();
	let heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
	let mut me = Alice { nonce: 0, genesis: rpc.genesis_hash() };

	// Alice: validator, oracle (passport 1), HP of every node; passports 2–6 minted for her.
	let key = OracleKey::from(alice.public());
	rpc.request("author_insertKey", json!(["icno", "//Alice", to_hex(alice.public().as_ref())]));
	let proof = OracleSignature::from(
		alice.pair().sign(&(pallet_sla_oracle::POSSESSION_CONTEXT, &alice_id).encode()),
	);
	me.ok(
		&mut rpc,
		RuntimeCall::SlaOracle(pallet_sla_oracle::Call::register_oracle {
			passport: 1,
			key,
			proof,
		}),
	);
	me.ok(
		&mut rpc,
		RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond {
			amount: 100_000 * ICNT,
		}),
	);
	for _ in 2..=6 {
		let mint = RuntimeCall::Passports(pallet_passports::Call::mint {
			owner: MultiAddress::Id(alice_id.clone()),
			kind: icn_primitives::passport::PassportKind::HardwareProvider,
			metadata: b"cheaters".to_vec().try_into().expect("short metadata"),
		});
		me.ok(
			&mut rpc,
			RuntimeCall::Sudo(polkadot_sdk::pallet_sudo::Call::sudo { call: Box::new(mint) }),
		);
	}

	// Node 0: honest. Node 1: the 10% cheater, honest for now.
	me.ok(&mut rpc, register(0, 16, &agent.url(), honest.proof_root, honest.plot));
	me.ok(&mut rpc, register(2, 16, &cheat.url(), cheat_root, cheat_plot));

	// (a, d) The honest node's endpoint, plot and root copied for passport 3: the root is bound
	// to passport 0 (an HP copying another HP's is refused alike: the root binds the account,
	// `pallet-capacity-market`'s `attack_plot_copied_from_another_hp`). For passport 0 itself,
	// while node 0 lives: in use.
	let again = me.send(&mut rpc, register(3, 16, &agent.url(), honest.proof_root, honest.plot));
	assert!(is_market_error(again, MarketError::PlotNotBound), "{again:?}");
	let reuse = me.send(&mut rpc, register(0, 16, &agent.url(), honest.proof_root, honest.plot));
	assert!(is_market_error(reuse, MarketError::ProofRootInUse), "{reuse:?}");
	// (b) 256 chunks (1 MiB) cover 1 TiB at the dev chain's coverage, not 2 TiB.
	let (small_held, small) = HeldPlot::plot(&hp, 5, 0, pos::MIN_PLOT_CHUNKS);
	drop(small_held);
	let too_small =
		me.send(&mut rpc, register(5, 2_048, &cheat.url(), small.bound_root(&hp, 5), small));
	assert!(is_market_error(too_small, MarketError::PlotTooSmall), "{too_small:?}");

	// Node 2 (a): a root of its own (declared, no data anywhere) at the honest agent's endpoint.
	let (declared, declared_root) = pos::declared_plot(&hp, 3, 1 << 20);
	me.ok(&mut rpc, register(3, 16, &agent.url(), declared_root, declared));
	// Node 3 (d): another plot's tree root bound to passport 4, served from that other plot.
	me.ok(&mut rpc, register(4, 16, &cheat.url(), copied_root, copied));
	// Node 4 (e): the whole plot, but the answer's body arrives after the deadline.
	me.ok(&mut rpc, register(6, 16, &cheat.url(), slow_root, slow_plot));

	let mut seen = Seen::default();
	let round = Duration::from_secs(5 * 6 + 30);
	wait_until(&mut rpc, &mut seen, "nodes 0 and 1 Active", 3 * round, |rpc, _| {
		status(rpc, 0) == NodeStatus::Active && status(rpc, 1) == NodeStatus::Active
	});
	wait_until(
		&mut rpc,
		&mut seen,
		"failed outcomes for nodes 2, 3 and 4",
		2 * round,
		|_, seen| {
			let failed = |node: NodeId, reason: FailReason| {
				seen.outcomes.get(&node).is_some_and(|o| o.contains(&Outcome::Fail(reason)))
			};
			failed(2, FailReason::HttpError(404))
				&& failed(3, FailReason::BadLabel)
				&& failed(4, FailReason::Timeout)
		},
	);
	for node in [2, 3, 4] {
		assert_eq!(status(&mut rpc, node), NodeStatus::Pending, "node {node} was activated");
		assert!(seen.outcomes[&node].iter().all(|o| !o.passed()), "node {node} passed once");
	}

	// (c) The cheater drops 90% of its plot and recomputes on demand: too slow.
	cheat
		.plots
		.write()
		.expect("lock")
		.get_mut(&to_hex(&cheat_root))
		.expect("held")
		.drop_nine_tenths();
	let mut honest_active = true;
	wait_until(&mut rpc, &mut seen, "node 1 Faulty", 3 * round, |rpc, _| {
		honest_active &= status(rpc, 0) == NodeStatus::Active;
		status(rpc, 1) == NodeStatus::Faulty
	});
	let era = Duration::from_secs(20 * 6);
	wait_until(&mut rpc, &mut seen, "node 1 slashed", 2 * era + 2 * round, |rpc, seen| {
		honest_active &= status(rpc, 0) == NodeStatus::Active;
		seen.events
			.iter()
			.any(|e| matches!(e, pallet_sla_oracle::Event::Slashed { node: 1, .. }))
	});
	assert_eq!(status(&mut rpc, 1), NodeStatus::Slashing);
	let after_drop: Vec<&Outcome> = seen.outcomes[&1].iter().rev().take(2).collect();
	assert!(
		after_drop.iter().all(|o| matches!(o, Outcome::Fail(FailReason::Timeout))),
		"the 10% cheater times out: {after_drop:?}"
	);
	assert!(
		honest_active && status(&mut rpc, 0) == NodeStatus::Active,
		"the honest node stayed Active"
	);
	assert!(seen.outcomes[&0].iter().skip(1).all(|o| o.passed()));
	drop(agent);
}
