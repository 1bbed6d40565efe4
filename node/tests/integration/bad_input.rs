//! Bad input through the node's doors: on the command line the node exits non-zero with one
//! clear line; over RPC malformed, badly signed, too large and oversized extrinsics are refused
//! with an error, change nothing, and the node keeps producing blocks.

use std::{net::TcpStream, time::Duration};

use codec::Encode;
use icn_runtime::RuntimeCall;
use polkadot_sdk::{frame_system, sp_core::crypto::Ss58Codec, sp_keyring::Sr25519Keyring};
use serde_json::{json, Value};

use crate::support::{header_number, run_node_command, to_hex, Node, NodeConfig};

fn assert_one_line_error(stderr: &str, expected: &str) {
	let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
	assert_eq!(lines.len(), 1, "expected exactly one line on stderr, got:\n{stderr}");
	assert!(lines[0].starts_with("Error: "), "{stderr}");
	assert!(lines[0].contains(expected), "expected {expected:?} in {stderr:?}");
}

#[test]
fn unknown_chain_name_exits_non_zero_with_one_clear_line() {
	let (status, _, stderr) =
		run_node_command(&["--chain", "no-such-chain", "--tmp", "--rpc-port", "0"]);
	assert!(!status.success());
	assert_eq!(status.code(), Some(1));
	assert_one_line_error(&stderr, "unknown chain `no-such-chain`");
}

#[test]
fn malformed_chain_spec_file_exits_non_zero_with_one_clear_line() {
	let dir = tempfile::tempdir().expect("temp dir");
	let spec = dir.path().join("broken-spec.json");
	std::fs::write(&spec, "{ \"name\": \"ICN\", \"id\": 7, \"genesis\": ").expect("write spec");
	let spec = spec.display().to_string();

	let (status, _, stderr) = run_node_command(&["--chain", &spec, "--tmp", "--rpc-port", "0"]);
	assert!(!status.success());
	assert_one_line_error(&stderr, &format!("invalid chain spec file `{spec}`"));

	// The same file given to a subcommand fails the same way.
	let (status, _, stderr) = run_node_command(&["export-chain-spec", "--chain", &spec]);
	assert!(!status.success());
	assert_one_line_error(&stderr, "invalid chain spec file");
}

#[test]
fn rpc_refuses_malformed_badly_signed_and_oversized_extrinsics_and_changes_nothing() {
	let node =
		Node::start(NodeConfig { name: "dev-bad-rpc", args: vec!["--dev".into()], use_tmp: true });
	let mut rpc = node.rpc();
	let heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
	let genesis = rpc.genesis_hash();
	let alice = Sr25519Keyring::Alice;
	let nonce_of = |rpc: &mut crate::support::Rpc| {
		rpc.request("system_accountNextIndex", json!([alice.to_account_id().to_ss58check()]))
	};
	let nonce_before = nonce_of(&mut rpc);

	let transfer =
		RuntimeCall::Balances(polkadot_sdk::pallet_balances::Call::transfer_keep_alive {
			dest: Sr25519Keyring::Bob.to_account_id().into(),
			value: 1,
		});
	let valid = icn_runtime::signing::sign_immortal(&alice.pair(), 0, genesis, transfer).encode();
	// The signature sits after the compact length, version byte and address (1 + 1 + 1 + 32
	// bytes; sr25519 signatures are 64 bytes after their 1-byte variant).
	let mut bad_signature = valid.clone();
	bad_signature[40] ^= 0xff;
	let truncated = valid[..valid.len() - 1].to_vec();
	let garbage: Vec<u8> = (0..1_000u32).map(|i| (i.wrapping_mul(31) % 251) as u8).collect();
	// Well formed and signed, but larger than a block: 6 MiB remark.
	let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![7; 6 << 20] });
	let too_big = icn_runtime::signing::sign_immortal(&alice.pair(), 0, genesis, remark).encode();
	let cases: [(&str, Vec<u8>); 6] = [
		("empty", vec![]),
		("one byte", vec![0]),
		("garbage", garbage),
		("truncated", truncated),
		("bad signature", bad_signature),
		("larger than a block", too_big),
	];
	for (what, bytes) in &cases {
		let answer = rpc.call("author_submitExtrinsic", json!([to_hex(bytes)]));
		let error = answer.expect_err(&format!("{what}: accepted"));
		let message = error.to_string();
		assert!(!message.is_empty(), "{what}: an error without a message");
		eprintln!("{what}: {message}");
	}
	// Not hex at all, and a number where bytes belong: JSON-RPC errors, not a crash.
	assert!(rpc.call("author_submitExtrinsic", json!(["0xzz"])).is_err());
	assert!(rpc.call("author_submitExtrinsic", json!([42])).is_err());

	// Over the RPC server's request limit (15 MiB by default): refused with an error or the
	// connection closed, never accepted.
	let stream = TcpStream::connect(("127.0.0.1", node.rpc_port)).expect("connect");
	let url = format!("ws://127.0.0.1:{}", node.rpc_port);
	let (mut socket, _) = tungstenite::client(url.as_str(), stream).expect("handshake");
	let huge = to_hex(&vec![1u8; 9 << 20]);
	let request = json!({ "jsonrpc": "2.0", "id": 1, "method": "author_submitExtrinsic",
		"params": [huge] });
	let sent = socket.send(tungstenite::Message::text(request.to_string()));
	if sent.is_ok() {
		let _ = socket.get_mut().set_read_timeout(Some(Duration::from_secs(30)));
		match socket.read() {
			Ok(tungstenite::Message::Text(text)) => {
				let answer: Value = serde_json::from_str(text.as_str()).expect("JSON answer");
				assert!(answer.get("error").is_some(), "an oversized request was accepted");
			},
			// Closed by the server: refused.
			Ok(_) | Err(_) => {},
		}
	}

	// Nothing changed: Alice's nonce, the pool; and the chain goes on.
	assert_eq!(nonce_of(&mut rpc), nonce_before);
	let pending = rpc.request("author_pendingExtrinsics", json!([]));
	assert_eq!(pending, json!([]), "something reached the pool");
	let best = rpc.request("chain_getHeader", json!([]));
	rpc.wait_for_header(&heads, header_number(&best) + 2, Duration::from_secs(60));
}
