//! `icn-node`: a full node or validator of ICN Chain (Aura + GRANDPA, ParityDB, off-chain workers).

mod agent;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod hardware;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		// One line an operator can act on, not a debug dump of the error's structure.
		eprintln!("Error: {}", chain_spec::one_line(&error.to_string()));
		std::process::exit(1);
	}
}
