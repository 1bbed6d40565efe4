//! A runtime upgrade on a running chain: `sudo(system.set_code)` on a dev node to this runtime
//! built with `spec_version` + 1 (`icn_runtime::next_spec_version`, compiled by the runtime's
//! build script). The chain must take it, keep authoring and finalizing, keep the protocol
//! pallets' state byte for byte, and accept transactions signed for the new version.

use std::{collections::BTreeMap, time::Duration};

use codec::Encode;
use icn_runtime::{Hash, RuntimeCall, RuntimeEvent, SignedPayload, UncheckedExtrinsic, ICNT};
use polkadot_sdk::{
	frame_system, pallet_sudo, sp_core::Pair, sp_crypto_hashing::twox_128,
	sp_keyring::Sr25519Keyring, sp_runtime::MultiAddress,
};
use serde_json::{json, Value};

use crate::{
	dev_chain::{events_at, submit_and_wait},
	support::{header_number, storage_pairs, to_hex, Node, NodeConfig, Rpc},
};

const TIMEOUT: Duration = Duration::from_secs(120);

/// The `spec_version` of the runtime the dev chain starts with; the upgrade runs `SPEC + 1`.
const SPEC: u32 = icn_runtime::VERSION.spec_version;

/// The runtime spec version the node reports at `at`.
fn spec_version(rpc: &mut Rpc, at: &Value) -> u64 {
	let version = rpc.request("state_getRuntimeVersion", json!([at]));
	version["specVersion"].as_u64().unwrap_or_default()
}

/// Every key and value under the storage prefixes of `pallets` at block `at`.
fn pallet_state(rpc: &mut Rpc, pallets: &[&str], at: &Value) -> BTreeMap<String, String> {
	let mut state = BTreeMap::new();
	for pallet in pallets {
		state.extend(storage_pairs(rpc, &to_hex(&twox_128(pallet.as_bytes())), at));
	}
	state
}

/// `call` signed by `signer` for the runtime with `spec_version` (the helpers in
/// `icn_runtime::signing` sign for the version compiled into this test, [`SPEC`]).
fn sign_for(
	signer: Sr25519Keyring,
	nonce: u32,
	genesis: Hash,
	spec_version: u32,
	call: RuntimeCall,
) -> UncheckedExtrinsic {
	let extensions = icn_runtime::signing::immortal_extensions(nonce, 0);
	let mut implicit = icn_runtime::signing::immortal_implicit(genesis);
	implicit.2 = spec_version;
	let payload = SignedPayload::from_raw(call.clone(), extensions.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.pair().sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(signer.to_account_id()),
		signature.into(),
		extensions,
	)
}

#[test]
fn set_code_upgrades_a_running_dev_chain_which_keeps_finalizing_with_its_state() {
	let wasm = icn_runtime::next_spec_version::WASM_BINARY
		.expect("the runtime's build script compiles the next-spec-version wasm");
	let node =
		Node::start(NodeConfig { name: "dev-upgrade", args: vec!["--dev".into()], use_tmp: true });
	let mut rpc = node.rpc();
	let new_heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	let finalized = rpc.subscribe("chain_subscribeFinalizedHeads", json!([]));
	rpc.wait_for_header(&new_heads, 1, TIMEOUT);
	let genesis = rpc.genesis_hash();
	let alice = Sr25519Keyring::Alice;

	// Protocol state to carry across the upgrade: Alice bonds and registers as an oracle-less HP.
	let bond =
		RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond { amount: 3_000 * ICNT });
	submit_and_wait(&mut rpc, &sign_for(alice, 0, genesis, SPEC, bond).encode());
	let before_upgrade = rpc.request("chain_getBlockHash", json!([]));
	assert_eq!(spec_version(&mut rpc, &before_upgrade), u64::from(SPEC));
	let pallets = ["Passports", "Collateral", "CapacityMarket"];
	let state_before = pallet_state(&mut rpc, &pallets, &before_upgrade);
	assert!(
		state_before.len() > 10,
		"the dev preset's protocol state is in storage: {state_before:?}"
	);

	// The upgrade, as governance (sudo on dev chains) applies it.
	let set_code = RuntimeCall::System(frame_system::Call::set_code { code: wasm.to_vec() });
	let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(set_code) });
	let upgrade_block =
		submit_and_wait(&mut rpc, &sign_for(alice, 1, genesis, SPEC, sudo).encode());
	let events = events_at(&mut rpc, &upgrade_block);
	assert!(
		events
			.iter()
			.any(|e| matches!(e, RuntimeEvent::System(frame_system::Event::CodeUpdated { .. }))),
		"no CodeUpdated in the upgrade block: {events:?}"
	);
	assert!(
		events.contains(&RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Ok(()) })),
		"sudo(set_code) failed: {events:?}"
	);
	let upgrade_header = rpc.request("chain_getHeader", json!([upgrade_block]));
	let upgraded_at = header_number(&upgrade_header);

	// The chain keeps authoring on the new runtime, and GRANDPA keeps finalizing past it.
	let best = rpc.wait_for_header(&new_heads, upgraded_at + 3, TIMEOUT);
	let best_hash = rpc.request("chain_getBlockHash", json!([header_number(&best)]));
	assert_eq!(spec_version(&mut rpc, &best_hash), u64::from(SPEC) + 1, "the new runtime runs");
	assert_eq!(
		spec_version(&mut rpc, &before_upgrade),
		u64::from(SPEC),
		"old blocks keep the old one"
	);
	rpc.wait_for_header(&finalized, upgraded_at + 2, TIMEOUT);

	// The protocol pallets' storage is byte for byte what it was (no migration was due: every
	// pallet is at its on-chain storage version).
	let state_after = pallet_state(&mut rpc, &pallets, &best_hash);
	assert_eq!(state_after, state_before, "protocol state changed across the upgrade");

	// Transactions signed for the new version go in; one signed for the old one is refused.
	let stale = sign_for(
		alice,
		2,
		genesis,
		SPEC,
		RuntimeCall::System(frame_system::Call::remark { remark: b"old".to_vec() }),
	);
	let refused = rpc.call("author_submitExtrinsic", json!([to_hex(&stale.encode())]));
	assert!(refused.is_err(), "a transaction for the old spec was accepted after the upgrade");
	let delegate = RuntimeCall::Collateral(pallet_collateral_delegation::Call::delegate {
		hp: alice.to_account_id(),
		amount: 500 * ICNT,
	});
	let bob = Sr25519Keyring::Bob;
	let in_block =
		submit_and_wait(&mut rpc, &sign_for(bob, 0, genesis, SPEC + 1, delegate).encode());
	let events = events_at(&mut rpc, &in_block);
	assert!(
		events.iter().any(|e| matches!(
			e,
			RuntimeEvent::Collateral(pallet_collateral_delegation::Event::Delegated { .. })
		)),
		"Bob's delegation under the new runtime: {events:?}"
	);
}
