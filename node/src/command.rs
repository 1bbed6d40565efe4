//! Dispatches `icn-node`'s subcommands and runs the node.

use crate::{
	chain_spec,
	cli::{enable_offchain_workers_by_default, Cli, Subcommand},
	service,
};
use icn_runtime::opaque::Block;
use polkadot_sdk::{
	sc_cli::{self, SubstrateCli},
	sc_network, sc_service,
	sc_service::PartialComponents,
	sp_runtime,
};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"ICN Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/impossible-cloud/icn-chain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		chain_spec::load(id)
	}
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
	let mut cli = Cli::from_iter(args.iter());
	enable_offchain_workers_by_default(&mut cli, &args);

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let spec = cli.load_spec(&cmd.chain)?;
			cmd.run(spec)
		},
		#[allow(deprecated)]
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					polkadot_sdk::sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		Some(Subcommand::Agent(cmd)) => cmd.run().map_err(sc_cli::Error::Input),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => run_benchmark(&cli, cmd),
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let storage_monitor = cli.storage_monitor.clone();
			let no_hardware_benchmarks = cli.no_hardware_benchmarks;
			runner.run_node_until_exit(|config| async move {
				let hwbench = crate::hardware::wanted(&config, no_hardware_benchmarks)
					.then(|| crate::hardware::measure(&config))
					.flatten();
				let database = config.database.path().map(|path| path.to_path_buf());
				let task_manager = match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<
							Block,
							<Block as sp_runtime::traits::Block>::Hash,
						>,
					>(config, hwbench)
					.map_err(sc_cli::Error::Service)?,
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(config, hwbench)
							.map_err(sc_cli::Error::Service)?
					},
				};
				// Below `--db-storage-threshold` MiB free on the database's disk, the node stops
				// cleanly instead of failing a write half-way (0 turns the check off).
				if let Some(database) = database {
					polkadot_sdk::sc_storage_monitor::StorageMonitorService::try_spawn(
						storage_monitor,
						database,
						&task_manager.spawn_essential_handle(),
					)
					.map_err(|e| sc_cli::Error::Application(e.into()))?;
				}
				Ok(task_manager)
			})
		},
	}
}

/// `icn-node benchmark …`: only in nodes built with `--features runtime-benchmarks`.
///
/// `pallet` runs the runtime's FRAME benchmarks (this is what generates every pallet's
/// `weights.rs`); `overhead` measures the base weights of a block and of an extrinsic
/// (`runtime/src/weights/`); `extrinsic` times one signed `system.remark` or
/// `balances.transfer_keep_alive` in full blocks; `storage` measures the database's read and write
/// costs on the node's state; `block` re-executes imported blocks; `machine` checks a validator's
/// hardware against Substrate's reference machine. `docs/performance.md` has the commands.
#[cfg(feature = "runtime-benchmarks")]
fn run_benchmark(
	cli: &Cli,
	cmd: &polkadot_sdk::frame_benchmarking_cli::BenchmarkCmd,
) -> sc_cli::Result<()> {
	use crate::benchmarking::{inherent_benchmark_data, RemarkBuilder, TransferKeepAliveBuilder};
	use polkadot_sdk::frame_benchmarking_cli::{
		BenchmarkCmd, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE,
	};

	let runner = cli.create_runner(cmd)?;
	runner.sync_run(|config| match cmd {
		BenchmarkCmd::Pallet(cmd) => {
			cmd.run_with_spec::<sp_runtime::traits::HashingFor<Block>, ()>(Some(config.chain_spec))
		},
		BenchmarkCmd::Block(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		},
		BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
		BenchmarkCmd::Storage(cmd) => {
			let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			let shared_trie_cache = backend.expose_shared_trie_cache();
			cmd.run(config, client, db, storage, shared_trie_cache)
		},
		BenchmarkCmd::Overhead(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let remark = RemarkBuilder::new(client.clone());
			cmd.run(
				config.chain_spec.name().into(),
				client,
				inherent_benchmark_data()?,
				Vec::new(),
				&remark,
				false,
			)
		},
		BenchmarkCmd::Extrinsic(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let factory = ExtrinsicFactory(vec![
				Box::new(RemarkBuilder::new(client.clone())),
				Box::new(TransferKeepAliveBuilder::new(
					client.clone(),
					polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id(),
					icn_runtime::EXISTENTIAL_DEPOSIT,
				)),
			]);
			cmd.run(client, inherent_benchmark_data()?, Vec::new(), &factory)
		},
	})
}
