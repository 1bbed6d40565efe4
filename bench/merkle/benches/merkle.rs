//! How fast an oracle verifies agents' answers (SPEC §5.3): one challenge is `ChunksPerChallenge`
//! (4 in the runtime) chunks of 4 KiB, each with its Merkle path in a tree of 2^18 chunks (1 GiB of
//! challenge data), checked against the registered root with `verify_challenge` — the function the
//! runtime's off-chain worker calls.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use icn_primitives::merkle::{
	leaf_hash, verify_challenge, AgentInfo, ChallengeResponse, ChunkProof, MerkleTree,
};

const CHUNK: usize = 4096;

/// A tree of `leaves` chunks whose chunk `i` is `CHUNK` bytes derived from `i`.
fn chunk(i: u32) -> Vec<u8> {
	let mut data = vec![0u8; CHUNK];
	for (k, b) in data.iter_mut().enumerate() {
		*b = (i as usize).wrapping_mul(31).wrapping_add(k).wrapping_mul(2_654_435_761) as u8;
	}
	data
}

fn bench(c: &mut Criterion) {
	let leaves = 1u32 << 18;
	// Leaf hashes only (the chunks themselves are rebuilt on demand).
	let tree = MerkleTree::from_leaves((0..leaves).map(|i| leaf_hash(&chunk(i))).collect())
		.expect("non-empty");
	let info = AgentInfo { leaf_count: leaves, chunk_size: CHUNK as u32, tree_root: tree.root() };
	let root = tree.proof_root();

	let mut group = c.benchmark_group("verify_challenge");
	for chunks in [1u32, 4, 16] {
		let indices: Vec<u32> = (0..chunks).map(|k| (k * 65_537 + 11) % leaves).collect();
		let response = ChallengeResponse {
			chunks: indices
				.iter()
				.map(|i| ChunkProof {
					index: *i,
					data: chunk(*i),
					proof: tree.proof(*i).expect("in range"),
				})
				.collect(),
		};
		group.throughput(Throughput::Elements(1));
		group.bench_with_input(BenchmarkId::new("chunks_of_4KiB", chunks), &response, |b, r| {
			b.iter(|| verify_challenge(&root, &info, &indices, r).expect("verifies"))
		});
	}
	group.finish();

	c.bench_function("leaf_hash_4KiB", |b| {
		let data = chunk(7);
		b.iter(|| leaf_hash(&data))
	});
}

criterion_group!(benches, bench);
criterion_main!(benches);
