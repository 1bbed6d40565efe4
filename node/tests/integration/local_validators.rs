//! Validators of the `local` chain as separate processes with separate base paths, peered over
//! loopback: Alice and Bob author blocks for each other and agree on the same finalized block.
//!
//! The local chain has four GRANDPA authorities (Alice, Bob, Charlie, Dave), and GRANDPA needs
//! more than two thirds of them — three — to finalize. So Charlie runs too: with Alice and Bob
//! alone, nothing past genesis could ever be finalized.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{from_hex, header_number, Node, NodeConfig};

const TIMEOUT: Duration = Duration::from_secs(180);

/// A validator with dev session keys (`--alice`, ...) and a fixed libp2p key: validators of a
/// non-dev chain must not start with a throw-away network identity.
fn validator(name: &str, key: &str, node_key: u8, bootnode: Option<&str>) -> Node {
	let mut args = vec![
		"--chain".to_string(),
		"local".to_string(),
		format!("--{key}"),
		"--node-key".to_string(),
		format!("{:064x}", node_key),
	];
	if let Some(addr) = bootnode {
		args.push("--bootnodes".into());
		args.push(addr.into());
	}
	Node::start(NodeConfig { name, args, use_tmp: false })
}

#[test]
fn alice_and_bob_peer_and_import_the_same_finalized_block() {
	let alice = validator("alice", "alice", 1, None);
	let alice_addr = alice.multiaddr();
	let bob = validator("bob", "bob", 2, Some(&alice_addr));
	let charlie = validator("charlie", "charlie", 3, Some(&alice_addr));

	let mut alice_rpc = alice.rpc();
	let mut bob_rpc = bob.rpc();
	let _charlie_rpc = charlie.rpc();

	// Wait until Bob finalizes a block past genesis, then check Alice finalized the same one.
	let bob_finalized = bob_rpc.subscribe("chain_subscribeFinalizedHeads", json!([]));
	let header = bob_rpc.wait_for_header(&bob_finalized, 6, TIMEOUT);
	let number = header_number(&header);
	let bob_hash = bob_rpc.request("chain_getBlockHash", json!([number]));

	let alice_finalized = alice_rpc.subscribe("chain_subscribeFinalizedHeads", json!([]));
	alice_rpc.wait_for_header(&alice_finalized, number, TIMEOUT);
	let alice_hash = alice_rpc.request("chain_getBlockHash", json!([number]));
	assert_eq!(alice_hash, bob_hash, "Alice and Bob finalized different blocks at #{number}");
	assert_ne!(bob_hash, Value::Null);

	// Both authored: the chain has blocks from more than one validator, and both see peers.
	let peers = |rpc: &mut crate::support::Rpc| {
		rpc.request("system_health", json!([]))["peers"].as_u64().unwrap_or_default()
	};
	assert!(peers(&mut alice_rpc) >= 2, "Alice should see Bob and Charlie");
	assert!(peers(&mut bob_rpc) >= 1, "Bob should see Alice");
	// Aura rotates authorship by slot: the author of a block is authority `slot % 4` (Alice 0,
	// Bob 1, Charlie 2, Dave 3). Among the finalized blocks, Alice and Bob each authored some.
	let authors: std::collections::BTreeSet<u64> = (1..=number)
		.map(|n| {
			let hash = bob_rpc.request("chain_getBlockHash", json!([n]));
			let header = bob_rpc.request("chain_getHeader", json!([hash]));
			aura_slot(&header) % 4
		})
		.collect();
	assert!(authors.contains(&0) && authors.contains(&1), "authors by index: {authors:?}");

	// Validators of a non-development chain measure their machine at start and print it
	// (docs/operations.md#reference-hardware); the scores were logged before the first block.
	for line in ["🏁 CPU single core score", "🏁 Memory score", "🏁 Disk score (seq. writes)"]
	{
		assert_eq!(alice.logged(line).len(), 1, "{line:?} once in Alice's log");
	}
}

/// The Aura slot of a header, from its pre-runtime digest: `0x06 ++ "aura" ++ 0x20 ++ slot (u64 LE)`.
fn aura_slot(header: &Value) -> u64 {
	let logs = header["digest"]["logs"].as_array().cloned().unwrap_or_default();
	logs.iter()
		.filter_map(|log| log.as_str().map(from_hex))
		.find(|bytes| bytes.get(..6) == Some(&[6, b'a', b'u', b'r', b'a', 0x20][..]))
		.and_then(|bytes| bytes.get(6..14).and_then(|slot| slot.try_into().ok()))
		.map(u64::from_le_bytes)
		.unwrap_or_else(|| panic!("no Aura pre-runtime digest in {header}"))
}
