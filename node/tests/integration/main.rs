//! End-to-end tests of the real `icn-node` binary: a dev chain that authors, finalizes and includes
//! a signed transfer; validators of the local chain peering over loopback and agreeing on finality;
//! the committed chain spec; bad input; and a runtime upgrade on a running chain.
//!
//! One test binary (modules below) so the release build links it once.

mod support;

mod agent;
mod bad_input;
mod chain_spec;
mod cheaters;
mod cli;
mod dev_chain;
mod local_validators;
mod operators;
mod oracle;
mod polkadot_js;
mod upgrade;
mod web;
