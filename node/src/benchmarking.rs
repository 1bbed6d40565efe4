//! What `icn-node benchmark overhead` and `benchmark extrinsic` need from the node: builders of
//! real signed transactions for this runtime (`System.remark`, `Balances.transfer_keep_alive`)
//! and the inherent data of a benchmark block. Only in `runtime-benchmarks` builds.

use std::sync::Arc;

use codec::Encode;
use icn_runtime::{AccountId, Balance, BalancesCall, RuntimeCall, SystemCall};
use polkadot_sdk::{
	frame_benchmarking_cli::ExtrinsicBuilder,
	sc_cli,
	sc_client_api::HeaderBackend,
	sp_inherents::{InherentData, InherentDataProvider},
	sp_keyring::Sr25519Keyring,
	sp_runtime::{MultiAddress, OpaqueExtrinsic},
};

use crate::service::FullClient;

/// Signs `call` from Bob (endowed on dev chains) with `nonce`, for the chain of `client`.
fn signed(
	client: &FullClient,
	call: RuntimeCall,
	nonce: u32,
) -> Result<OpaqueExtrinsic, &'static str> {
	let genesis = client.hash(0).ok().flatten().ok_or("the chain has no genesis block")?;
	let xt = icn_runtime::signing::sign_immortal(&Sr25519Keyring::Bob.pair(), nonce, genesis, call);
	// `OpaqueExtrinsic` is the SCALE encoding of the extrinsic.
	codec::Decode::decode(&mut &xt.encode()[..]).map_err(|_| "the extrinsic does not re-decode")
}

/// `System.remark` with an empty remark: the cheapest signed transaction, so its cost is the
/// per-extrinsic base cost `benchmark overhead` measures.
pub struct RemarkBuilder {
	client: Arc<FullClient>,
}

impl RemarkBuilder {
	pub fn new(client: Arc<FullClient>) -> Self {
		Self { client }
	}
}

impl ExtrinsicBuilder for RemarkBuilder {
	fn pallet(&self) -> &str {
		"system"
	}

	fn extrinsic(&self) -> &str {
		"remark"
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		signed(&self.client, RuntimeCall::System(SystemCall::remark { remark: vec![] }), nonce)
	}
}

/// `Balances.transfer_keep_alive` of `value` to `dest`.
pub struct TransferKeepAliveBuilder {
	client: Arc<FullClient>,
	dest: AccountId,
	value: Balance,
}

impl TransferKeepAliveBuilder {
	pub fn new(client: Arc<FullClient>, dest: AccountId, value: Balance) -> Self {
		Self { client, dest, value }
	}
}

impl ExtrinsicBuilder for TransferKeepAliveBuilder {
	fn pallet(&self) -> &str {
		"balances"
	}

	fn extrinsic(&self) -> &str {
		"transfer_keep_alive"
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(self.dest.clone()),
			value: self.value,
		});
		signed(&self.client, call, nonce)
	}
}

/// The inherent data of a benchmark block: the timestamp at 0, so that its slot equals the
/// genesis slot Aura starts from (no slot digest is needed).
pub fn inherent_benchmark_data() -> sc_cli::Result<InherentData> {
	let mut inherent_data = InherentData::new();
	let timestamp = polkadot_sdk::sp_timestamp::InherentDataProvider::new(0.into());
	futures::executor::block_on(timestamp.provide_inherent_data(&mut inherent_data))
		.map_err(|e| format!("creating the timestamp inherent: {e:?}"))?;
	Ok(inherent_data)
}
