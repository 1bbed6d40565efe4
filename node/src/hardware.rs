//! ICN's reference hardware for validators, and the start-up hardware benchmark (`sc-sysinfo`)
//! checked against it.
//!
//! At start-up a validator (`--validator`) of a non-development chain measures its CPU (BLAKE2b
//! on one core and on all), memory copy and disk writes (sequential and random, in its database
//! directory), prints the scores, reports them to telemetry when
//! telemetry is on, and warns when one is below [`reference`]. `--no-hardware-benchmarks` skips
//! it. The reference is this project's test machine — 2 cores, 24 GiB, virtual disk — at about
//! 80% of what it measured (docs/operations.md#reference-hardware has the measured numbers): the
//! machine on which every figure in docs/performance.md was taken, so a validator at least as
//! fast keeps up with the block weights those figures were measured against.

use polkadot_sdk::sc_sysinfo::{Metric, Requirement, Requirements, Throughput};

/// The minimum scores of ICN's reference validator (see the module docs).
pub fn reference() -> Requirements {
	let requirement = |metric, minimum| Requirement { metric, minimum, validator_only: true };
	Requirements(vec![
		requirement(Metric::Blake2256, Throughput::from_mibs(REFERENCE_BLAKE2_MIBS)),
		requirement(
			Metric::Blake2256Parallel { num_cores: REFERENCE_CORES },
			Throughput::from_mibs(REFERENCE_BLAKE2_PARALLEL_MIBS),
		),
		requirement(Metric::MemCopy, Throughput::from_gibs(REFERENCE_MEMCOPY_GIBS)),
		requirement(Metric::DiskSeqWrite, Throughput::from_mibs(REFERENCE_DISK_SEQ_MIBS)),
		requirement(Metric::DiskRndWrite, Throughput::from_mibs(REFERENCE_DISK_RND_MIBS)),
	])
}

/// Cores of the reference machine.
pub const REFERENCE_CORES: usize = 2;
// About 80% of what `scripts/measure-operators.sh` measured here on 2026-12-03
// (docs/bench/operators.txt): BLAKE2b 617 MiB/s on one core, 545 MiB/s per core on both, memory
// copy 8.24 GiB/s, disk 628 MiB/s sequential and 145 MiB/s random writes.
pub const REFERENCE_BLAKE2_MIBS: f64 = 500.0;
/// Per core, with all [`REFERENCE_CORES`] busy (sc-sysinfo's parallelism score).
pub const REFERENCE_BLAKE2_PARALLEL_MIBS: f64 = 430.0;
pub const REFERENCE_MEMCOPY_GIBS: f64 = 6.5;
pub const REFERENCE_DISK_SEQ_MIBS: f64 = 500.0;
pub const REFERENCE_DISK_RND_MIBS: f64 = 115.0;

/// Whether a node started with `config` runs the start-up benchmark: validators of chains that
/// are not development chains, unless `--no-hardware-benchmarks`.
pub fn wanted(config: &polkadot_sdk::sc_service::Configuration, disabled: bool) -> bool {
	use polkadot_sdk::sc_chain_spec::ChainType;
	!disabled
		&& config.role.is_authority()
		&& config.chain_spec.chain_type() != ChainType::Development
}

/// Runs the benchmark, writing its scratch files in the database directory (created if needed).
pub fn measure(
	config: &polkadot_sdk::sc_service::Configuration,
) -> Option<polkadot_sdk::sc_sysinfo::HwBench> {
	let dir = config.database.path()?;
	if let Err(e) = std::fs::create_dir_all(dir) {
		log::warn!("cannot create {} for the hardware benchmark: {e}", dir.display());
		return None;
	}
	Some(polkadot_sdk::sc_sysinfo::gather_hwbench(Some(dir), &reference()))
}
