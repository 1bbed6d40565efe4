//! The agent's proof-of-space plots on disk (SPEC §5.3, §5.8, §7.2; the construction is
//! `icn_primitives::pos`). A data directory holds any number of plots, each in its own
//! `plot-<passport>-<nonce>/` directory:
//!
//! * `plot.json` — `{ "version": 2, "hp", "passport", "nonce", "leaf_count", "chunk_size",
//!   "seed", "plotted", "tree_root", "proof_root" }` (hashes as `0x` hex; the roots are `null`
//!   until the plot is complete). Always replaced atomically (write a temporary file, then
//!   rename), so a crash leaves the previous checkpoint, never half a file.
//! * `chunks.bin` — the `L` chunks, chunk `v` at offset `v × chunk_size`.
//! * `tree.bin` — every level of the Merkle tree, leaves first, 32 bytes per hash (level sizes
//!   `n₀ = L`, `n_{k+1} = ⌈n_k / 2⌉` down to 1), so a proof is read from disk with one small
//!   read per level and the tree is never held in memory (a 1 TiB plot has 2²⁸ leaves).
//!
//! Plotting ([`plot`]) labels the chunks in order, checkpoints every ~2 s and resumes from the
//! last checkpoint. Loading ([`DiskPlot::open`]) checks the files' sizes and roots and a random
//! sample of chunks in full, without re-hashing a possibly multi-TB plot; the background scrub
//! ([`super::scrub`]) then walks every chunk.

use super::scrub::ScrubStats;
use icn_primitives::{
	merkle::{self, leaf_hash, node_hash, ChunkProof, Hash32},
	pos::{self, ChallengedChunk, Plot, ShapeError},
};
use rand::Rng;
use std::{
	fmt,
	fs::{self, File, OpenOptions},
	io::{self, Write},
	os::unix::fs::FileExt,
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

/// The plot's description and checkpoint.
pub const META_FILE: &str = "plot.json";
/// The chunks.
pub const CHUNKS_FILE: &str = "chunks.bin";
/// Every level of the Merkle tree, leaves first.
pub const TREE_FILE: &str = "tree.bin";
/// Where `plot.json` is written before it is renamed into place.
const META_TMP_FILE: &str = "plot.json.tmp";
/// What a version-1 data directory (OS-random chunks) has at its root.
const V1_META_FILE: &str = "agent.json";
/// Plot directories are `plot-<passport>-<nonce>`.
const PLOT_DIR_PREFIX: &str = "plot-";
/// Bytes per hash in `tree.bin`.
const HASH_BYTES: u64 = 32;
/// How often plotting makes its progress durable: often enough that an interruption loses
/// little, rarely enough that the fsyncs cost nothing measurable.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);
/// Leaf hashes buffered before they are written to `tree.bin` (64 KiB).
const LEAF_BUFFER: usize = 2048;
/// Hashes read at once while building the upper levels (256 KiB). Even, so that a pair of
/// siblings never straddles two reads.
const TREE_BLOCK: usize = 8192;

/// Hex with a `0x` prefix.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// A 32-byte hash from `0x` hex (the prefix is optional).
pub fn parse_hash(text: &str) -> Result<Hash32, String> {
	let raw =
		hex::decode(text.trim_start_matches("0x")).map_err(|_| format!("{text:?} is not hex"))?;
	Hash32::try_from(raw.as_slice()).map_err(|_| format!("{text:?} is not 32 bytes"))
}

/// The line that tells an HP what to do with a data directory of the old format.
pub fn v1_refusal(data_dir: &Path) -> String {
	let dir = data_dir.display();
	format!(
		"{dir} holds version-1 challenge data (OS-random chunks), which the chain no longer \
		 accepts: delete its agent.json, chunks.bin and tree.bin (or use another directory), plot \
		 anew with `icn-node agent init --data-dir {dir} --hp <account> --passport <id> --size \
		 <bytes>` and point the node at it with `set_endpoint`"
	)
}

/// Refuses a data directory that still holds version-1 data at its root: serving or plotting
/// beside it would leave the HP believing the old data still counts.
fn refuse_v1(data_dir: &Path) -> Result<(), String> {
	if data_dir.join(V1_META_FILE).exists() {
		return Err(v1_refusal(data_dir));
	}
	Ok(())
}

/// Everything that determines a plot's content: the seed inputs and the shape.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PlotParams {
	/// The HP's account (its SCALE encoding, 32 bytes).
	pub hp: [u8; 32],
	/// The passport that backs the node.
	pub passport: u32,
	/// The HP's choice, so that it can make a new plot for the same passport.
	pub nonce: u64,
	/// Number of chunks `L`.
	pub leaf_count: u32,
	/// Bytes per chunk.
	pub chunk_size: u32,
}

impl PlotParams {
	/// The plot's seed ([`pos::plot_seed`]).
	pub fn seed(&self) -> Hash32 {
		pos::plot_seed(&self.hp, self.passport, self.nonce)
	}

	/// The plot's directory name inside a data directory.
	pub fn dir_name(&self) -> String {
		format!("{PLOT_DIR_PREFIX}{}-{}", self.passport, self.nonce)
	}

	/// Bytes of chunks.
	pub fn bytes(&self) -> u64 {
		u64::from(self.leaf_count) * u64::from(self.chunk_size)
	}

	/// Refuses a shape the chain would refuse ([`Plot::check_shape`]), with the flag to change.
	pub fn check(&self) -> Result<(), String> {
		let shape = Plot {
			nonce: self.nonce,
			leaf_count: self.leaf_count,
			chunk_size: self.chunk_size,
			tree_root: [0; 32],
		};
		shape.check_shape().map_err(|e| match e {
			ShapeError::ChunkSize => format!(
				"--chunk-size must be a power of two from {} to {} bytes, got {}",
				pos::MIN_CHUNK_SIZE,
				pos::MAX_CHUNK_SIZE,
				self.chunk_size
			),
			ShapeError::TooFewChunks => format!(
				"a plot needs at least {} chunks (--chunks, or --size of at least {} bytes with \
				 {}-byte chunks), got {}",
				pos::MIN_PLOT_CHUNKS,
				u64::from(pos::MIN_PLOT_CHUNKS) * u64::from(self.chunk_size),
				self.chunk_size,
				self.leaf_count
			),
		})
	}

	/// How `self` (an existing plot's) differs from `asked`, one phrase per field.
	fn differences(&self, asked: &PlotParams) -> Vec<String> {
		let mut out = Vec::new();
		if self.hp != asked.hp {
			out.push(format!("hp {} there, {} asked", to_hex(&self.hp), to_hex(&asked.hp)));
		}
		if self.passport != asked.passport {
			out.push(format!("passport {} there, {} asked", self.passport, asked.passport));
		}
		if self.nonce != asked.nonce {
			out.push(format!("nonce {} there, {} asked", self.nonce, asked.nonce));
		}
		if self.leaf_count != asked.leaf_count {
			out.push(format!("{} chunks there, {} asked", self.leaf_count, asked.leaf_count));
		}
		if self.chunk_size != asked.chunk_size {
			out.push(format!("chunk size {} there, {} asked", self.chunk_size, asked.chunk_size));
		}
		out
	}
}

/// The content of `plot.json`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PlotMeta {
	/// The plot's parameters.
	pub params: PlotParams,
	/// Its seed (stored so that an operator can see it; checked against the parameters on read).
	pub seed: Hash32,
	/// Chunks plotted and made durable so far.
	pub plotted: u32,
	/// The Merkle root over the chunks, once complete.
	pub tree_root: Option<Hash32>,
	/// The registered root, once complete.
	pub proof_root: Option<Hash32>,
}

impl PlotMeta {
	fn to_json(self) -> serde_json::Value {
		serde_json::json!({
			"version": pos::FORMAT_VERSION,
			"hp": to_hex(&self.params.hp),
			"passport": self.params.passport,
			"nonce": self.params.nonce,
			"leaf_count": self.params.leaf_count,
			"chunk_size": self.params.chunk_size,
			"seed": to_hex(&self.seed),
			"plotted": self.plotted,
			"tree_root": self.tree_root.map(|h| to_hex(&h)),
			"proof_root": self.proof_root.map(|h| to_hex(&h)),
		})
	}
}

/// Reads `dir/plot.json`; `None` when there is none. A version other than 2 is refused with the
/// line that tells the HP what to do.
pub fn read_meta(dir: &Path) -> Result<Option<PlotMeta>, String> {
	let path = dir.join(META_FILE);
	let bytes = match fs::read(&path) {
		Ok(bytes) => bytes,
		Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
		Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
	};
	let value: serde_json::Value = serde_json::from_slice(&bytes)
		.map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
	let version = value.get("version").and_then(serde_json::Value::as_u64);
	if version != Some(u64::from(pos::FORMAT_VERSION)) {
		let found = match version {
			Some(v) => format!("format version {v}"),
			None => "no format version".to_string(),
		};
		return Err(format!(
			"{} holds a plot with {found}, which this agent does not serve (it serves version {}): \
			 plot anew with `icn-node agent init --data-dir <dir> --hp <account> --passport <id> \
			 --size <bytes>` and point the node at it with `set_endpoint`",
			dir.display(),
			pos::FORMAT_VERSION
		));
	}
	let number = |name: &str| -> Result<u64, String> {
		value
			.get(name)
			.and_then(serde_json::Value::as_u64)
			.ok_or_else(|| format!("{} has no valid {name:?}", path.display()))
	};
	let small = |name: &str| -> Result<u32, String> {
		u32::try_from(number(name)?)
			.map_err(|_| format!("{} has an out-of-range {name:?}", path.display()))
	};
	let hash = |name: &str| -> Result<Option<Hash32>, String> {
		match value.get(name) {
			None | Some(serde_json::Value::Null) => Ok(None),
			Some(serde_json::Value::String(text)) => parse_hash(text)
				.map(Some)
				.map_err(|e| format!("{} has a bad {name:?}: {e}", path.display())),
			Some(_) => Err(format!("{} has a bad {name:?}", path.display())),
		}
	};
	let hp = hash("hp")?.ok_or_else(|| format!("{} has no \"hp\"", path.display()))?;
	let params = PlotParams {
		hp,
		passport: small("passport")?,
		nonce: number("nonce")?,
		leaf_count: small("leaf_count")?,
		chunk_size: small("chunk_size")?,
	};
	let seed = hash("seed")?.ok_or_else(|| format!("{} has no \"seed\"", path.display()))?;
	if seed != params.seed() {
		return Err(format!(
			"{}: its seed does not follow from its hp, passport and nonce",
			path.display()
		));
	}
	Ok(Some(PlotMeta {
		params,
		seed,
		plotted: small("plotted")?,
		tree_root: hash("tree_root")?,
		proof_root: hash("proof_root")?,
	}))
}

/// Replaces `dir/plot.json` atomically and durably: a crash leaves the old or the new file.
fn write_meta(dir: &Path, meta: &PlotMeta) -> Result<(), String> {
	let path = dir.join(META_FILE);
	let tmp = dir.join(META_TMP_FILE);
	let body = serde_json::to_vec_pretty(&meta.to_json())
		.map_err(|e| format!("cannot encode {}: {e}", path.display()))?;
	let mut file =
		File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
	file.write_all(&body)
		.and_then(|()| file.sync_all())
		.map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
	fs::rename(&tmp, &path).map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
	// The rename is durable once the directory is synced; a failure here only risks the last
	// checkpoint, which a resume redoes.
	if let Ok(d) = File::open(dir) {
		let _ = d.sync_all();
	}
	Ok(())
}

/// What `agent init` reports: the values the HP passes to `register_node` / `set_endpoint`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PlotInfo {
	/// The plot's directory.
	pub dir: PathBuf,
	/// Its parameters.
	pub params: PlotParams,
	/// What the chain stores with the node.
	pub plot: Plot,
	/// The registered root (`plot.proof_root(&seed)`).
	pub proof_root: Hash32,
}

impl PlotInfo {
	/// One JSON line: `{"proof_root":"0x…","plot":{"nonce":…,"leaf_count":…,"chunk_size":…,
	/// "tree_root":"0x…"},"dir":"…"}`, keys in this order whatever serde_json's map type.
	pub fn registration_json(&self) -> String {
		let dir = serde_json::Value::String(self.dir.display().to_string());
		format!(
			"{{\"proof_root\":\"{}\",\"plot\":{{\"nonce\":{},\"leaf_count\":{},\"chunk_size\":{},\
			 \"tree_root\":\"{}\"}},\"dir\":{dir}}}",
			to_hex(&self.proof_root),
			self.plot.nonce,
			self.plot.leaf_count,
			self.plot.chunk_size,
			to_hex(&self.plot.tree_root),
		)
	}

	/// The registration values in one human line (for the "already plotted" error).
	fn summary(&self) -> String {
		format!(
			"proof_root {}, nonce {}, leaf_count {}, chunk_size {}, tree_root {}",
			to_hex(&self.proof_root),
			self.plot.nonce,
			self.plot.leaf_count,
			self.plot.chunk_size,
			to_hex(&self.plot.tree_root)
		)
	}
}

/// Leaf hashes on their way to `tree.bin`, written in blocks at their own offset (no shared file
/// cursor).
struct LeafBuffer {
	/// Index of the first buffered leaf.
	first: u64,
	bytes: Vec<u8>,
}

impl LeafBuffer {
	fn push(&mut self, tree: &File, hash: &Hash32) -> io::Result<()> {
		self.bytes.extend_from_slice(hash);
		if self.bytes.len() >= LEAF_BUFFER * HASH_BYTES as usize {
			self.flush(tree)?;
		}
		Ok(())
	}

	fn flush(&mut self, tree: &File) -> io::Result<()> {
		tree.write_all_at(&self.bytes, self.first * HASH_BYTES)?;
		self.first += self.bytes.len() as u64 / HASH_BYTES;
		self.bytes.clear();
		Ok(())
	}
}

/// Makes the first `plotted` chunks durable and records them in `plot.json`.
fn checkpoint(
	dir: &Path,
	chunks: &File,
	tree: &File,
	leaves: &mut LeafBuffer,
	meta: &mut PlotMeta,
	plotted: u32,
) -> Result<(), String> {
	leaves
		.flush(tree)
		.and_then(|()| tree.sync_data())
		.and_then(|()| chunks.sync_data())
		.map_err(|e| format!("cannot write the plot in {}: {e}", dir.display()))?;
	meta.plotted = plotted;
	write_meta(dir, meta)
}

fn open_rw(path: &Path) -> Result<File, String> {
	OpenOptions::new()
		.read(true)
		.write(true)
		.create(true)
		.truncate(false)
		.open(path)
		.map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// Plots (or resumes plotting) the plot `params` in `data_dir/plot-<passport>-<nonce>/` and
/// returns its registration values.
///
/// Chunks are labelled in order ([`pos::label_into`]): the previous chunk stays in memory, the
/// two random parents are read back from `chunks.bin` (the page cache, mostly). `progress` is
/// called with `(chunks done, L)` once before the first chunk and after every chunk; when it
/// returns an error, the progress so far is checkpointed and that error returned (so a caller
/// can stop cleanly; running `plot` again resumes). Errors are one line for the operator.
pub fn plot(
	data_dir: &Path,
	params: &PlotParams,
	mut progress: impl FnMut(u32, u32) -> Result<(), String>,
) -> Result<PlotInfo, String> {
	params.check()?;
	refuse_v1(data_dir)?;
	let dir = data_dir.join(params.dir_name());
	fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
	let seed = params.seed();
	let recorded = match read_meta(&dir)? {
		Some(existing) => {
			let differences = existing.params.differences(params);
			if !differences.is_empty() {
				return Err(format!(
					"{} already holds a plot with other parameters ({}): run init with its \
					 parameters to resume it, or choose another --nonce for a new plot",
					dir.display(),
					differences.join("; ")
				));
			}
			if let (Some(tree_root), Some(proof_root)) = (existing.tree_root, existing.proof_root) {
				let info = PlotInfo {
					dir: dir.clone(),
					params: *params,
					plot: Plot {
						nonce: params.nonce,
						leaf_count: params.leaf_count,
						chunk_size: params.chunk_size,
						tree_root,
					},
					proof_root,
				};
				return Err(format!(
					"{} is already plotted: {} (register these; choose another --nonce for a new \
					 plot)",
					dir.display(),
					info.summary()
				));
			}
			existing.plotted
		},
		None => 0,
	};

	let chunks_path = dir.join(CHUNKS_FILE);
	let tree_path = dir.join(TREE_FILE);
	let chunks = open_rw(&chunks_path)?;
	let tree = open_rw(&tree_path)?;
	let c = u64::from(params.chunk_size);
	let length = |file: &File, path: &Path| {
		file.metadata()
			.map(|m| m.len())
			.map_err(|e| format!("cannot read {}: {e}", path.display()))
	};
	// Resume from what is both recorded and actually on disk; anything past it (written after
	// the last checkpoint, or a half-built upper tree) is redone, and chunks are deterministic.
	let on_disk = (length(&chunks, &chunks_path)? / c).min(length(&tree, &tree_path)? / HASH_BYTES);
	let start = u64::from(recorded.min(params.leaf_count)).min(on_disk);
	let start = u32::try_from(start).unwrap_or(0);
	chunks
		.set_len(u64::from(start) * c)
		.map_err(|e| format!("cannot truncate {}: {e}", chunks_path.display()))?;
	tree.set_len(u64::from(start) * HASH_BYTES)
		.map_err(|e| format!("cannot truncate {}: {e}", tree_path.display()))?;
	let mut meta =
		PlotMeta { params: *params, seed, plotted: start, tree_root: None, proof_root: None };
	write_meta(&dir, &meta)?;

	let size = params.chunk_size as usize;
	let (mut prev, mut cur) = (vec![0u8; size], vec![0u8; size]);
	let (mut first, mut second) = (vec![0u8; size], vec![0u8; size]);
	if start > 0 {
		chunks
			.read_exact_at(&mut prev, u64::from(start - 1) * c)
			.map_err(|e| format!("cannot read {}: {e}", chunks_path.display()))?;
	}
	let mut leaves = LeafBuffer { first: u64::from(start), bytes: Vec::new() };
	let io_error = |e: io::Error| format!("plotting in {} failed: {e}", dir.display());
	progress(start, params.leaf_count)?;
	let mut last_checkpoint = Instant::now();
	for v in start..params.leaf_count {
		let labelled = if v == 0 {
			pos::label_into(&seed, 0, None, &mut cur)
		} else {
			let [_, a, b] = pos::parents(&seed, v);
			// Parent v − 1 is `prev`; the others are earlier chunks, already on disk.
			if a != v - 1 {
				chunks.read_exact_at(&mut first, u64::from(a) * c).map_err(io_error)?;
			}
			if b != v - 1 {
				chunks.read_exact_at(&mut second, u64::from(b) * c).map_err(io_error)?;
			}
			let pa = if a == v - 1 { prev.as_slice() } else { first.as_slice() };
			let pb = if b == v - 1 { prev.as_slice() } else { second.as_slice() };
			pos::label_into(&seed, v, Some([prev.as_slice(), pa, pb]), &mut cur)
		};
		if !labelled {
			return Err(format!("cannot label chunk {v}: chunk size {size} is not whole words"));
		}
		chunks.write_all_at(&cur, u64::from(v) * c).map_err(io_error)?;
		leaves.push(&tree, &leaf_hash(&cur)).map_err(io_error)?;
		std::mem::swap(&mut prev, &mut cur);
		let done = v + 1;
		if let Err(stop) = progress(done, params.leaf_count) {
			checkpoint(&dir, &chunks, &tree, &mut leaves, &mut meta, done)?;
			return Err(stop);
		}
		if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
			checkpoint(&dir, &chunks, &tree, &mut leaves, &mut meta, done)?;
			last_checkpoint = Instant::now();
		}
	}
	checkpoint(&dir, &chunks, &tree, &mut leaves, &mut meta, params.leaf_count)?;

	let tree_root = build_upper_levels(&tree, params.leaf_count)
		.and_then(|root| tree.sync_data().map(|()| root))
		.map_err(|e| format!("cannot build the Merkle tree in {}: {e}", tree_path.display()))?;
	let plot = Plot {
		nonce: params.nonce,
		leaf_count: params.leaf_count,
		chunk_size: params.chunk_size,
		tree_root,
	};
	let proof_root = plot.proof_root(&seed);
	meta.tree_root = Some(tree_root);
	meta.proof_root = Some(proof_root);
	write_meta(&dir, &meta)?;
	Ok(PlotInfo { dir, params: *params, plot, proof_root })
}

/// One level of the tree in `tree.bin`: where it starts and how many hashes it has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Level {
	/// Index (in hashes) of its first hash.
	offset: u64,
	/// Number of hashes.
	width: u64,
}

/// The levels of the tree over `leaf_count` leaves, leaves first, the root alone last.
fn tree_levels(leaf_count: u32) -> Vec<Level> {
	let mut levels = Vec::new();
	let (mut offset, mut width) = (0u64, u64::from(leaf_count));
	loop {
		levels.push(Level { offset, width });
		if width <= 1 {
			return levels;
		}
		offset += width;
		width = width.div_ceil(2);
	}
}

/// Number of hashes in `tree.bin` with these levels.
fn tree_hashes(levels: &[Level]) -> u64 {
	levels.last().map_or(0, |l| l.offset + l.width)
}

fn to_hash(bytes: &[u8]) -> Hash32 {
	let mut hash = [0u8; 32];
	for (to, from) in hash.iter_mut().zip(bytes) {
		*to = *from;
	}
	hash
}

fn read_hash(tree: &File, at: u64) -> io::Result<Hash32> {
	let mut hash = [0u8; 32];
	tree.read_exact_at(&mut hash, at * HASH_BYTES)?;
	Ok(hash)
}

/// Appends the upper levels to a `tree.bin` that holds exactly the `leaf_count` leaves, reading
/// each level back in blocks and writing the next (memory stays a few hundred KiB for any plot),
/// and returns the root. Pairs neighbours left to right and carries an odd last node up, as
/// [`merkle::MerkleTree`] does.
fn build_upper_levels(tree: &File, leaf_count: u32) -> io::Result<Hash32> {
	let levels = tree_levels(leaf_count);
	let mut input = vec![0u8; TREE_BLOCK * HASH_BYTES as usize];
	let mut output: Vec<u8> = Vec::with_capacity(input.len() / 2 + HASH_BYTES as usize);
	for (from, to) in levels.iter().zip(levels.iter().skip(1)) {
		let (mut read, mut written) = (0u64, 0u64);
		while read < from.width {
			let n = (from.width - read).min(TREE_BLOCK as u64) as usize;
			let block = &mut input[..n * HASH_BYTES as usize];
			tree.read_exact_at(block, (from.offset + read) * HASH_BYTES)?;
			output.clear();
			for pair in block.chunks(2 * HASH_BYTES as usize) {
				if pair.len() == 2 * HASH_BYTES as usize {
					let (left, right) = pair.split_at(HASH_BYTES as usize);
					output.extend_from_slice(&node_hash(&to_hash(left), &to_hash(right)));
				} else {
					output.extend_from_slice(pair);
				}
			}
			tree.write_all_at(&output, (to.offset + written) * HASH_BYTES)?;
			written += output.len() as u64 / HASH_BYTES;
			read += n as u64;
		}
	}
	let root = levels.last().map_or(0, |l| l.offset);
	read_hash(tree, root)
}

/// The Merkle path of leaf `index` read from `tree.bin`: the sibling at each level from the leaf
/// up, none where the node is the carried odd last one (exactly [`merkle::MerkleTree::proof`]).
fn read_proof(tree: &File, levels: &[Level], index: u32) -> io::Result<Vec<Hash32>> {
	let mut i = u64::from(index);
	match levels.first() {
		Some(leaves) if i < leaves.width => {},
		_ => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no leaf {index}"))),
	}
	let mut proof = Vec::with_capacity(levels.len());
	for level in levels.iter().take(levels.len().saturating_sub(1)) {
		let sibling = i ^ 1;
		if sibling < level.width {
			proof.push(read_hash(tree, level.offset + sibling)?);
		}
		i /= 2;
	}
	Ok(proof)
}

/// Why a plot directory is not served.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum LoadError {
	/// Not fully plotted yet (a warning: `init` resumes it).
	Incomplete(String),
	/// Unusable as it is (one line saying why and what to do).
	Refused(String),
}

impl fmt::Display for LoadError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			LoadError::Incomplete(line) | LoadError::Refused(line) => f.write_str(line),
		}
	}
}

/// A complete plot, opened for serving and scrubbing. Reads and repairs go through positional
/// I/O on shared handles, so one `DiskPlot` serves any number of threads without locks.
pub struct DiskPlot {
	dir: PathBuf,
	params: PlotParams,
	seed: Hash32,
	plot: Plot,
	proof_root: Hash32,
	root_hex: String,
	/// Opened for writing too: the scrub repairs damaged chunks in place.
	chunks: File,
	tree: File,
	levels: Vec<Level>,
	scrub: ScrubStats,
}

impl DiskPlot {
	/// Opens the plot in `dir` without re-hashing it: the files must have the sizes its shape
	/// implies, the last hash of `tree.bin` must be `tree_root`, `proof_root` must follow from
	/// the seed, the shape and `tree_root`, and `sample` chunks drawn at random (every chunk
	/// when `sample ≥ L`) must verify in full ([`DiskPlot::verify_chunk`]).
	pub fn open(dir: &Path, sample: u32) -> Result<DiskPlot, LoadError> {
		let refuse = |reason: String| {
			LoadError::Refused(format!("refusing to serve the plot in {}: {reason}", dir.display()))
		};
		let meta = match read_meta(dir) {
			Ok(Some(meta)) => meta,
			Ok(None) => return Err(refuse(format!("it has no {META_FILE}"))),
			Err(e) => return Err(LoadError::Refused(e)),
		};
		let params = meta.params;
		params.check().map_err(refuse)?;
		let (Some(tree_root), Some(proof_root)) = (meta.tree_root, meta.proof_root) else {
			return Err(LoadError::Incomplete(format!(
				"{} is not fully plotted ({} of {} chunks): run `icn-node agent init` again with \
				 the same arguments to resume it; not serving it",
				dir.display(),
				meta.plotted,
				params.leaf_count
			)));
		};
		let chunks = OpenOptions::new()
			.read(true)
			.write(true)
			.open(dir.join(CHUNKS_FILE))
			.map_err(|e| {
				refuse(format!("cannot open {CHUNKS_FILE} for reading and writing: {e}"))
			})?;
		let tree = File::open(dir.join(TREE_FILE))
			.map_err(|e| refuse(format!("cannot open {TREE_FILE}: {e}")))?;
		let levels = tree_levels(params.leaf_count);
		for (file, name, expected) in [
			(&chunks, CHUNKS_FILE, params.bytes()),
			(&tree, TREE_FILE, tree_hashes(&levels) * HASH_BYTES),
		] {
			let actual = file
				.metadata()
				.map(|m| m.len())
				.map_err(|e| refuse(format!("cannot read {name}: {e}")))?;
			if actual != expected {
				return Err(refuse(format!(
					"{name} is {actual} bytes, expected {expected} for {} chunks of {} bytes",
					params.leaf_count, params.chunk_size
				)));
			}
		}
		let last = read_hash(&tree, tree_hashes(&levels).saturating_sub(1))
			.map_err(|e| refuse(format!("cannot read {TREE_FILE}: {e}")))?;
		if last != tree_root {
			return Err(refuse(format!(
				"the root at the end of {TREE_FILE} is not the tree_root in {META_FILE}"
			)));
		}
		let plot = Plot {
			nonce: params.nonce,
			leaf_count: params.leaf_count,
			chunk_size: params.chunk_size,
			tree_root,
		};
		if plot.proof_root(&meta.seed) != proof_root {
			return Err(refuse(format!(
				"the proof_root in {META_FILE} does not follow from its seed, shape and tree_root"
			)));
		}
		let disk = DiskPlot {
			dir: dir.to_path_buf(),
			params,
			seed: meta.seed,
			plot,
			proof_root,
			root_hex: to_hex(&proof_root),
			chunks,
			tree,
			levels,
			scrub: ScrubStats::default(),
		};
		disk.verify_sample(sample).map_err(refuse)?;
		Ok(disk)
	}

	/// Checks, by path, that the plot's files are still there with their sizes (what the agent
	/// serves from are the handles opened at start: a removed file is still read until the
	/// agent restarts, a truncated one fails every read past its end). One line on failure.
	pub fn check_files(&self) -> Result<(), String> {
		let problems: Vec<String> = [
			(CHUNKS_FILE, self.params.bytes()),
			(TREE_FILE, tree_hashes(&self.levels) * HASH_BYTES),
		]
		.into_iter()
		.filter_map(|(name, expected)| {
			let path = self.dir.join(name);
			match fs::metadata(&path) {
				Err(e) => Some(format!("{}: {e}", path.display())),
				Ok(meta) if meta.len() != expected => {
					Some(format!("{} is {} bytes, expected {expected}", path.display(), meta.len()))
				},
				Ok(_) => None,
			}
		})
		.collect();
		if problems.is_empty() {
			Ok(())
		} else {
			Err(problems.join("; "))
		}
	}

	fn verify_sample(&self, sample: u32) -> Result<(), String> {
		let count = self.leaf_count();
		if sample >= count {
			(0..count).try_for_each(|i| self.verify_chunk(i))
		} else {
			let mut rng = rand::thread_rng();
			(0..sample).try_for_each(|_| self.verify_chunk(rng.gen_range(0..count)))
		}
	}

	/// Checks chunk `index` in full: its hash is its stored leaf, the path read from `tree.bin`
	/// leads to `tree_root`, and it is the label of its parents as they are on disk.
	pub fn verify_chunk(&self, index: u32) -> Result<(), String> {
		let read_error = |e: io::Error| format!("cannot read chunk {index}: {e}");
		let chunk = self.chunk(index).map_err(read_error)?;
		let stored = self.leaf(index).map_err(read_error)?;
		if leaf_hash(&chunk) != stored {
			let repairable = self.label_from_disk(index).map(|l| leaf_hash(&l) == stored);
			return Err(if repairable.unwrap_or(false) {
				format!(
					"chunk {index} differs from its label but its leaf hash is intact, so the \
					 scrub can repair it: start with --verify-sample 0 to serve and let the scrub \
					 rewrite it"
				)
			} else {
				format!("chunk {index} does not match its leaf hash in {TREE_FILE}")
			});
		}
		let proof = self.proof(index).map_err(read_error)?;
		if !merkle::verify(&self.plot.tree_root, self.leaf_count(), index, &chunk, &proof) {
			return Err(format!(
				"the Merkle path of chunk {index} in {TREE_FILE} does not lead to the tree_root"
			));
		}
		if self.label_from_disk(index).map_err(read_error)? != chunk {
			return Err(format!("chunk {index} is not the label of its parents"));
		}
		Ok(())
	}

	/// The plot's directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	/// Its parameters.
	pub fn params(&self) -> &PlotParams {
		&self.params
	}

	/// What the chain stores with the node.
	pub fn plot(&self) -> Plot {
		self.plot
	}

	/// The registered root.
	pub fn proof_root(&self) -> Hash32 {
		self.proof_root
	}

	/// The registered root as `0x` hex (the key of the HTTP API and the metrics' label).
	pub fn root_hex(&self) -> &str {
		&self.root_hex
	}

	/// Number of chunks.
	pub fn leaf_count(&self) -> u32 {
		self.params.leaf_count
	}

	/// Bytes per chunk.
	pub fn chunk_size(&self) -> u32 {
		self.params.chunk_size
	}

	/// The scrub's counters for this plot.
	pub fn scrub_stats(&self) -> &ScrubStats {
		&self.scrub
	}

	fn check_index(&self, index: u32) -> io::Result<()> {
		if index >= self.leaf_count() {
			return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no chunk {index}")));
		}
		Ok(())
	}

	/// Reads chunk `index`.
	pub fn chunk(&self, index: u32) -> io::Result<Vec<u8>> {
		self.check_index(index)?;
		let mut buf = vec![0u8; self.chunk_size() as usize];
		self.chunks
			.read_exact_at(&mut buf, u64::from(index) * u64::from(self.chunk_size()))?;
		Ok(buf)
	}

	/// Overwrites chunk `index` (the scrub's repair).
	pub fn write_chunk(&self, index: u32, data: &[u8]) -> io::Result<()> {
		self.check_index(index)?;
		if data.len() != self.chunk_size() as usize {
			return Err(io::Error::new(io::ErrorKind::InvalidInput, "wrong chunk length"));
		}
		self.chunks.write_all_at(data, u64::from(index) * u64::from(self.chunk_size()))
	}

	/// Makes repairs durable.
	pub fn sync(&self) -> io::Result<()> {
		self.chunks.sync_data()
	}

	/// The stored leaf hash of chunk `index`.
	pub fn leaf(&self, index: u32) -> io::Result<Hash32> {
		self.check_index(index)?;
		read_hash(&self.tree, u64::from(index))
	}

	/// The Merkle path of chunk `index`, read from `tree.bin`.
	pub fn proof(&self, index: u32) -> io::Result<Vec<Hash32>> {
		read_proof(&self.tree, &self.levels, index)
	}

	/// Chunk `index` with its path.
	pub fn chunk_proof(&self, index: u32) -> io::Result<ChunkProof> {
		Ok(ChunkProof { index, data: self.chunk(index)?, proof: self.proof(index)? })
	}

	/// What a challenge for `index` returns: the chunk and its parents, each with its path.
	pub fn challenged(&self, index: u32) -> io::Result<ChallengedChunk> {
		let chunk = self.chunk_proof(index)?;
		let parents = pos::parents_of(&self.seed, index)
			.into_iter()
			.map(|p| self.chunk_proof(p))
			.collect::<io::Result<Vec<_>>>()?;
		Ok(ChallengedChunk { chunk, parents })
	}

	/// The label of chunk `index` recomputed from its parents as they are on disk.
	pub fn label_from_disk(&self, index: u32) -> io::Result<Vec<u8>> {
		self.check_index(index)?;
		let mut out = vec![0u8; self.chunk_size() as usize];
		let labelled = if index == 0 {
			pos::label_into(&self.seed, 0, None, &mut out)
		} else {
			let [a, b, c] = pos::parents(&self.seed, index);
			let (a, b, c) = (self.chunk(a)?, self.chunk(b)?, self.chunk(c)?);
			let parents = [a.as_slice(), b.as_slice(), c.as_slice()];
			pos::label_into(&self.seed, index, Some(parents), &mut out)
		};
		if !labelled {
			return Err(io::Error::new(
				io::ErrorKind::InvalidData,
				"chunk size is not whole words",
			));
		}
		Ok(out)
	}
}

/// Opens every plot in `data_dir` (its `plot-*` directories, in name order). Returns the plots
/// that can be served and, for the others, why not. Fails (one line) when `data_dir` cannot be
/// read or holds version-1 data.
pub fn load_all(data_dir: &Path, sample: u32) -> Result<(Vec<DiskPlot>, Vec<LoadError>), String> {
	refuse_v1(data_dir)?;
	let entries = fs::read_dir(data_dir).map_err(|e| {
		format!(
			"cannot read {} ({e}): make a plot there with `icn-node agent init --data-dir {} \
			 --hp <account> --passport <id> --size <bytes>`",
			data_dir.display(),
			data_dir.display()
		)
	})?;
	let mut dirs: Vec<PathBuf> = entries
		.filter_map(Result::ok)
		.filter(|e| e.file_name().to_string_lossy().starts_with(PLOT_DIR_PREFIX))
		.map(|e| e.path())
		.filter(|p| p.is_dir())
		.collect();
	dirs.sort();
	let (mut plots, mut skipped) = (Vec::<DiskPlot>::new(), Vec::new());
	for dir in dirs {
		match DiskPlot::open(&dir, sample) {
			Ok(plot) => match plots.iter().find(|p| p.proof_root() == plot.proof_root()) {
				Some(first) => skipped.push(LoadError::Refused(format!(
					"refusing to serve the plot in {}: it is a copy of the plot in {} (same proof \
					 root)",
					dir.display(),
					first.dir.display()
				))),
				None => plots.push(plot),
			},
			Err(e) => skipped.push(e),
		}
	}
	Ok((plots, skipped))
}

#[cfg(test)]
mod tests {
	use super::*;
	use icn_primitives::merkle::MerkleTree;

	const HP: [u8; 32] = [1; 32];

	fn params(leaf_count: u32) -> PlotParams {
		PlotParams { hp: HP, passport: 7, nonce: 0, leaf_count, chunk_size: pos::MIN_CHUNK_SIZE }
	}

	fn no_progress(_: u32, _: u32) -> Result<(), String> {
		Ok(())
	}

	#[test]
	fn proofs_read_from_disk_are_the_merkle_trees() {
		let dir = tempfile::tempdir().expect("tmp");
		for n in (1..=40u32).chain([255, 256, 257, 1000, 1025]) {
			let leaves: Vec<Hash32> = (0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect();
			let path = dir.path().join(format!("tree-{n}"));
			let tree = open_rw(&path).expect("open");
			tree.write_all_at(&leaves.concat(), 0).expect("leaves");
			let root = build_upper_levels(&tree, n).expect("build");
			let reference = MerkleTree::from_leaves(leaves).expect("tree");
			assert_eq!(root, reference.root(), "n={n}");
			let flat: Vec<u8> = reference.levels().iter().flatten().flatten().copied().collect();
			assert_eq!(fs::read(&path).expect("read"), flat, "n={n}: every level, leaves first");
			let levels = tree_levels(n);
			for i in 0..n {
				assert_eq!(read_proof(&tree, &levels, i).ok(), reference.proof(i), "n={n} i={i}");
			}
			assert!(read_proof(&tree, &levels, n).is_err());
		}
	}

	#[test]
	fn a_plot_is_the_reference_plot_and_loads() {
		let data = tempfile::tempdir().expect("tmp");
		let p = params(300);
		let info = plot(data.path(), &p, no_progress).expect("plot");
		assert_eq!(info.dir, data.path().join("plot-7-0"));
		let reference = pos::plot_in_memory(&p.seed(), 300, p.chunk_size);
		assert_eq!(fs::read(info.dir.join(CHUNKS_FILE)).expect("chunks"), reference.concat());
		let tree = MerkleTree::from_leaves(reference.iter().map(|c| leaf_hash(c)).collect())
			.expect("tree");
		assert_eq!(info.plot.tree_root, tree.root());
		assert_eq!(info.proof_root, info.plot.bound_root(&HP, 7));
		let json: serde_json::Value =
			serde_json::from_str(&info.registration_json()).expect("one JSON line");
		assert_eq!(json["proof_root"], to_hex(&info.proof_root));
		assert_eq!(json["plot"]["leaf_count"], 300);

		let disk = DiskPlot::open(&info.dir, u32::MAX).expect("every chunk verifies");
		assert_eq!(disk.proof_root(), info.proof_root);
		let target = info.plot.target(&HP, 7);
		for i in [0u32, 1, 2, 150, 299] {
			let answer = disk.challenged(i).expect("read");
			assert_eq!(pos::verify_chunk(&target, i, &answer), Ok(()), "chunk {i}");
			assert_eq!(disk.proof(i).ok(), tree.proof(i));
		}
		let (plots, skipped) = load_all(data.path(), 16).expect("load");
		assert_eq!((plots.len(), skipped.len()), (1, 0));
	}

	#[test]
	fn an_interrupted_plot_resumes_to_the_same_plot() {
		let whole = tempfile::tempdir().expect("tmp");
		let p = params(256);
		let reference = plot(whole.path(), &p, no_progress).expect("plot");

		let data = tempfile::tempdir().expect("tmp");
		let stop =
			|done: u32, _: u32| if done == 100 { Err("stopped".to_string()) } else { Ok(()) };
		assert_eq!(plot(data.path(), &p, stop), Err("stopped".to_string()));
		let dir = data.path().join(p.dir_name());
		let meta = read_meta(&dir).expect("meta").expect("exists");
		assert_eq!((meta.plotted, meta.tree_root), (100, None));
		match DiskPlot::open(&dir, 0) {
			Err(LoadError::Incomplete(line)) => assert!(line.contains("resume"), "{line}"),
			other => panic!("an incomplete plot is not served: {:?}", other.err()),
		}
		// As after a crash: writes past the checkpoint that plot.json does not know about.
		let garbage = vec![0xaa; 3 * p.chunk_size as usize];
		let chunks = OpenOptions::new().write(true).open(dir.join(CHUNKS_FILE)).expect("open");
		chunks.write_all_at(&garbage, 100 * u64::from(p.chunk_size)).expect("garbage");
		let tree = OpenOptions::new().write(true).open(dir.join(TREE_FILE)).expect("open");
		tree.write_all_at(&[0xbb; 64], 100 * HASH_BYTES).expect("garbage");
		let mut seen = Vec::new();
		let resumed = plot(data.path(), &p, |done, total| {
			seen.push((done, total));
			Ok(())
		})
		.expect("resume");
		assert_eq!(seen.first(), Some(&(100, 256)), "resumes at the checkpoint");
		assert_eq!(resumed.plot, reference.plot);
		assert_eq!(resumed.proof_root, reference.proof_root);
		assert_eq!(
			fs::read(dir.join(CHUNKS_FILE)).expect("chunks"),
			fs::read(reference.dir.join(CHUNKS_FILE)).expect("chunks")
		);
		assert_eq!(
			fs::read(dir.join(TREE_FILE)).expect("tree"),
			fs::read(reference.dir.join(TREE_FILE)).expect("tree")
		);

		// A checkpoint written by hand past a half-built tree resumes the same way.
		let mut meta = read_meta(&dir).expect("meta").expect("exists");
		meta.plotted = 256;
		meta.tree_root = None;
		meta.proof_root = None;
		write_meta(&dir, &meta).expect("write");
		let again = plot(data.path(), &p, no_progress).expect("rebuild the tree");
		assert_eq!(again.proof_root, reference.proof_root);
		assert!(DiskPlot::open(&dir, u32::MAX).is_ok());
	}

	#[test]
	fn a_complete_or_different_plot_is_not_overwritten() {
		let data = tempfile::tempdir().expect("tmp");
		let p = params(256);
		let info = plot(data.path(), &p, no_progress).expect("plot");
		let err = plot(data.path(), &p, no_progress).expect_err("complete");
		assert!(
			err.contains("already plotted") && err.contains(&to_hex(&info.proof_root)),
			"{err}"
		);
		let err = plot(data.path(), &PlotParams { leaf_count: 300, ..p }, no_progress)
			.expect_err("other shape");
		assert!(err.contains("other parameters") && err.contains("256 chunks there"), "{err}");
		let err = plot(data.path(), &PlotParams { hp: [2; 32], ..p }, no_progress)
			.expect_err("other account");
		assert!(err.contains("hp 0x0101"), "{err}");
		// Another nonce is another plot, beside the first.
		let second = plot(data.path(), &PlotParams { nonce: 1, ..p }, no_progress).expect("plot");
		assert_ne!(second.proof_root, info.proof_root);
		let (plots, _) = load_all(data.path(), 4).expect("load");
		assert_eq!(plots.len(), 2);
	}

	#[test]
	fn bad_shapes_are_refused() {
		let data = tempfile::tempdir().expect("tmp");
		for (bad, message) in [
			(PlotParams { leaf_count: 255, ..params(0) }, "at least 256 chunks"),
			(PlotParams { chunk_size: 6000, ..params(256) }, "power of two"),
			(PlotParams { chunk_size: 2048, ..params(256) }, "--chunk-size"),
			(PlotParams { chunk_size: 1 << 17, ..params(256) }, "--chunk-size"),
		] {
			let err = plot(data.path(), &bad, no_progress).expect_err("refused");
			assert!(err.contains(message), "{err}");
		}
		assert_eq!(fs::read_dir(data.path()).expect("dir").count(), 0, "nothing created");
	}

	#[test]
	fn damaged_files_are_refused_at_load() {
		let data = tempfile::tempdir().expect("tmp");
		let info = plot(data.path(), &params(256), no_progress).expect("plot");
		let dir = &info.dir;
		let chunks_path = dir.join(CHUNKS_FILE);
		let tree_path = dir.join(TREE_FILE);
		let original = fs::read(&chunks_path).expect("chunks");
		let original_tree = fs::read(&tree_path).expect("tree");

		let mut bytes = original.clone();
		bytes[4096 * 3 + 1] ^= 1;
		fs::write(&chunks_path, &bytes).expect("write");
		let err = DiskPlot::open(dir, u32::MAX).err().expect("refused").to_string();
		assert!(err.contains("chunk 3") && err.contains("scrub can repair"), "{err}");
		assert!(DiskPlot::open(dir, 0).is_ok(), "no sample: served, the scrub repairs it");

		fs::write(&chunks_path, &original[..4096 * 200]).expect("truncate");
		let err = DiskPlot::open(dir, 0).err().expect("refused").to_string();
		assert!(err.contains("chunks.bin is 819200 bytes"), "{err}");
		fs::write(&chunks_path, &original).expect("restore");

		// Leaf 4: chunks 0–3 verify first (their paths use the stored upper levels, not leaf 4).
		let mut tree = original_tree.clone();
		tree[32 * 4] ^= 1;
		fs::write(&tree_path, &tree).expect("write");
		let err = DiskPlot::open(dir, u32::MAX).err().expect("refused").to_string();
		assert!(err.contains("chunk 4 does not match its leaf hash"), "{err}");

		let mut tree = original_tree.clone();
		let at = tree.len() - 1;
		tree[at] ^= 1;
		fs::write(&tree_path, &tree).expect("write");
		let err = DiskPlot::open(dir, 0).err().expect("refused").to_string();
		assert!(err.contains("is not the tree_root"), "{err}");
		fs::write(&tree_path, &original_tree).expect("restore");
		assert!(DiskPlot::open(dir, u32::MAX).is_ok());
	}

	#[test]
	fn version_1_data_and_other_versions_are_refused_in_one_line() {
		let data = tempfile::tempdir().expect("tmp");
		fs::write(data.path().join("agent.json"), r#"{"version":1}"#).expect("v1");
		for err in [
			load_all(data.path(), 0).err().expect("refused"),
			plot(data.path(), &params(256), no_progress).expect_err("refused"),
		] {
			assert!(err.contains("version-1") && err.contains("icn-node agent init"), "{err}");
			assert!(!err.contains('\n'), "one line: {err}");
		}

		let data = tempfile::tempdir().expect("tmp");
		let info = plot(data.path(), &params(256), no_progress).expect("plot");
		let meta_path = info.dir.join(META_FILE);
		let text = fs::read_to_string(&meta_path).expect("meta");
		fs::write(&meta_path, text.replace("\"version\": 2", "\"version\": 3")).expect("write");
		let (plots, skipped) = load_all(data.path(), 0).expect("load");
		assert!(plots.is_empty());
		let err = skipped[0].to_string();
		assert!(err.contains("format version 3") && !err.contains('\n'), "{err}");
	}
}
