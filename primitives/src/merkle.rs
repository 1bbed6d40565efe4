//! The plot's Merkle tree and path format (SPEC §5.3), shared by the hardware agent
//! (`icn-node agent`, which builds the tree and serves paths) and the SLA oracle's off-chain
//! worker (which verifies them inside the runtime), so both sides hash the same way. The plot
//! itself, its registered root and the challenge's wire types are [`crate::pos`].
//!
//! * A leaf is `blake2_256(0x00 ‖ chunk)`, an inner node `blake2_256(0x01 ‖ left ‖ right)`: the
//!   prefixes keep a leaf from ever passing as an inner node.
//! * Each level pairs neighbours left to right; an odd last node is carried up unchanged.
//! * [`proof_root`] (`blake2_256(0x02 ‖ leaf_count (u32 LE) ‖ tree_root)`) was the root of
//!   format version 1; the chain now registers [`crate::pos::Plot::proof_root`], which also binds
//!   the seed and the chunk size. It is kept for the test vectors of the tree.
//! * A proof is the list of sibling hashes from the leaf up, skipping levels where the node was
//!   carried; [`verify`] consumes exactly all of it.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use polkadot_sdk::sp_crypto_hashing::blake2_256;
use scale_info::TypeInfo;

use crate::NodeId;

/// A 32-byte hash.
pub type Hash32 = [u8; 32];

/// Domain prefix of a leaf hash.
pub const LEAF_PREFIX: u8 = 0x00;
/// Domain prefix of an inner node hash.
pub const NODE_PREFIX: u8 = 0x01;
/// Domain prefix of the registered root.
pub const ROOT_PREFIX: u8 = 0x02;

/// Hash of one chunk of challenge data.
pub fn leaf_hash(chunk: &[u8]) -> Hash32 {
	let mut buf = Vec::with_capacity(chunk.len().saturating_add(1));
	buf.push(LEAF_PREFIX);
	buf.extend_from_slice(chunk);
	blake2_256(&buf)
}

/// Hash of an inner node from its two children.
pub fn node_hash(left: &Hash32, right: &Hash32) -> Hash32 {
	let mut buf = [0u8; 65];
	buf[0] = NODE_PREFIX;
	buf[1..33].copy_from_slice(left);
	buf[33..].copy_from_slice(right);
	blake2_256(&buf)
}

/// The root a node registers: the tree root bound to the chunk count.
pub fn proof_root(leaf_count: u32, tree_root: &Hash32) -> Hash32 {
	let mut buf = [0u8; 37];
	buf[0] = ROOT_PREFIX;
	buf[1..5].copy_from_slice(&leaf_count.to_le_bytes());
	buf[5..].copy_from_slice(tree_root);
	blake2_256(&buf)
}

/// A whole tree, level by level (level 0 = leaves, the last level = the root alone).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MerkleTree {
	levels: Vec<Vec<Hash32>>,
}

impl MerkleTree {
	/// Builds the tree over `leaves` (leaf hashes). `None` when there are none.
	pub fn from_leaves(leaves: Vec<Hash32>) -> Option<Self> {
		if leaves.is_empty() || u32::try_from(leaves.len()).is_err() {
			return None;
		}
		let mut levels = alloc::vec![leaves];
		while let Some(level) = levels.last() {
			if level.len() == 1 {
				break;
			}
			let next = level
				.chunks(2)
				.map(|pair| match pair {
					[left, right] => node_hash(left, right),
					[single] => *single,
					_ => [0u8; 32],
				})
				.collect();
			levels.push(next);
		}
		Some(MerkleTree { levels })
	}

	/// The tree root.
	pub fn root(&self) -> Hash32 {
		self.levels.last().and_then(|l| l.first()).copied().unwrap_or_default()
	}

	/// Number of leaves.
	pub fn leaf_count(&self) -> u32 {
		self.levels.first().map(|l| l.len() as u32).unwrap_or(0)
	}

	/// The root a node registers for this tree ([`proof_root`]).
	pub fn proof_root(&self) -> Hash32 {
		proof_root(self.leaf_count(), &self.root())
	}

	/// Every level, leaves first (what the agent stores on disk).
	pub fn levels(&self) -> &[Vec<Hash32>] {
		&self.levels
	}

	/// The proof of leaf `index`: siblings from the leaf up. `None` when out of range.
	pub fn proof(&self, index: u32) -> Option<Vec<Hash32>> {
		let mut i = index as usize;
		if i >= self.levels.first()?.len() {
			return None;
		}
		let mut proof = Vec::new();
		for level in &self.levels[..self.levels.len().saturating_sub(1)] {
			let sibling = i ^ 1;
			if let Some(hash) = level.get(sibling) {
				proof.push(*hash);
			}
			i /= 2;
		}
		Some(proof)
	}
}

/// Whether `chunk` is leaf `index` of the tree of `leaf_count` leaves whose root is `tree_root`,
/// by `proof`. A proof longer or shorter than the path is rejected.
pub fn verify(
	tree_root: &Hash32,
	leaf_count: u32,
	index: u32,
	chunk: &[u8],
	proof: &[Hash32],
) -> bool {
	if index >= leaf_count {
		return false;
	}
	let mut hash = leaf_hash(chunk);
	let (mut i, mut width) = (index, leaf_count);
	let mut siblings = proof.iter();
	while width > 1 {
		if i % 2 == 1 {
			let Some(left) = siblings.next() else { return false };
			hash = node_hash(left, &hash);
		} else if i.saturating_add(1) < width {
			let Some(right) = siblings.next() else { return false };
			hash = node_hash(&hash, right);
		}
		i /= 2;
		width = width.div_ceil(2);
	}
	siblings.next().is_none() && &hash == tree_root
}

/// The chunk indices an oracle asks `node` for in a round (SPEC §5.3): `count` indices below
/// `leaf_count` drawn from `blake2_256("icn/chal" ‖ seed ‖ node ‖ oracle ‖ i)`. Neither the agent
/// nor the oracle can choose them; anyone can recompute them.
pub fn challenge_indices(
	seed: &Hash32,
	node: NodeId,
	oracle: &[u8],
	leaf_count: u32,
	count: u32,
) -> Vec<u32> {
	if leaf_count == 0 {
		return Vec::new();
	}
	(0..count)
		.map(|i| {
			let mut buf = Vec::with_capacity(8 + 32 + 8 + oracle.len() + 4);
			buf.extend_from_slice(b"icn/chal");
			buf.extend_from_slice(seed);
			buf.extend_from_slice(&node.to_le_bytes());
			buf.extend_from_slice(oracle);
			buf.extend_from_slice(&i.to_le_bytes());
			let h = blake2_256(&buf);
			u32::from_le_bytes([h[0], h[1], h[2], h[3]]) % leaf_count
		})
		.collect()
}

/// One chunk and its Merkle path.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ChunkProof {
	/// Leaf index.
	pub index: u32,
	/// The chunk's bytes.
	pub data: Vec<u8>,
	/// Siblings from the leaf up.
	pub proof: Vec<Hash32>,
}

#[cfg(test)]
mod tests {
	use super::*;

	fn chunks(n: u32) -> Vec<Vec<u8>> {
		(0..n).map(|i| alloc::vec![i as u8; 8]).collect()
	}

	fn tree(n: u32) -> MerkleTree {
		MerkleTree::from_leaves(chunks(n).iter().map(|c| leaf_hash(c)).collect())
			.expect("non-empty")
	}

	fn hex(h: &Hash32) -> String {
		h.iter().map(|b| format!("{b:02x}")).collect()
	}

	/// Test vectors, computed independently with Python's `hashlib.blake2b(digest_size=32)`: any
	/// implementation of this format (agent, OCW, client, another language) must reproduce them.
	/// Chunk `i` is 8 bytes of value `i`; the tree has 5 chunks; the seed is 32 bytes of 7.
	#[test]
	fn test_vectors() {
		assert_eq!(
			hex(&leaf_hash(&[0u8; 8])),
			"5187b7a8021bf4f2c004ea3a54cfece1754f11c7624d2363c7f4cf4fddd1441e"
		);
		let t = tree(5);
		assert_eq!(
			hex(&t.root()),
			"1ecbf0c90bcbd958784e1588a6cae5240aedbd942086af1a46e7f5594b14a7c2"
		);
		assert_eq!(
			hex(&t.proof_root()),
			"601bbdaa378e81de12caea785cd92c44be4e4580328b4e47886831dcc0681dbb"
		);
		assert_eq!(challenge_indices(&[7; 32], 3, b"oracle-a", 1000, 4), vec![31, 980, 476, 905]);
	}

	#[test]
	fn every_leaf_of_every_shape_verifies_and_nothing_else_does() {
		for n in 1..=17u32 {
			let t = tree(n);
			let data = chunks(n);
			for i in 0..n {
				let proof = t.proof(i).expect("in range");
				assert!(verify(&t.root(), n, i, &data[i as usize], &proof), "n={n} i={i}");
				// Wrong data, wrong index, truncated or padded proofs fail. (A wrong leaf count
				// can share a path's shape; `proof_root` binds the count instead.)
				assert!(!verify(&t.root(), n, i, b"other", &proof));
				if n > 1 {
					assert!(!verify(&t.root(), n, (i + 1) % n, &data[i as usize], &proof));
				}
				let mut longer = proof.clone();
				longer.push([0; 32]);
				assert!(!verify(&t.root(), n, i, &data[i as usize], &longer));
				if let Some((_, shorter)) = proof.split_last() {
					assert!(!verify(&t.root(), n, i, &data[i as usize], shorter));
				}
			}
			assert_eq!(t.proof(n), None);
			assert!(!verify(&t.root(), n, n, &data[0], &[]));
		}
	}

	#[test]
	fn a_leaf_cannot_pass_as_an_inner_node() {
		let t = tree(4);
		// The hash of an inner node, offered as a one-leaf tree's chunk, does not verify.
		let inner = node_hash(&leaf_hash(&[0u8; 8]), &leaf_hash(&[1u8; 8]));
		assert_ne!(leaf_hash(&inner), t.levels()[1][0]);
		assert!(!verify(&t.root(), 2, 0, &inner, &[t.levels()[1][1]]));
	}

	#[test]
	fn challenge_indices_are_deterministic_in_range_and_oracle_specific() {
		let seed = [7u8; 32];
		let a = challenge_indices(&seed, 3, b"oracle-a", 1000, 8);
		assert_eq!(a, challenge_indices(&seed, 3, b"oracle-a", 1000, 8));
		assert_eq!(a.len(), 8);
		assert!(a.iter().all(|i| *i < 1000));
		assert_ne!(a, challenge_indices(&seed, 3, b"oracle-b", 1000, 8));
		assert_ne!(a, challenge_indices(&seed, 4, b"oracle-a", 1000, 8));
		assert_ne!(a, challenge_indices(&[8u8; 32], 3, b"oracle-a", 1000, 8));
		assert!(challenge_indices(&seed, 3, b"oracle-a", 0, 8).is_empty());
	}

	#[test]
	fn wire_types_round_trip() {
		let r = ChunkProof { index: 2, data: alloc::vec![1, 2], proof: alloc::vec![[3; 32]] };
		assert_eq!(ChunkProof::decode(&mut &r.encode()[..]), Ok(r));
	}
}
