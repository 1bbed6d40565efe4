//! The background scrub: walks every chunk of every served plot, recomputes its label from its
//! parents (read from disk) and compares it with the chunk and its stored leaf hash.
//!
//! Loading checks only a sample, so silent disk corruption elsewhere would otherwise surface as a
//! failed challenge (and, repeated, a slash). The label is a pure function of the seed and the
//! parents, so a chunk that differs from its label while the label still hashes to the stored
//! leaf is *repaired* in place: the stored leaf (committed to by the registered root) proves the
//! label is the original. Parents are lower indices, so walking in order means they have already
//! been checked and repaired when a chunk needs them. Anything else (a damaged leaf, a chunk and
//! its leaf both wrong) cannot be repaired and is counted as damage; `/v1/health` then says
//! `degraded`.
//!
//! The walk yields for a millisecond every [`PACE_BATCH`] chunks so that challenges, which read
//! the same disk, are answered promptly; after a full pass over all plots it sleeps for the
//! configured interval.

use super::plot::DiskPlot;
use icn_primitives::merkle::leaf_hash;
use std::{
	sync::{
		atomic::{
			AtomicU64,
			Ordering::{Acquire, Relaxed, Release},
		},
		Arc,
	},
	thread::JoinHandle,
	time::{Duration, Instant},
};

/// Chunks checked between two pauses.
pub const PACE_BATCH: u32 = 256;
/// The pause between two batches.
const PACE_PAUSE: Duration = Duration::from_millis(1);
/// Repaired or damaged chunks logged one by one per pass; the rest only count, so a dying disk
/// does not flood the log.
const LOGGED_PER_PASS: u64 = 32;

/// The scrub's counters for one plot, shared with the HTTP server (health and metrics).
#[derive(Default, Debug)]
pub struct ScrubStats {
	/// Chunks checked in the current pass (or in the last one, once it ended).
	position: AtomicU64,
	/// Passes completed.
	passes: AtomicU64,
	/// Chunks checked since start.
	checked: AtomicU64,
	/// Damaged chunks found since start (a chunk found in two passes counts twice).
	damaged_total: AtomicU64,
	/// Chunks repaired since start.
	repaired_total: AtomicU64,
	/// Damaged chunks found so far in the current pass.
	damaged_current: AtomicU64,
	/// Damaged chunks found in the last completed pass.
	damaged_last: AtomicU64,
}

/// A consistent-enough copy of [`ScrubStats`] for reporting.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct ScrubSnapshot {
	/// Progress of the current pass, `0.0`–`1.0` (stays `1.0` between passes).
	pub progress: f64,
	/// Passes completed.
	pub passes: u64,
	/// Chunks checked since start.
	pub checked: u64,
	/// Damaged chunks found since start.
	pub damaged_total: u64,
	/// Chunks repaired since start.
	pub repaired_total: u64,
	/// Unrepaired damage known now: the larger of the last complete pass's and the current
	/// pass's count (damage that cannot be repaired is found again by every pass).
	pub damaged: u64,
}

impl ScrubStats {
	/// The counters now, progress relative to `leaf_count`.
	pub fn snapshot(&self, leaf_count: u32) -> ScrubSnapshot {
		// `passes` first, with `Acquire`: a reader that sees a pass completed also sees that
		// pass's position, counts and damage (stored before the `Release` in `end_pass`).
		let passes = self.passes.load(Acquire);
		let position = self.position.load(Relaxed);
		ScrubSnapshot {
			progress: if leaf_count == 0 {
				0.0
			} else {
				(position as f64 / f64::from(leaf_count)).min(1.0)
			},
			passes,
			checked: self.checked.load(Relaxed),
			damaged_total: self.damaged_total.load(Relaxed),
			repaired_total: self.repaired_total.load(Relaxed),
			damaged: self.damaged_last.load(Relaxed).max(self.damaged_current.load(Relaxed)),
		}
	}

	fn begin_pass(&self) {
		self.position.store(0, Relaxed);
		self.damaged_current.store(0, Relaxed);
	}

	fn end_pass(&self) {
		self.damaged_last.store(self.damaged_current.load(Relaxed), Relaxed);
		self.passes.fetch_add(1, Release);
	}
}

/// What the scrub found for one chunk.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// The chunk is its label and hashes to its stored leaf.
	Intact,
	/// The chunk differed from its label, whose hash is the stored leaf: the label was written
	/// back.
	Repaired,
	/// Neither: the reason, for the log.
	Damaged(String),
}

/// Checks chunk `index` of `plot` and repairs it when its stored leaf proves its label (see the
/// module docs). Read errors on the chunk itself are treated as a wrong chunk (a rewrite may fix
/// a bad sector); read errors on its parents or leaf make it damaged.
pub fn check_chunk(plot: &DiskPlot, index: u32) -> Verdict {
	let label = match plot.label_from_disk(index) {
		Ok(label) => label,
		Err(e) => return Verdict::Damaged(format!("cannot read its parents: {e}")),
	};
	let stored = match plot.leaf(index) {
		Ok(leaf) => leaf,
		Err(e) => return Verdict::Damaged(format!("cannot read its leaf hash: {e}")),
	};
	let chunk = plot.chunk(index).ok();
	let is_label = chunk.as_deref() == Some(label.as_slice());
	let chunk_leaf = chunk.as_deref().map(leaf_hash);
	if is_label && chunk_leaf == Some(stored) {
		return Verdict::Intact;
	}
	if !is_label && leaf_hash(&label) == stored {
		return match plot.write_chunk(index, &label) {
			Ok(()) => Verdict::Repaired,
			Err(e) => Verdict::Damaged(format!(
				"it differs from its label but writing the label back failed: {e}"
			)),
		};
	}
	Verdict::Damaged(if is_label {
		"its leaf hash in tree.bin is damaged".to_string()
	} else if chunk_leaf == Some(stored) {
		"it matches its leaf hash but is not the label of its parents (a parent is damaged)"
			.to_string()
	} else {
		"neither it nor the label recomputed from its parents matches its leaf hash".to_string()
	})
}

/// Totals of one pass over one plot.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PassSummary {
	/// Chunks checked.
	pub checked: u64,
	/// Chunks that are damaged and could not be repaired.
	pub damaged: u64,
	/// Chunks repaired.
	pub repaired: u64,
}

/// One pass over every chunk of `plot`, in order, updating its [`ScrubStats`] as it goes and
/// logging the start, the end and (up to a limit) each repair and damage. `pace` yields between
/// batches (the background thread); tests run flat out.
pub fn scrub_pass(plot: &DiskPlot, pace: bool) -> PassSummary {
	let stats = plot.scrub_stats();
	let root = plot.root_hex();
	let count = plot.leaf_count();
	let started = Instant::now();
	stats.begin_pass();
	log::info!(target: "agent", "scrub of plot {root} started ({count} chunks)");
	let mut summary = PassSummary::default();
	for index in 0..count {
		match check_chunk(plot, index) {
			Verdict::Intact => {},
			Verdict::Repaired => {
				summary.repaired += 1;
				stats.repaired_total.fetch_add(1, Relaxed);
				if summary.repaired + summary.damaged <= LOGGED_PER_PASS {
					log::warn!(
						target: "agent",
						"plot {root}: repaired chunk {index} (it differed from \
						 its label; its leaf hash was intact)"
					);
				}
			},
			Verdict::Damaged(reason) => {
				summary.damaged += 1;
				stats.damaged_total.fetch_add(1, Relaxed);
				stats.damaged_current.fetch_add(1, Relaxed);
				if summary.repaired + summary.damaged <= LOGGED_PER_PASS {
					log::warn!(
						target: "agent",
						"plot {root}: chunk {index} is damaged and \
						 cannot be repaired: {reason}; challenges that touch it fail, so make a \
						 new plot (another --nonce) and register it with `set_endpoint`"
					);
				}
			},
		}
		summary.checked += 1;
		stats.checked.fetch_add(1, Relaxed);
		stats.position.store(u64::from(index) + 1, Relaxed);
		if pace && (index + 1).is_multiple_of(PACE_BATCH) {
			std::thread::sleep(PACE_PAUSE);
		}
	}
	if summary.repaired > 0 {
		if let Err(e) = plot.sync() {
			log::warn!(target: "agent", "plot {root}: cannot sync repaired chunks: {e}");
		}
	}
	stats.end_pass();
	let unlisted = (summary.repaired + summary.damaged).saturating_sub(LOGGED_PER_PASS);
	log::info!(
		target: "agent",
		"scrub of plot {root} finished pass {}: {} chunks checked, {} damaged, {} \
		 repaired in {:.1} s{}",
		stats.passes.load(Relaxed),
		summary.checked,
		summary.damaged,
		summary.repaired,
		started.elapsed().as_secs_f64(),
		if unlisted > 0 { format!(" ({unlisted} not listed one by one)") } else { String::new() },
	);
	summary
}

/// Starts the background scrub: passes over all `plots` forever, `interval` apart.
pub fn spawn(plots: Vec<Arc<DiskPlot>>, interval: Duration) -> Result<JoinHandle<()>, String> {
	std::thread::Builder::new()
		.name("agent-scrub".into())
		.spawn(move || loop {
			for plot in &plots {
				scrub_pass(plot, true);
			}
			std::thread::sleep(interval);
		})
		.map_err(|e| format!("cannot start the scrub thread: {e}"))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::agent::plot::{plot, PlotParams, CHUNKS_FILE, TREE_FILE};
	use icn_primitives::pos;
	use std::fs;

	fn plotted() -> (tempfile::TempDir, DiskPlot) {
		let data = tempfile::tempdir().expect("tmp");
		let params = PlotParams {
			hp: [1; 32],
			passport: 3,
			nonce: 0,
			leaf_count: pos::MIN_PLOT_CHUNKS,
			chunk_size: pos::MIN_CHUNK_SIZE,
		};
		let info = plot(data.path(), &params, |_, _| Ok(())).expect("plot");
		let disk = DiskPlot::open(&info.dir, 0).expect("open");
		(data, disk)
	}

	#[test]
	fn a_clean_plot_passes() {
		let (_data, disk) = plotted();
		let summary = scrub_pass(&disk, false);
		assert_eq!(summary, PassSummary { checked: 256, damaged: 0, repaired: 0 });
		let s = disk.scrub_stats().snapshot(disk.leaf_count());
		assert_eq!((s.progress, s.passes, s.checked, s.damaged), (1.0, 1, 256, 0));
	}

	#[test]
	fn a_flipped_byte_in_a_chunk_is_repaired() {
		let (_data, disk) = plotted();
		let path = disk.dir().join(CHUNKS_FILE);
		let original = fs::read(&path).expect("read");
		let mut bytes = original.clone();
		bytes[4096 * 37 + 100] ^= 0x40;
		bytes[4096 * 200] ^= 0x01;
		fs::write(&path, &bytes).expect("tamper");
		assert!(disk.verify_chunk(37).is_err());
		let summary = scrub_pass(&disk, false);
		assert_eq!(summary, PassSummary { checked: 256, damaged: 0, repaired: 2 });
		assert_eq!(fs::read(&path).expect("read"), original, "the chunks are the original again");
		assert_eq!(disk.verify_chunk(37), Ok(()));
		let s = disk.scrub_stats().snapshot(disk.leaf_count());
		assert_eq!((s.repaired_total, s.damaged), (2, 0));
		// A second pass finds nothing left to do.
		assert_eq!(scrub_pass(&disk, false).repaired, 0);
	}

	#[test]
	fn a_damaged_leaf_is_reported_not_repaired() {
		let (_data, disk) = plotted();
		let path = disk.dir().join(TREE_FILE);
		let mut tree = fs::read(&path).expect("read");
		tree[32 * 50 + 7] ^= 0x01;
		fs::write(&path, &tree).expect("tamper");
		assert_eq!(
			check_chunk(&disk, 50),
			Verdict::Damaged("its leaf hash in tree.bin is damaged".to_string())
		);
		let summary = scrub_pass(&disk, false);
		assert_eq!(summary, PassSummary { checked: 256, damaged: 1, repaired: 0 });
		let s = disk.scrub_stats().snapshot(disk.leaf_count());
		assert_eq!((s.damaged, s.damaged_total, s.passes), (1, 1, 1));
		assert_eq!(fs::read(&path).expect("read"), tree, "the tree is left as it is");
	}

	#[test]
	fn a_chunk_and_its_leaf_both_wrong_is_damage() {
		let (_data, disk) = plotted();
		let path = disk.dir().join(CHUNKS_FILE);
		let mut bytes = fs::read(&path).expect("read");
		bytes[4096 * 9] ^= 0x01;
		fs::write(&path, &bytes).expect("tamper");
		let tree_path = disk.dir().join(TREE_FILE);
		let mut tree = fs::read(&tree_path).expect("read");
		tree[32 * 9] ^= 0x01;
		fs::write(&tree_path, &tree).expect("tamper");
		assert!(matches!(check_chunk(&disk, 9), Verdict::Damaged(_)));
		assert_eq!(fs::read(&path).expect("read"), bytes, "nothing is rewritten on a guess");
	}
}
