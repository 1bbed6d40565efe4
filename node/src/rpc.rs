//! The node's RPC methods beyond Substrate's defaults: account nonces (`system_accountNextIndex`),
//! fee queries (`payment_*`), GRANDPA (`grandpa_roundState`, `grandpa_proveFinality`,
//! `grandpa_subscribeJustifications`) for explorers, bridges and light clients, and
//! `sync_state_genSyncSpec` (below). Everything else clients need comes from the runtime's
//! metadata and runtime APIs (`state_call`), so polkadot.js needs no custom type definitions.
//!
//! **`sync_state_genSyncSpec(raw)`**: Substrate's `sc-sync-state-rpc` serves it only for
//! BABE chains (it needs BABE's epoch changes); ICN runs Aura, so the node serves its own: the
//! running chain spec (`raw`: genesis as storage) with a `lightSyncState` of
//! `finalizedBlockHeader` and `grandpaAuthoritySet` (both SCALE, `0x` hex) at the finalized block
//! — the two fields an Aura + GRANDPA light client needs to start from a checkpoint instead of
//! genesis (Aura's authorities are in the state it reads at that block).

use std::sync::Arc;

use codec::Encode;
use icn_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use polkadot_sdk::{
	pallet_transaction_payment_rpc,
	sc_chain_spec::ChainSpec,
	sc_client_api::AuxStore,
	sc_consensus_grandpa::{
		FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
	},
	sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer},
	sc_rpc::SubscriptionTaskExecutor,
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	substrate_frame_rpc_system,
};

/// What the GRANDPA and sync-state RPCs need from the node.
pub struct GrandpaDeps<B> {
	/// The voter's state (rounds, votes).
	pub shared_voter_state: SharedVoterState,
	/// The authority set, as the voter keeps it.
	pub shared_authority_set: SharedAuthoritySet<icn_runtime::Hash, icn_runtime::BlockNumber>,
	/// New justifications, for subscribers.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Runs subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// Finality proofs from the backend.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// The chain spec the node runs (for `sync_state_genSyncSpec`).
	pub chain_spec: Box<dyn ChainSpec>,
	/// GRANDPA.
	pub grandpa: GrandpaDeps<B>,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	B: polkadot_sdk::sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: polkadot_sdk::sc_client_api::StateBackend<
		polkadot_sdk::sp_runtime::traits::HashingFor<Block>,
	>,
	C: ProvideRuntimeApi<Block> + AuxStore,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, chain_spec, grandpa } = deps;
	let GrandpaDeps {
		shared_voter_state,
		shared_authority_set,
		justification_stream,
		subscription_executor,
		finality_provider,
	} = grandpa;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(
		Grandpa::new(
			subscription_executor,
			shared_authority_set.clone(),
			shared_voter_state,
			justification_stream,
			finality_provider,
		)
		.into_rpc(),
	)?;
	module.merge(sync_state_module(chain_spec, client, shared_authority_set)?)?;

	Ok(module)
}

/// `sync_state_genSyncSpec(raw: bool)`: the chain spec with a light sync state at the finalized
/// block (module docs).
fn sync_state_module<C>(
	chain_spec: Box<dyn ChainSpec>,
	client: Arc<C>,
	authority_set: SharedAuthoritySet<icn_runtime::Hash, icn_runtime::BlockNumber>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: HeaderBackend<Block> + Send + Sync + 'static,
{
	let mut module = RpcModule::new(());
	module.register_method("sync_state_genSyncSpec", move |params, _, _| {
		let failed = |message: String| ErrorObjectOwned::owned(-32000, message, None::<()>);
		let raw: bool = params.one().unwrap_or(true);
		let finalized = client.info().finalized_hash;
		let header = client
			.header(finalized)
			.map_err(|e| failed(format!("cannot read the finalized header: {e}")))?
			.ok_or_else(|| failed("the finalized header is not in the database".into()))?;
		let spec = chain_spec.as_json(raw).map_err(failed)?;
		let mut spec: serde_json::Value = serde_json::from_str(&spec)
			.map_err(|e| failed(format!("the chain spec is not JSON: {e}")))?;
		let hex = |bytes: Vec<u8>| format!("0x{}", hex::encode(bytes));
		spec["lightSyncState"] = serde_json::json!({
			"finalizedBlockHeader": hex(header.encode()),
			"grandpaAuthoritySet": hex(authority_set.clone_inner().encode()),
		});
		Ok::<_, ErrorObjectOwned>(spec)
	})?;
	Ok(module)
}
