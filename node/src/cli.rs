//! Command-line interface of `icn-node`.

use polkadot_sdk::sc_cli::{self, OffchainWorkerEnabled, RunCmd};
use std::ffi::OsString;

/// `icn-node`: run a node (no subcommand) or one of the maintenance subcommands.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// Stop the node, cleanly, when its database's disk has less free space than this.
	#[clap(flatten)]
	pub storage_monitor: polkadot_sdk::sc_storage_monitor::StorageMonitorParams,

	/// Do not measure the machine at start-up. A validator of a non-development chain measures
	/// its CPU, memory and disk, prints the scores, and warns when they are below ICN's reference
	/// hardware (docs/operations.md).
	#[arg(long)]
	pub no_hardware_benchmarks: bool,
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys into the node's keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain spec (`--chain dev|local|<file>`, `--raw` for the genesis storage form).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain spec. Deprecated in favour of `export-chain-spec`; kept while zombienet
	/// still calls it.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// The hardware agent an HP runs beside its node: `agent init` plots the node's
	/// proof-of-space data and prints the proof root and plot to register; `agent run` serves
	/// challenges over HTTP.
	Agent(crate::agent::AgentCmd),

	/// Runtime benchmarks (`benchmark pallet` regenerates the pallets' `weights.rs`; `machine`
	/// and `block` measure a validator's hardware and imported blocks). Only in nodes built with
	/// `--features runtime-benchmarks`; see `scripts/benchmark-pallets.sh`.
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(polkadot_sdk::frame_benchmarking_cli::BenchmarkCmd),
}

/// Off-chain workers run on every node unless the operator says otherwise.
///
/// Substrate's default is to run them on validators only; ICN's SLA oracles (SPEC §5.3) challenge
/// hardware nodes from off-chain workers and an oracle need not be a validator, so `icn-node`
/// defaults to `--offchain-worker always`. An explicit `--offchain-worker` flag in `args` wins.
pub fn enable_offchain_workers_by_default(cli: &mut Cli, args: &[OsString]) {
	let explicit = args.iter().any(|arg| {
		arg.to_str()
			.is_some_and(|a| a == "--offchain-worker" || a.starts_with("--offchain-worker="))
	});
	if !explicit {
		cli.run.offchain_worker_params.enabled = OffchainWorkerEnabled::Always;
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	fn parse(args: &[&str]) -> Cli {
		let args: Vec<OsString> = args.iter().map(OsString::from).collect();
		let mut cli = Cli::try_parse_from(&args).expect("arguments parse");
		enable_offchain_workers_by_default(&mut cli, &args);
		cli
	}

	#[test]
	fn offchain_workers_default_to_always() {
		let cli = parse(&["icn-node", "--dev"]);
		assert!(matches!(cli.run.offchain_worker_params.enabled, OffchainWorkerEnabled::Always));
	}

	#[test]
	fn explicit_offchain_worker_flag_wins() {
		let cli = parse(&["icn-node", "--dev", "--offchain-worker", "never"]);
		assert!(matches!(cli.run.offchain_worker_params.enabled, OffchainWorkerEnabled::Never));
		let cli = parse(&["icn-node", "--offchain-worker=when-authority"]);
		assert!(matches!(
			cli.run.offchain_worker_params.enabled,
			OffchainWorkerEnabled::WhenAuthority
		));
	}

	#[test]
	fn subcommands_still_parse() {
		let cli = parse(&["icn-node", "export-chain-spec", "--chain", "local", "--raw"]);
		assert!(matches!(cli.subcommand, Some(Subcommand::ExportChainSpec(_))));
	}
}
