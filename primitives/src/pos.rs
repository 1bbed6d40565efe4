//! The proof-of-space plot (SPEC §5.3, §5.8): challenge data that is the node's own and that an
//! agent cannot answer for without storing it. Shared by the hardware agent (which plots and
//! serves), the SLA oracle's off-chain worker (which verifies inside the runtime) and the market
//! pallet (which checks a plot's binding and size at registration). `docs/design/proof-of-space.md`
//! gives the threat model, the sources and the argument with this machine's numbers.
//!
//! # The construction
//!
//! * **Seed.** `seed = blake2_256("icn/pos/v2/seed" ‖ hp ‖ passport (u32 LE) ‖ nonce (u64 LE))`
//!   ([`plot_seed`]), `hp` the SCALE encoding of the HP's account. The chain recomputes it, so the
//!   data of two nodes (two passports, or two HPs) is unrelated; the nonce lets an HP re-plot.
//! * **Graph.** Chunk `v` (`0 ≤ v < L`) has [`PARENTS`] parents: `v − 1` and two drawn by
//!   DRSample (Alwen, Blocki, Harsha, *Practical Graphs for Optimal Side-Channel Resistant
//!   Memory-Hard Functions*, CCS 2017, Algorithm 1: a bucket `g' ∈ [1, ⌊log₂ v⌋ + 1]`, then a
//!   distance uniform in `[max(g/2, 1), g]` for `g = min(v, 2^g')`), from
//!   `blake2_256("icn/pos/v2/parent" ‖ seed ‖ v ‖ i)` ([`parents`]). DRSample graphs are
//!   depth-robust: after removing any `e = Ω(L / log L)` nodes a path of length `Ω(L)` remains.
//!   Chunk 0 has no parents.
//! * **Labels.** A chunk of `W = chunk_size / 32` words is computed word by word ([`label`]):
//!   `k = blake2_256("icn/pos/v2/label" ‖ seed ‖ v (u32 LE) ‖ p₀[W−1] ‖ p₁[W−1] ‖ p₂[W−1])`, then
//!   `w_j = blake2_256(k ‖ j (u32 LE) ‖ w_{j−1} ‖ p₀[j] ‖ p₁[j] ‖ p₂[j])` with `w_{−1} = 0` and
//!   `p_i[j]` word `j` of parent `i` (zero words for chunk 0). Every word depends on the same word
//!   of every parent and on the word before it, so (unlike a label hashed once and expanded) no
//!   short digest of a chunk lets an agent rebuild it without its parents' full chunks; and the
//!   key depends on each parent's *last* word, so a chunk cannot start before its parents are
//!   complete: a path of `d` chunks is `d · W` sequential hashes even with unlimited parallel
//!   hardware (without the key's parent words, word-sliced hardware would pipeline it in
//!   `d + W − 1`).
//! * **Commitment.** The chunks are the leaves of the [`crate::merkle`] tree; the registered root
//!   is `blake2_256(0x03 ‖ "icn/pos/v2/root" ‖ seed ‖ L (u32 LE) ‖ chunk_size (u32 LE) ‖ tree_root)`
//!   ([`Plot::proof_root`]): it commits to the seed inputs, the leaf count and the chunk size.
//! * **Challenge.** For each challenged index the agent returns the chunk and its parents' chunks,
//!   each with its Merkle path; the verifier checks every path and recomputes the chunk's label
//!   from its parents ([`verify_challenge`]). Cost per challenged chunk: `PARENTS + 1` paths and
//!   one label (`2W` blake2b compressions).
//!
//! The format's version is [`FORMAT_VERSION`]; the agent's older version 1 (OS-random chunks, root
//! bound only to the leaf count) is not accepted by the chain.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_crypto_hashing::blake2_256;
use scale_info::TypeInfo;

use crate::{
	merkle::{self, ChunkProof, Hash32},
	passport::PassportId,
	NodeId,
};

/// Version of the plot format (the agent's on-disk format carries it too).
pub const FORMAT_VERSION: u32 = 2;
/// Bytes of one word of a label: a blake2b-256 output.
pub const WORD: usize = 32;
/// Parents per chunk: `v − 1` and two DRSample parents.
pub const PARENTS: usize = 3;
/// The default chunk size, 4 KiB: 128 sequential hashes per label.
pub const DEFAULT_CHUNK_SIZE: u32 = 4096;
/// Smallest chunk size: 4 KiB (a label is then 128 sequential hashes, see the design doc).
pub const MIN_CHUNK_SIZE: u32 = 4096;
/// Largest chunk size: 64 KiB, so that `u32` chunks reach 256 TiB and a challenge stays a few MiB.
pub const MAX_CHUNK_SIZE: u32 = 65_536;
/// Fewest chunks a plot may have: a DRSample graph of fewer nodes has too little depth to mean
/// anything (Gpu and Cpu nodes keep a plot of at least this size, SPEC §5.8).
pub const MIN_PLOT_CHUNKS: u32 = 256;
/// Most chunks a single challenge may name; the agent refuses more.
pub const MAX_CHALLENGE_INDICES: u32 = 64;

const SEED_DOMAIN: &[u8] = b"icn/pos/v2/seed";
const PARENT_DOMAIN: &[u8] = b"icn/pos/v2/parent";
const LABEL_DOMAIN: &[u8] = b"icn/pos/v2/label";
const ROOT_DOMAIN: &[u8] = b"icn/pos/v2/root";
/// Domain prefix of the registered root (the leaf, inner node and v1 root use 0x00–0x02).
pub const ROOT_PREFIX: u8 = 0x03;

/// The seed of the plot an HP makes for the node its passport backs (see the module docs).
/// `hp` is the SCALE encoding of the HP's account.
pub fn plot_seed(hp: &[u8], passport: PassportId, nonce: u64) -> Hash32 {
	let mut buf = Vec::with_capacity(SEED_DOMAIN.len() + hp.len() + 12);
	buf.extend_from_slice(SEED_DOMAIN);
	buf.extend_from_slice(hp);
	buf.extend_from_slice(&passport.to_le_bytes());
	buf.extend_from_slice(&nonce.to_le_bytes());
	blake2_256(&buf)
}

/// What an HP registers for a node's plot (the arguments of `register_node` and `set_endpoint`
/// besides the root itself), and what the chain stores with the node.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Plot {
	/// The HP's choice, so that it can make a new plot for the same passport.
	pub nonce: u64,
	/// Number of chunks `L`.
	pub leaf_count: u32,
	/// Bytes per chunk.
	pub chunk_size: u32,
	/// Root of the Merkle tree over the chunks.
	pub tree_root: Hash32,
}

/// Why a plot's shape is not acceptable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ShapeError {
	/// The chunk size is not a power of two in `MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE`.
	ChunkSize,
	/// Fewer than `MIN_PLOT_CHUNKS` chunks.
	TooFewChunks,
}

impl Plot {
	/// Bytes of challenge data: `L × chunk_size`.
	pub fn bytes(&self) -> u64 {
		u64::from(self.leaf_count).saturating_mul(u64::from(self.chunk_size))
	}

	/// Whether the chunk size and count are ones this format accepts.
	pub fn check_shape(&self) -> Result<(), ShapeError> {
		if !self.chunk_size.is_power_of_two()
			|| !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&self.chunk_size)
		{
			return Err(ShapeError::ChunkSize);
		}
		if self.leaf_count < MIN_PLOT_CHUNKS {
			return Err(ShapeError::TooFewChunks);
		}
		Ok(())
	}

	/// The root registered for this plot when its seed is `seed` (see the module docs).
	pub fn proof_root(&self, seed: &Hash32) -> Hash32 {
		let mut buf = Vec::with_capacity(1 + ROOT_DOMAIN.len() + 32 + 8 + 32);
		buf.push(ROOT_PREFIX);
		buf.extend_from_slice(ROOT_DOMAIN);
		buf.extend_from_slice(seed);
		buf.extend_from_slice(&self.leaf_count.to_le_bytes());
		buf.extend_from_slice(&self.chunk_size.to_le_bytes());
		buf.extend_from_slice(&self.tree_root);
		blake2_256(&buf)
	}

	/// The root bound to `hp`'s `passport`: what the chain recomputes at registration.
	pub fn bound_root(&self, hp: &[u8], passport: PassportId) -> Hash32 {
		self.proof_root(&plot_seed(hp, passport, self.nonce))
	}

	/// What an oracle needs to verify this plot's chunks.
	pub fn target(&self, hp: &[u8], passport: PassportId) -> PlotTarget {
		PlotTarget {
			seed: plot_seed(hp, passport, self.nonce),
			leaf_count: self.leaf_count,
			chunk_size: self.chunk_size,
			tree_root: self.tree_root,
		}
	}
}

/// A registered plot as a verifier sees it: its seed (recomputed by the chain) and shape.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct PlotTarget {
	/// The plot's seed ([`plot_seed`]).
	pub seed: Hash32,
	/// Number of chunks.
	pub leaf_count: u32,
	/// Bytes per chunk.
	pub chunk_size: u32,
	/// Root of the Merkle tree over the chunks.
	pub tree_root: Hash32,
}

impl PlotTarget {
	/// The registered root of this plot.
	pub fn proof_root(&self) -> Hash32 {
		Plot {
			nonce: 0,
			leaf_count: self.leaf_count,
			chunk_size: self.chunk_size,
			tree_root: self.tree_root,
		}
		.proof_root(&self.seed)
	}
}

/// A plot *declared* to hold at least `bytes` (and at least [`MIN_PLOT_CHUNKS`] chunks), with a
/// placeholder tree root, bound to `hp`'s `passport`; returns it and its root. The chain accepts
/// its registration — it checks binding, shape and size, never data — but no agent can answer
/// for it. For unit tests, benchmarks and fuzzing of registration. Uses the smallest chunk size
/// whose chunk count fits in `u32` (saturating at 256 TiB).
pub fn declared_plot(hp: &[u8], passport: PassportId, bytes: u128) -> (Plot, Hash32) {
	let mut chunk_size = MIN_CHUNK_SIZE;
	while chunk_size < MAX_CHUNK_SIZE
		&& bytes.div_ceil(u128::from(chunk_size)) > u128::from(u32::MAX)
	{
		chunk_size = chunk_size.saturating_mul(2);
	}
	let chunks = bytes.div_ceil(u128::from(chunk_size));
	let leaf_count = u32::try_from(chunks).unwrap_or(u32::MAX).max(MIN_PLOT_CHUNKS);
	let plot = Plot { nonce: 0, leaf_count, chunk_size, tree_root: [0x11; 32] };
	(plot, plot.bound_root(hp, passport))
}

/// A uniform draw in `0..n` (`n > 0`) from 8 hash bytes. The bias of the modulo is below
/// `n / 2^64`, far below anything that matters for a graph of at most `2^32` nodes.
fn draw(bytes: [u8; 8], n: u64) -> u64 {
	u64::from_le_bytes(bytes) % n.max(1)
}

/// `⌊log₂ v⌋` for `v ≥ 1`.
fn log2_floor(v: u32) -> u32 {
	31u32.saturating_sub(v.leading_zeros())
}

/// The parents of chunk `v ≥ 1`: `v − 1`, then two DRSample parents (see the module docs). Every
/// parent is below `v`. Chunk 0 has none ([`parents_of`] returns an empty list for it).
pub fn parents(seed: &Hash32, v: u32) -> [u32; PARENTS] {
	let mut out = [v.saturating_sub(1); PARENTS];
	if v <= 1 {
		return out;
	}
	for (i, slot) in out.iter_mut().enumerate().skip(1) {
		let mut buf = [0u8; 17 + 32 + 4 + 1];
		buf[..17].copy_from_slice(PARENT_DOMAIN);
		buf[17..49].copy_from_slice(seed);
		buf[49..53].copy_from_slice(&v.to_le_bytes());
		buf[53] = i as u8;
		let h = blake2_256(&buf);
		let buckets = u64::from(log2_floor(v)).saturating_add(1);
		let g_prime = draw([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]], buckets) + 1;
		// g = min(v, 2^g'); g' ≤ 32 so the shift fits in u64.
		let g = (1u64 << g_prime).min(u64::from(v));
		let low = (g / 2).max(1);
		let distance =
			low + draw([h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]], g - low + 1);
		*slot = v.saturating_sub(u32::try_from(distance).unwrap_or(u32::MAX));
	}
	out
}

/// The parents of chunk `v` as a list: none for chunk 0, else [`parents`].
pub fn parents_of(seed: &Hash32, v: u32) -> Vec<u32> {
	if v == 0 {
		Vec::new()
	} else {
		parents(seed, v).to_vec()
	}
}

/// Writes the label of chunk `v` into `out` (`chunk_size` bytes, a multiple of [`WORD`]) from its
/// parents' chunks (`None` for chunk 0; each parent `out.len()` bytes). `false` when a length is
/// wrong (nothing meaningful is written then).
pub fn label_into(
	seed: &Hash32,
	v: u32,
	parents: Option<[&[u8]; PARENTS]>,
	out: &mut [u8],
) -> bool {
	if out.len() % WORD != 0 || out.is_empty() {
		return false;
	}
	if let Some(ps) = &parents {
		if ps.iter().any(|p| p.len() != out.len()) {
			return false;
		}
	}
	// k = H(domain ‖ seed ‖ v ‖ p₀[W−1] ‖ p₁[W−1] ‖ p₂[W−1]): the key needs every parent's last
	// word, which needs all of that parent's words, so no word of a chunk can start before its
	// parents are complete — a chain of d labels is d·W sequential hashes, not d + W − 1.
	let mut key_input = [0u8; 16 + 32 + 4 + PARENTS * WORD];
	key_input[..16].copy_from_slice(LABEL_DOMAIN);
	key_input[16..48].copy_from_slice(seed);
	key_input[48..52].copy_from_slice(&v.to_le_bytes());
	if let Some(ps) = &parents {
		let last = out.len() - WORD;
		for (i, p) in ps.iter().enumerate() {
			let slot = 52 + i * WORD;
			key_input[slot..slot + WORD].copy_from_slice(&p[last..]);
		}
	}
	let key = blake2_256(&key_input);
	// k ‖ j ‖ w_{j−1} ‖ p₀[j] ‖ p₁[j] ‖ p₂[j]
	let mut buf = [0u8; 32 + 4 + 32 + PARENTS * WORD];
	buf[..32].copy_from_slice(&key);
	for j in 0..out.len() / WORD {
		let at = j * WORD;
		buf[32..36].copy_from_slice(&(j as u32).to_le_bytes());
		if let Some(ps) = &parents {
			for (i, p) in ps.iter().enumerate() {
				let slot = 68 + i * WORD;
				buf[slot..slot + WORD].copy_from_slice(&p[at..at + WORD]);
			}
		}
		let word = blake2_256(&buf);
		out[at..at + WORD].copy_from_slice(&word);
		buf[36..68].copy_from_slice(&word);
	}
	true
}

/// The label of chunk `v` (see [`label_into`]); `None` when a length is wrong.
pub fn label(
	seed: &Hash32,
	v: u32,
	parents: Option<[&[u8]; PARENTS]>,
	chunk_size: u32,
) -> Option<Vec<u8>> {
	let mut out = alloc::vec![0u8; chunk_size as usize];
	label_into(seed, v, parents, &mut out).then_some(out)
}

/// Plots a whole small plot in memory (tests, benchmarks, reference): every chunk in order.
pub fn plot_in_memory(seed: &Hash32, leaf_count: u32, chunk_size: u32) -> Vec<Vec<u8>> {
	let mut chunks: Vec<Vec<u8>> = Vec::with_capacity(leaf_count as usize);
	for v in 0..leaf_count {
		let mut out = alloc::vec![0u8; chunk_size as usize];
		if v == 0 {
			label_into(seed, 0, None, &mut out);
		} else {
			let [a, b, c] = parents(seed, v);
			let get = |i: u32| chunks.get(i as usize).map(|c| c.as_slice()).unwrap_or(&[]);
			label_into(seed, v, Some([get(a), get(b), get(c)]), &mut out);
		}
		chunks.push(out);
	}
	chunks
}

/// The chunk indices an oracle asks `node` for in a round (SPEC §5.3): `count` indices below
/// `leaf_count` drawn from `(round seed, node, oracle)` ([`merkle::challenge_indices`]).
pub fn challenge_indices(
	round_seed: &Hash32,
	node: NodeId,
	oracle: &[u8],
	leaf_count: u32,
	count: u32,
) -> Vec<u32> {
	merkle::challenge_indices(round_seed, node, oracle, leaf_count, count)
}

/// One challenged chunk with its parents, each with its Merkle path.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ChallengedChunk {
	/// The chunk asked for.
	pub chunk: ChunkProof,
	/// Its parents ([`parents_of`]), in order.
	pub parents: Vec<ChunkProof>,
}

/// What `GET /v1/plots/<proof root>/challenge?indices=…` returns: one entry per index asked, in
/// the order asked.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct PlotResponse {
	/// The challenged chunks.
	pub chunks: Vec<ChallengedChunk>,
}

/// Why a challenge response does not prove the plot (beyond transport failures).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PlotError {
	/// The response answers other indices than asked, or other parents than the graph's.
	WrongIndices,
	/// A chunk has the wrong length, or it or its path does not hash to the tree root.
	BadProof,
	/// A chunk is in the tree but is not the label of its parents: the data is not this plot.
	BadLabel,
}

fn check_leaf(target: &PlotTarget, proof: &ChunkProof) -> Result<(), PlotError> {
	if proof.data.len() != target.chunk_size as usize
		|| !merkle::verify(
			&target.tree_root,
			target.leaf_count,
			proof.index,
			&proof.data,
			&proof.proof,
		) {
		return Err(PlotError::BadProof);
	}
	Ok(())
}

/// Checks one challenged chunk: it and its parents are leaves of the tree, the parents are the
/// graph's, and the chunk is their label.
pub fn verify_chunk(
	target: &PlotTarget,
	index: u32,
	answer: &ChallengedChunk,
) -> Result<(), PlotError> {
	if answer.chunk.index != index || index >= target.leaf_count {
		return Err(PlotError::WrongIndices);
	}
	let expected = parents_of(&target.seed, index);
	if answer.parents.len() != expected.len()
		|| answer.parents.iter().zip(&expected).any(|(p, e)| p.index != *e)
	{
		return Err(PlotError::WrongIndices);
	}
	check_leaf(target, &answer.chunk)?;
	for parent in &answer.parents {
		check_leaf(target, parent)?;
	}
	let parents = match answer.parents.as_slice() {
		[] => None,
		[a, b, c] => Some([a.data.as_slice(), b.data.as_slice(), c.data.as_slice()]),
		_ => return Err(PlotError::WrongIndices),
	};
	let expected =
		label(&target.seed, index, parents, target.chunk_size).ok_or(PlotError::BadProof)?;
	if expected != answer.chunk.data {
		return Err(PlotError::BadLabel);
	}
	Ok(())
}

/// Checks a whole challenge response: exactly the indices asked, in order, each verified by
/// [`verify_chunk`].
pub fn verify_challenge(
	target: &PlotTarget,
	indices: &[u32],
	response: &PlotResponse,
) -> Result<(), PlotError> {
	if response.chunks.len() != indices.len() {
		return Err(PlotError::WrongIndices);
	}
	for (index, answer) in indices.iter().zip(&response.chunks) {
		verify_chunk(target, *index, answer)?;
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::merkle::{leaf_hash, MerkleTree};

	const SEED: Hash32 = [7; 32];

	fn hex(bytes: &[u8]) -> alloc::string::String {
		bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
	}

	fn small_plot(leaves: u32) -> (PlotTarget, Vec<Vec<u8>>, MerkleTree) {
		let chunks = plot_in_memory(&SEED, leaves, MIN_CHUNK_SIZE);
		let tree = MerkleTree::from_leaves(chunks.iter().map(|c| leaf_hash(c)).collect())
			.expect("non-empty");
		let target = PlotTarget {
			seed: SEED,
			leaf_count: leaves,
			chunk_size: MIN_CHUNK_SIZE,
			tree_root: tree.root(),
		};
		(target, chunks, tree)
	}

	fn proof_of(chunks: &[Vec<u8>], tree: &MerkleTree, i: u32) -> ChunkProof {
		ChunkProof {
			index: i,
			data: chunks[i as usize].clone(),
			proof: tree.proof(i).expect("in range"),
		}
	}

	fn answer(chunks: &[Vec<u8>], tree: &MerkleTree, i: u32) -> ChallengedChunk {
		ChallengedChunk {
			chunk: proof_of(chunks, tree, i),
			parents: parents_of(&SEED, i).into_iter().map(|p| proof_of(chunks, tree, p)).collect(),
		}
	}

	/// Test vectors computed independently with Python's `hashlib.blake2b(digest_size=32)`
	/// (`scripts/pos-vectors.py`): any implementation of the format must reproduce them.
	#[test]
	fn test_vectors() {
		let hp = [1u8; 32];
		let seed = plot_seed(&hp, 5, 9);
		assert_eq!(hex(&seed), include_str!("../tests/vectors/seed.txt").trim());
		let parents: Vec<alloc::string::String> = (1..=16u32)
			.map(|v| {
				let p = parents(&seed, v);
				alloc::format!("{} {} {}", p[0], p[1], p[2])
			})
			.collect();
		assert_eq!(parents.join("\n"), include_str!("../tests/vectors/parents.txt").trim());
		let chunks = plot_in_memory(&seed, 4, MIN_CHUNK_SIZE);
		let digests: Vec<alloc::string::String> =
			chunks.iter().map(|c| hex(&blake2_256(c))).collect();
		assert_eq!(digests.join("\n"), include_str!("../tests/vectors/labels.txt").trim());
		let plot = Plot { nonce: 9, leaf_count: 300, chunk_size: 4096, tree_root: [2; 32] };
		assert_eq!(hex(&plot.bound_root(&hp, 5)), include_str!("../tests/vectors/root.txt").trim());
	}

	#[test]
	fn parents_are_earlier_chunks_spread_like_drsample() {
		for v in 1..5_000u32 {
			let p = parents(&SEED, v);
			assert_eq!(p[0], v - 1);
			assert!(p.iter().all(|x| *x < v), "v={v} {p:?}");
		}
		// Long edges exist: some parent of the last 1,000 chunks reaches back more than half way.
		assert!((4_000..5_000u32).any(|v| parents(&SEED, v)[1..].iter().any(|p| *p < v / 2)));
		// And the draw depends on the seed.
		assert_ne!(
			(2..100u32).map(|v| parents(&SEED, v)).collect::<Vec<_>>(),
			(2..100u32).map(|v| parents(&[8; 32], v)).collect::<Vec<_>>()
		);
		assert!(parents_of(&SEED, 0).is_empty());
	}

	#[test]
	fn every_chunk_of_a_plot_verifies() {
		let (target, chunks, tree) = small_plot(300);
		for i in 0..300 {
			assert_eq!(verify_chunk(&target, i, &answer(&chunks, &tree, i)), Ok(()), "chunk {i}");
		}
		let indices = [0u32, 17, 299, 17];
		let response =
			PlotResponse { chunks: indices.iter().map(|i| answer(&chunks, &tree, *i)).collect() };
		assert_eq!(verify_challenge(&target, &indices, &response), Ok(()));
		assert_eq!(
			verify_challenge(&target, &indices[..3], &response),
			Err(PlotError::WrongIndices)
		);
	}

	#[test]
	fn a_flipped_byte_in_a_chunk_or_any_parent_fails() {
		let (target, chunks, tree) = small_plot(300);
		let good = answer(&chunks, &tree, 200);
		for at in [0usize, 31, 32, 4095] {
			let mut bad = good.clone();
			bad.chunk.data[at] ^= 1;
			assert_eq!(verify_chunk(&target, 200, &bad), Err(PlotError::BadProof));
			for p in 0..PARENTS {
				let mut bad = good.clone();
				bad.parents[p].data[at] ^= 1;
				assert_eq!(verify_chunk(&target, 200, &bad), Err(PlotError::BadProof));
			}
		}
	}

	#[test]
	fn wrong_seed_index_or_leaf_count_fails() {
		let (target, chunks, tree) = small_plot(300);
		let good = answer(&chunks, &tree, 123);
		let other_seed = PlotTarget { seed: [8; 32], ..target };
		assert!(verify_chunk(&other_seed, 123, &good).is_err());
		assert_eq!(verify_chunk(&target, 124, &good), Err(PlotError::WrongIndices));
		// A wrong leaf count can share a path's shape (`merkle`), so the registered root binds it.
		let fewer = PlotTarget { leaf_count: 299, ..target };
		assert_ne!(fewer.proof_root(), target.proof_root());
		assert_eq!(
			verify_chunk(&fewer, 299, &answer(&chunks, &tree, 299)),
			Err(PlotError::WrongIndices)
		);
		// A chunk of another plot with a consistent tree of its own is in the tree but is not
		// the label of its parents under this seed.
		let other = plot_in_memory(&[8; 32], 300, MIN_CHUNK_SIZE);
		let tree2 =
			MerkleTree::from_leaves(other.iter().map(|c| leaf_hash(c)).collect()).expect("tree");
		let copied = PlotTarget { tree_root: tree2.root(), ..target };
		let answer2 = ChallengedChunk {
			chunk: proof_of(&other, &tree2, 123),
			parents: parents_of(&SEED, 123)
				.into_iter()
				.map(|p| proof_of(&other, &tree2, p))
				.collect(),
		};
		assert_eq!(verify_chunk(&copied, 123, &answer2), Err(PlotError::BadLabel));
		// Wrong parents (the right chunks of other indices) are refused.
		let mut swapped = good.clone();
		swapped.parents[1] = proof_of(&chunks, &tree, 5);
		assert_eq!(verify_chunk(&target, 123, &swapped), Err(PlotError::WrongIndices));
	}

	#[test]
	fn the_root_binds_account_passport_nonce_and_shape() {
		let plot = Plot { nonce: 1, leaf_count: 512, chunk_size: 4096, tree_root: [3; 32] };
		let root = plot.bound_root(&[1; 32], 4);
		assert_ne!(root, plot.bound_root(&[2; 32], 4));
		assert_ne!(root, plot.bound_root(&[1; 32], 5));
		assert_ne!(root, Plot { nonce: 2, ..plot }.bound_root(&[1; 32], 4));
		assert_ne!(root, Plot { leaf_count: 513, ..plot }.bound_root(&[1; 32], 4));
		assert_ne!(root, Plot { chunk_size: 8192, ..plot }.bound_root(&[1; 32], 4));
		assert_ne!(root, Plot { tree_root: [4; 32], ..plot }.bound_root(&[1; 32], 4));
		assert_eq!(plot.target(&[1; 32], 4).proof_root(), root);
		assert_eq!(plot.check_shape(), Ok(()));
		assert_eq!(Plot { chunk_size: 4095, ..plot }.check_shape(), Err(ShapeError::ChunkSize));
		assert_eq!(Plot { chunk_size: 2048, ..plot }.check_shape(), Err(ShapeError::ChunkSize));
		assert_eq!(Plot { chunk_size: 1 << 17, ..plot }.check_shape(), Err(ShapeError::ChunkSize));
		assert_eq!(Plot { leaf_count: 255, ..plot }.check_shape(), Err(ShapeError::TooFewChunks));
		assert_eq!(plot.bytes(), 512 * 4096);
	}

	/// One plot for the property tests (plotting it once keeps each case fast).
	fn shared_plot() -> &'static (PlotTarget, Vec<Vec<u8>>, MerkleTree) {
		static PLOT: std::sync::OnceLock<(PlotTarget, Vec<Vec<u8>>, MerkleTree)> =
			std::sync::OnceLock::new();
		PLOT.get_or_init(|| small_plot(300))
	}

	proptest::proptest! {
		/// A flipped bit anywhere in a challenged chunk or in any of its parents fails.
		#[test]
		fn any_flipped_bit_in_an_answer_fails(
			index in 0u32..300,
			which in 0usize..=PARENTS,
			at in 0usize..4096,
			bit in 0u8..8,
		) {
			let (target, chunks, tree) = shared_plot();
			let mut bad = answer(chunks, tree, index);
			let data = if which == 0 || bad.parents.is_empty() {
				&mut bad.chunk.data
			} else {
				&mut bad.parents[which - 1].data
			};
			data[at] ^= 1 << bit;
			proptest::prop_assert!(verify_chunk(target, index, &bad).is_err());
		}

		/// An honest answer verifies only for its own seed, index and leaf count.
		#[test]
		fn answers_verify_only_for_their_seed_index_and_count(
			index in 0u32..300,
			other_index in 0u32..300,
			seed_byte in proptest::prelude::any::<u8>(),
			count in MIN_PLOT_CHUNKS..600,
		) {
			let (target, chunks, tree) = shared_plot();
			let good = answer(chunks, tree, index);
			proptest::prop_assert_eq!(verify_chunk(target, index, &good), Ok(()));
			if other_index != index {
				proptest::prop_assert!(verify_chunk(target, other_index, &good).is_err());
			}
			if seed_byte != SEED[0] {
				let other = PlotTarget { seed: [seed_byte; 32], ..*target };
				proptest::prop_assert!(verify_chunk(&other, index, &good).is_err());
			}
			// A wrong count can share a path's shape; the registered root binds the count.
			if count != 300 {
				let other = PlotTarget { leaf_count: count, ..*target };
				proptest::prop_assert_ne!(other.proof_root(), target.proof_root());
			}
		}
	}

	#[test]
	fn wire_types_round_trip() {
		let (_, chunks, tree) = small_plot(MIN_PLOT_CHUNKS);
		let r = PlotResponse { chunks: alloc::vec![answer(&chunks, &tree, 9)] };
		assert_eq!(PlotResponse::decode(&mut &r.encode()[..]), Ok(r));
	}
}
