//! `icn-node --dev --tmp`: authors blocks, finalizes them, serves Prometheus metrics, and includes
//! a signed balance transfer submitted over RPC, with its `Transfer` event.

use std::{
	io::{Read, Write},
	net::TcpStream,
	time::Duration,
};

use codec::{Decode, Encode};
use icn_runtime::{Balance, BalancesCall, Hash, Nonce, RuntimeCall, RuntimeEvent, ICNT};
use polkadot_sdk::{
	frame_system, pallet_balances, sp_core::crypto::Ss58Codec, sp_crypto_hashing::twox_128,
	sp_keyring::Sr25519Keyring, sp_runtime::MultiAddress,
};
use serde_json::{json, Value};

use crate::support::{from_hex, header_number, to_hex, Node, NodeConfig, Rpc};

const TIMEOUT: Duration = Duration::from_secs(120);

/// `System.Events` at block `hash`, decoded with the runtime's own types.
pub(crate) fn events_at(rpc: &mut Rpc, hash: &Value) -> Vec<RuntimeEvent> {
	let key = [twox_128(b"System"), twox_128(b"Events")].concat();
	let raw = rpc.request("state_getStorage", json!([to_hex(&key), hash]));
	let bytes = from_hex(raw.as_str().unwrap_or_default());
	let records = Vec::<frame_system::EventRecord<RuntimeEvent, Hash>>::decode(&mut &bytes[..])
		.expect("events decode with the runtime's types");
	records.into_iter().map(|r| r.event).collect()
}

fn prometheus_metrics(port: u16) -> String {
	let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to Prometheus");
	stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
	write!(stream, "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").expect("send request");
	let mut body = String::new();
	let _ = stream.read_to_string(&mut body);
	body
}

/// Submits an encoded extrinsic and waits until it is in a block; returns that block's hash.
pub(crate) fn submit_and_wait(rpc: &mut Rpc, xt: &[u8]) -> Value {
	let watch = rpc.subscribe("author_submitAndWatchExtrinsic", json!([to_hex(xt)]));
	loop {
		let status = rpc.next_notification(&watch, TIMEOUT).expect("transaction status update");
		if let Some(hash) = status.get("inBlock") {
			break hash.clone();
		}
		assert!(
			status == json!("ready")
				|| status == json!("future")
				|| status.get("broadcast").is_some(),
			"transaction was not included: {status}"
		);
	}
}

#[test]
fn dev_node_authors_finalizes_and_includes_a_signed_transfer() {
	let node = Node::start(NodeConfig { name: "dev", args: vec!["--dev".into()], use_tmp: true });
	let mut rpc = node.rpc();

	// Blocks are imported and finalized: wait on the node's own header subscriptions.
	let new_heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	let finalized = rpc.subscribe("chain_subscribeFinalizedHeads", json!([]));
	let best = rpc.wait_for_header(&new_heads, 3, TIMEOUT);
	assert!(header_number(&best) >= 3);
	let final_header = rpc.wait_for_header(&finalized, 1, TIMEOUT);
	assert!(header_number(&final_header) >= 1);

	// Prometheus serves the node's metrics.
	let metrics = prometheus_metrics(node.prometheus_port);
	assert!(metrics.contains("substrate_block_height"), "no block height metric:\n{metrics}");

	// A signed transfer from Alice to Bob, submitted over RPC and watched until it is in a block.
	let genesis = rpc.genesis_hash();
	let alice = Sr25519Keyring::Alice;
	let bob = Sr25519Keyring::Bob.to_account_id();
	let nonce =
		rpc.request("system_accountNextIndex", json!([alice.to_account_id().to_ss58check()]));
	let nonce = Nonce::try_from(nonce.as_u64().unwrap_or_default()).expect("nonce fits");
	let amount: Balance = 7 * ICNT;
	let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
		dest: MultiAddress::Id(bob.clone()),
		value: amount,
	});
	let xt = icn_runtime::signing::sign_immortal(&alice.pair(), nonce, genesis, call);
	let block_hash = submit_and_wait(&mut rpc, &xt.encode());

	let events = events_at(&mut rpc, &block_hash);
	let expected = RuntimeEvent::Balances(pallet_balances::Event::Transfer {
		from: alice.to_account_id(),
		to: bob,
		amount,
	});
	assert!(events.contains(&expected), "no Transfer event in {block_hash}: {events:?}");

	// A second submission of the same transaction is rejected by the pool: nonce already used.
	let again = rpc.call("author_submitExtrinsic", json!([to_hex(&xt.encode())]));
	assert!(again.is_err(), "a replayed transaction was accepted");
}

/// An HP bonds collateral over RPC; the `CollateralApi` runtime API, called through `state_call`
/// as any client would, reports it; the dev preset's passports are in state.
#[test]
fn collateral_api_reports_a_bond_made_over_rpc() {
	use icn_primitives::collateral::{CollateralInfo, CoverageStatus};

	let node = Node::start(NodeConfig {
		name: "dev-collateral",
		args: vec!["--dev".into()],
		use_tmp: true,
	});
	let mut rpc = node.rpc();
	let new_heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	rpc.wait_for_header(&new_heads, 1, TIMEOUT);

	let genesis = rpc.genesis_hash();
	let alice = Sr25519Keyring::Alice;
	let api = |rpc: &mut Rpc, at: &Value| -> Option<CollateralInfo> {
		let raw = rpc.request(
			"state_call",
			json!(["CollateralApi_collateral_of", to_hex(&alice.to_account_id().encode()), at]),
		);
		Option::<CollateralInfo>::decode(&mut &from_hex(raw.as_str().unwrap_or_default())[..])
			.expect("CollateralApi answer decodes")
	};
	let best = rpc.request("chain_getBlockHash", json!([]));
	assert_eq!(api(&mut rpc, &best), None, "Alice has not bonded yet");

	let bond = 2_000 * ICNT;
	let call = RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond { amount: bond });
	let xt = icn_runtime::signing::sign_immortal(&alice.pair(), 0, genesis, call);
	let block_hash = submit_and_wait(&mut rpc, &xt.encode());

	let info = api(&mut rpc, &block_hash).expect("Alice is an HP now");
	assert_eq!(info.self_bond, bond);
	assert_eq!((info.pool_value, info.delegators, info.shortfall), (0, 0, 0));
	assert_eq!(info.status, CoverageStatus::Covered);
	let events = events_at(&mut rpc, &block_hash);
	let expected = RuntimeEvent::Collateral(pallet_collateral_delegation::Event::Bonded {
		hp: alice.to_account_id(),
		amount: bond,
	});
	assert!(events.contains(&expected), "no Bonded event: {events:?}");

	// Genesis gave Alice passport 0 (hardware provider): `Passports.Passports(0)` is in state.
	let key = [
		twox_128(b"Passports").as_slice(),
		twox_128(b"Passports").as_slice(),
		&polkadot_sdk::sp_crypto_hashing::twox_64(&0u32.encode()),
		&0u32.encode(),
	]
	.concat();
	let raw = rpc.request("state_getStorage", json!([to_hex(&key), block_hash]));
	let bytes = from_hex(raw.as_str().unwrap_or_default());
	let owner = polkadot_sdk::sp_runtime::AccountId32::decode(&mut &bytes[..]).expect("owner");
	assert_eq!(owner, alice.to_account_id());
}
