//! The proof-of-space plot's costs (SPEC §5.8, `docs/design/proof-of-space.md`), measured with
//! criterion on one core:
//!
//! * `label_4KiB`: one chunk's label from its three parents — the unit of plotting, of the
//!   oracle's check, and of a cheater's recomputation;
//! * `plot_in_memory`: plotting throughput without the disk (labels and leaf hashes);
//! * `verify_challenge`: what an oracle's off-chain worker checks per challenge (`k` chunks, each
//!   with three parents and four Merkle paths, in a plot of 2^16 chunks);
//! * `cheater_answer`: how long an agent that keeps every tenth chunk (ε = 10%) needs to answer
//!   one challenge of 16 chunks by recomputing the rest, at 2^12–2^15 chunks: the work grows
//!   with the plot, so the figure at 1 TiB follows (`docs/performance.md`).

use std::collections::BTreeMap;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use icn_primitives::{
	merkle::{leaf_hash, ChunkProof, MerkleTree},
	pos::{self, ChallengedChunk, PlotResponse, PlotTarget},
};

const SEED: [u8; 32] = [7; 32];
const CHUNK: u32 = pos::MIN_CHUNK_SIZE;

/// A plot in memory with its tree and verifier's target.
struct Plotted {
	chunks: Vec<Vec<u8>>,
	tree: MerkleTree,
	target: PlotTarget,
}

fn plotted(leaves: u32) -> Plotted {
	let chunks = pos::plot_in_memory(&SEED, leaves, CHUNK);
	let tree =
		MerkleTree::from_leaves(chunks.iter().map(|c| leaf_hash(c)).collect()).expect("non-empty");
	let target =
		PlotTarget { seed: SEED, leaf_count: leaves, chunk_size: CHUNK, tree_root: tree.root() };
	Plotted { chunks, tree, target }
}

impl Plotted {
	fn proof(&self, i: u32) -> ChunkProof {
		ChunkProof {
			index: i,
			data: self.chunks[i as usize].clone(),
			proof: self.tree.proof(i).expect("in range"),
		}
	}

	fn answer(&self, indices: &[u32]) -> PlotResponse {
		PlotResponse {
			chunks: indices
				.iter()
				.map(|i| ChallengedChunk {
					chunk: self.proof(*i),
					parents: pos::parents_of(&SEED, *i).into_iter().map(|p| self.proof(p)).collect(),
				})
				.collect(),
		}
	}
}

/// The cheater's answer: every chunk it does not hold (all but every tenth) and every missing
/// ancestor recomputed, in index order, for this answer only.
fn cheat(kept: &[Option<Vec<u8>>], indices: &[u32]) -> usize {
	let mut memo: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
	let mut missing = Vec::new();
	let mut stack: Vec<u32> = indices
		.iter()
		.flat_map(|i| std::iter::once(*i).chain(pos::parents_of(&SEED, *i)))
		.collect();
	let mut seen = vec![false; kept.len()];
	while let Some(v) = stack.pop() {
		if kept[v as usize].is_some() || seen[v as usize] {
			continue;
		}
		seen[v as usize] = true;
		missing.push(v);
		stack.extend(pos::parents_of(&SEED, v));
	}
	missing.sort_unstable();
	for v in &missing {
		let get = |p: u32| kept[p as usize].as_deref().or_else(|| memo.get(&p).map(|c| c.as_slice()));
		let parents = pos::parents_of(&SEED, *v);
		let label = match parents.as_slice() {
			[] => pos::label(&SEED, 0, None, CHUNK),
			[a, b, c] => {
				let (a, b, c) = (get(*a).expect("a"), get(*b).expect("b"), get(*c).expect("c"));
				pos::label(&SEED, *v, Some([a, b, c]), CHUNK)
			},
			_ => None,
		}
		.expect("label");
		memo.insert(*v, label);
	}
	missing.len()
}

fn indices(leaves: u32, k: u32) -> Vec<u32> {
	pos::challenge_indices(&[3; 32], 1, b"oracle", leaves, k)
}

fn bench(c: &mut Criterion) {
	let small = plotted(pos::MIN_PLOT_CHUNKS);
	c.bench_function("label_4KiB", |b| {
		let v = 200;
		let [x, y, z] = pos::parents(&SEED, v);
		let (x, y, z) =
			(&small.chunks[x as usize], &small.chunks[y as usize], &small.chunks[z as usize]);
		let mut out = vec![0u8; CHUNK as usize];
		b.iter(|| pos::label_into(&SEED, v, Some([x, y, z]), &mut out))
	});

	let mut group = c.benchmark_group("plot_in_memory");
	group.sample_size(10);
	group.throughput(Throughput::Bytes(4 << 20));
	group.bench_function("4MiB", |b| {
		b.iter(|| {
			let chunks = pos::plot_in_memory(&SEED, 1024, CHUNK);
			chunks.iter().map(|c| leaf_hash(c)[0]).fold(0u8, |a, x| a ^ x)
		})
	});
	group.finish();

	let big = plotted(1 << 16);
	let mut group = c.benchmark_group("verify_challenge");
	for k in [1u32, 16] {
		let asked = indices(1 << 16, k);
		let response = big.answer(&asked);
		group.bench_with_input(BenchmarkId::new("chunks_of_4KiB", k), &response, |b, r| {
			b.iter(|| pos::verify_challenge(&big.target, &asked, r).expect("verifies"))
		});
	}
	group.finish();

	let mut group = c.benchmark_group("cheater_answer");
	group.sample_size(10);
	for log in [12u32, 13, 14, 15] {
		let leaves = 1u32 << log;
		let kept: Vec<Option<Vec<u8>>> = big.chunks[..leaves as usize]
			.iter()
			.enumerate()
			.map(|(i, c)| (i % 10 == 0).then(|| c.clone()))
			.collect();
		let asked = indices(leaves, 16);
		let recomputed = cheat(&kept, &asked);
		eprintln!("cheater_answer/{leaves}: {recomputed} chunks recomputed per challenge");
		group.bench_with_input(BenchmarkId::new("eps_10pct_chunks", leaves), &kept, |b, kept| {
			b.iter(|| cheat(kept, &asked))
		});
	}
	group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
