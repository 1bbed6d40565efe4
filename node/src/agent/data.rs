//! The agent's challenge data on disk (SPEC §5.3, §7.2): `L` chunks of OS-random bytes and their
//! Merkle tree, in a data directory:
//!
//! * `chunks.bin` — the chunks, `L × chunk_size` bytes;
//! * `tree.bin` — every level of the Merkle tree (leaves first), 32 bytes per hash;
//! * `agent.json` — `{ "version": 1, "leaf_count", "chunk_size", "tree_root", "proof_root" }`
//!   (roots as `0x` hex). `proof_root` is what the HP registers with its node.
//!
//! Loading re-hashes every chunk and checks it against the stored tree and roots, so a corrupted
//! or tampered set is refused before anything is served.

use icn_primitives::merkle::{leaf_hash, Hash32, MerkleTree};
use rand::RngCore;
use std::{
	fs::{self, File},
	io::{BufReader, BufWriter, Read, Write},
	os::unix::fs::FileExt,
	path::{Path, PathBuf},
};

const CHUNKS_FILE: &str = "chunks.bin";
const TREE_FILE: &str = "tree.bin";
const META_FILE: &str = "agent.json";
/// The on-disk format version.
const VERSION: u64 = 1;
/// Bounds that keep a data set sane: up to 16 Mi chunks of 64 B – 1 MiB each.
pub const MAX_CHUNKS: u32 = 1 << 24;
pub const MIN_CHUNK_SIZE: u32 = 64;
pub const MAX_CHUNK_SIZE: u32 = 1 << 20;

/// A loaded, verified data set.
pub struct DataSet {
	chunks: File,
	chunk_size: u32,
	tree: MerkleTree,
}

/// Hex with a `0x` prefix.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn from_hex(s: &str) -> Result<Hash32, String> {
	let raw = hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("bad hex {s:?}: {e}"))?;
	raw.try_into().map_err(|_| format!("{s:?} is not 32 bytes"))
}

/// Creates a new data set of `leaf_count` chunks of `chunk_size` OS-random bytes in `dir`
/// (created if missing). Refuses to overwrite an existing set. Returns the tree.
pub fn init(dir: &Path, leaf_count: u32, chunk_size: u32) -> Result<MerkleTree, String> {
	if leaf_count == 0 || leaf_count > MAX_CHUNKS {
		return Err(format!("--chunks must be between 1 and {MAX_CHUNKS}, got {leaf_count}"));
	}
	if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
		return Err(format!(
			"--chunk-size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} bytes, got {chunk_size}"
		));
	}
	if dir.join(META_FILE).exists() {
		return Err(format!(
			"{} already holds challenge data; use another --data-dir (or delete it to start over, \
			 which changes the proof root the node is registered with)",
			dir.display()
		));
	}
	fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
	let chunks_path = dir.join(CHUNKS_FILE);
	let file = File::create(&chunks_path)
		.map_err(|e| format!("cannot create {}: {e}", chunks_path.display()))?;
	let mut out = BufWriter::new(file);
	let mut chunk = vec![0u8; chunk_size as usize];
	let mut leaves = Vec::with_capacity(leaf_count as usize);
	for _ in 0..leaf_count {
		rand::rngs::OsRng.fill_bytes(&mut chunk);
		leaves.push(leaf_hash(&chunk));
		out.write_all(&chunk).map_err(|e| format!("cannot write chunks: {e}"))?;
	}
	out.flush().map_err(|e| format!("cannot write chunks: {e}"))?;
	let tree = MerkleTree::from_leaves(leaves).ok_or("no chunks")?;
	write_tree(&dir.join(TREE_FILE), &tree)?;
	let meta = serde_json::json!({
		"version": VERSION,
		"leaf_count": leaf_count,
		"chunk_size": chunk_size,
		"tree_root": to_hex(&tree.root()),
		"proof_root": to_hex(&tree.proof_root()),
	});
	let meta_path = dir.join(META_FILE);
	fs::write(&meta_path, serde_json::to_vec_pretty(&meta).unwrap_or_default())
		.map_err(|e| format!("cannot write {}: {e}", meta_path.display()))?;
	Ok(tree)
}

fn write_tree(path: &PathBuf, tree: &MerkleTree) -> Result<(), String> {
	let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
	let mut out = BufWriter::new(file);
	for level in tree.levels() {
		for hash in level {
			out.write_all(hash).map_err(|e| format!("cannot write the tree: {e}"))?;
		}
	}
	out.flush().map_err(|e| format!("cannot write the tree: {e}"))
}

impl DataSet {
	/// Loads and verifies the data set in `dir`: every chunk must hash to its stored leaf, the
	/// stored tree must be the tree of those leaves, and both roots must match `agent.json`.
	pub fn load(dir: &Path) -> Result<Self, String> {
		let meta_path = dir.join(META_FILE);
		let meta: serde_json::Value =
			serde_json::from_slice(&fs::read(&meta_path).map_err(|e| {
				format!(
					"no challenge data in {} ({e}); create it with `icn-node agent init`",
					dir.display()
				)
			})?)
			.map_err(|e| format!("{} is not valid JSON: {e}", meta_path.display()))?;
		let field = |name: &str| {
			meta.get(name).ok_or_else(|| format!("{} has no {name:?}", meta_path.display()))
		};
		if field("version")?.as_u64() != Some(VERSION) {
			return Err(format!("{} has an unknown format version", meta_path.display()));
		}
		let number = |name: &str| -> Result<u32, String> {
			field(name)?
				.as_u64()
				.and_then(|n| u32::try_from(n).ok())
				.ok_or_else(|| format!("{} has a bad {name:?}", meta_path.display()))
		};
		let leaf_count = number("leaf_count")?;
		let chunk_size = number("chunk_size")?;
		let tree_root = from_hex(field("tree_root")?.as_str().unwrap_or_default())?;
		let proof_root = from_hex(field("proof_root")?.as_str().unwrap_or_default())?;
		if leaf_count == 0 || !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
			return Err(format!("{} describes an impossible data set", meta_path.display()));
		}

		let chunks_path = dir.join(CHUNKS_FILE);
		let chunks = File::open(&chunks_path)
			.map_err(|e| format!("cannot open {}: {e}", chunks_path.display()))?;
		let expected = u64::from(leaf_count) * u64::from(chunk_size);
		let actual = chunks.metadata().map(|m| m.len()).unwrap_or(0);
		if actual != expected {
			return Err(format!(
				"{} is {actual} bytes, expected {expected} ({leaf_count} chunks of {chunk_size}): \
				 the challenge data is corrupted; refusing to serve it",
				chunks_path.display()
			));
		}
		let tree_path = dir.join(TREE_FILE);
		let stored = fs::read(&tree_path)
			.map_err(|e| format!("cannot read {}: {e}", tree_path.display()))?;
		let mut reader = BufReader::new(&chunks);
		let mut chunk = vec![0u8; chunk_size as usize];
		let mut leaves = Vec::with_capacity(leaf_count as usize);
		for index in 0..leaf_count {
			reader
				.read_exact(&mut chunk)
				.map_err(|e| format!("cannot read {}: {e}", chunks_path.display()))?;
			let leaf = leaf_hash(&chunk);
			let offset = index as usize * 32;
			if stored.get(offset..offset + 32) != Some(&leaf[..]) {
				return Err(format!(
					"chunk {index} in {} does not match its hash in {}: the challenge data is \
					 corrupted; refusing to serve it",
					chunks_path.display(),
					tree_path.display()
				));
			}
			leaves.push(leaf);
		}
		let tree = MerkleTree::from_leaves(leaves).ok_or("no chunks")?;
		let flat: Vec<u8> = tree.levels().iter().flatten().flatten().copied().collect();
		if flat != stored || tree.root() != tree_root || tree.proof_root() != proof_root {
			return Err(format!(
				"the Merkle tree in {} does not match the chunks and the roots in {}: refusing to \
				 serve it",
				tree_path.display(),
				meta_path.display()
			));
		}
		Ok(DataSet { chunks, chunk_size, tree })
	}

	/// The tree.
	pub fn tree(&self) -> &MerkleTree {
		&self.tree
	}

	/// Bytes per chunk.
	pub fn chunk_size(&self) -> u32 {
		self.chunk_size
	}

	/// Reads chunk `index` from disk.
	pub fn chunk(&self, index: u32) -> std::io::Result<Vec<u8>> {
		let mut buf = vec![0u8; self.chunk_size as usize];
		self.chunks
			.read_exact_at(&mut buf, u64::from(index) * u64::from(self.chunk_size))?;
		Ok(buf)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use icn_primitives::merkle::verify;

	#[test]
	fn init_then_load_serves_chunks_that_verify() {
		let dir = tempfile::tempdir().expect("tmp");
		let tree = init(dir.path(), 9, 64).expect("init");
		let set = DataSet::load(dir.path()).expect("load");
		assert_eq!(set.tree().proof_root(), tree.proof_root());
		for i in 0..9 {
			let chunk = set.chunk(i).expect("chunk");
			let proof = tree.proof(i).expect("proof");
			assert!(verify(&tree.root(), 9, i, &chunk, &proof));
		}
		assert!(init(dir.path(), 9, 64).is_err(), "never overwrites a data set");
	}

	#[test]
	fn bad_parameters_are_refused() {
		let dir = tempfile::tempdir().expect("tmp");
		assert!(init(dir.path(), 0, 4096).is_err());
		assert!(init(dir.path(), 4, 8).is_err());
		assert!(init(dir.path(), MAX_CHUNKS + 1, 4096).is_err());
	}

	#[test]
	fn a_flipped_bit_a_truncated_file_or_a_wrong_root_is_refused() {
		let dir = tempfile::tempdir().expect("tmp");
		init(dir.path(), 4, 64).expect("init");
		let chunks = dir.path().join(CHUNKS_FILE);
		let mut bytes = fs::read(&chunks).expect("read");
		bytes[130] ^= 1;
		fs::write(&chunks, &bytes).expect("write");
		let err = DataSet::load(dir.path()).err().expect("refused");
		assert!(err.contains("chunk 2"), "{err}");
		bytes[130] ^= 1;
		fs::write(&chunks, &bytes[..200]).expect("write");
		assert!(DataSet::load(dir.path()).err().expect("refused").contains("corrupted"));
		fs::write(&chunks, &bytes).expect("write");
		assert!(DataSet::load(dir.path()).is_ok());
		let meta = dir.path().join(META_FILE);
		let text = fs::read_to_string(&meta).expect("meta");
		let other = to_hex(&[0u8; 32]);
		let value: serde_json::Value = serde_json::from_str(&text).expect("json");
		let root = value["proof_root"].as_str().expect("root").to_string();
		fs::write(&meta, text.replace(&root, &other)).expect("write");
		assert!(DataSet::load(dir.path()).err().expect("refused").contains("does not match"));
	}
}
