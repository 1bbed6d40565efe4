//! `icn-node agent`: the hardware agent an HP runs beside its hardware node (SPEC §7.2).
//!
//! * `icn-node agent init --data-dir D --chunks L [--chunk-size 4096]` creates `L` chunks of
//!   OS-random data and their Merkle tree in `D` and prints the `proof_root` to register with the
//!   node (`register_node(…, proof_root)`).
//! * `icn-node agent run --data-dir D [--listen 127.0.0.1:7100]` verifies the data against its
//!   stored roots (and refuses to start on a corrupted set) and serves the challenge endpoint the
//!   SLA oracles call, health, and Prometheus metrics (see [`server`]).
//!
//! The tree and proof format are `icn_primitives::merkle`, which the runtime's off-chain worker
//! uses to verify, so both sides hash the same way.

pub mod data;
pub mod server;

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

/// `icn-node agent`.
#[derive(Debug, clap::Args)]
pub struct AgentCmd {
	#[command(subcommand)]
	pub action: AgentAction,
}

/// What the agent does.
#[derive(Debug, clap::Subcommand)]
pub enum AgentAction {
	/// Create the challenge data and print the proof root to register.
	Init {
		/// Directory for the data (created if missing; never overwritten).
		#[arg(long)]
		data_dir: PathBuf,
		/// Number of chunks.
		#[arg(long)]
		chunks: u32,
		/// Bytes per chunk.
		#[arg(long, default_value_t = icn_primitives::merkle::DEFAULT_CHUNK_SIZE)]
		chunk_size: u32,
	},
	/// Verify the challenge data and serve it over HTTP.
	Run {
		/// Directory created by `agent init`.
		#[arg(long)]
		data_dir: PathBuf,
		/// Address to listen on (port 0 picks a free port; the address is printed).
		#[arg(long, default_value = "127.0.0.1:7100")]
		listen: SocketAddr,
		/// Testing only: serve every chunk with a flipped byte, so challenges fail with a bad
		/// proof.
		#[arg(long, hide = true)]
		serve_corrupt_chunks: bool,
	},
}

impl AgentCmd {
	/// Runs the agent command; errors are one line for the operator.
	pub fn run(&self) -> Result<(), String> {
		match &self.action {
			AgentAction::Init { data_dir, chunks, chunk_size } => {
				let tree = data::init(data_dir, *chunks, *chunk_size)?;
				eprintln!(
					"Created {chunks} chunks of {chunk_size} bytes in {}. Register your node with \
					 this proof root:",
					data_dir.display()
				);
				println!("{}", data::to_hex(&tree.proof_root()));
				Ok(())
			},
			AgentAction::Run { data_dir, listen, serve_corrupt_chunks } => {
				let data = data::DataSet::load(data_dir)?;
				let root = data::to_hex(&data.tree().proof_root());
				let count = data.tree().leaf_count();
				let state = Arc::new(server::State::new(data, *serve_corrupt_chunks)?);
				let runtime = tokio::runtime::Builder::new_multi_thread()
					.enable_all()
					.build()
					.map_err(|e| format!("cannot start the async runtime: {e}"))?;
				runtime.block_on(async move {
					let listener = tokio::net::TcpListener::bind(listen)
						.await
						.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
					let bound = listener.local_addr().map_err(|e| format!("{e}"))?;
					eprintln!(
						"icn-node agent: serving {count} chunks (proof root {root}) on http://{bound}"
					);
					tokio::select! {
						_ = server::serve(listener, state) => Ok(()),
						_ = tokio::signal::ctrl_c() => {
							eprintln!("icn-node agent: stopped");
							Ok(())
						},
					}
				})
			},
		}
	}
}
