//! The SLA oracle end to end, with real processes: a dev chain whose only validator is also the
//! only oracle (its `icno` key inserted over RPC), and three hardware agents on loopback. Three
//! nodes register with the agents' real plots (SPEC §5.8); the oracle's off-chain worker
//! challenges them over HTTP every round (5 blocks on the dev chain; eras of 20 blocks).
//!
//! * The two honest nodes go `Pending → Active` after the first round.
//! * The third agent serves wrong chunks: its node's challenges fail with `BadProof` and it never
//!   becomes `Active`.
//! * One honest agent is stopped: its node becomes `Faulty` within a round, `Slashing` after the
//!   grace era with `Slashed` events and the HP's bond falling, while the other stays `Active`.
//! * The agent is restarted on the same port and data: the anomaly closes (`Active` again).

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use codec::{Decode, Encode};
use icn_primitives::{
	market::{NodeInfo, NodeStatus},
	oracle::{FailReason, OracleKey, OracleSignature, Outcome},
	HardwareClass, NodeId, ICNT,
};
use icn_runtime::{AccountId, RuntimeCall, RuntimeEvent, UncheckedExtrinsic};
use polkadot_sdk::{sp_core::Pair, sp_keyring::Sr25519Keyring, sp_runtime::MultiAddress};
use serde_json::json;

use crate::{
	dev_chain::{events_at, submit_and_wait},
	support::{agent_init, free_port, from_hex, to_hex, Agent, Node, NodeConfig, Rpc},
};

/// What the test has seen on chain so far, block by block.
#[derive(Default)]
pub(crate) struct Seen {
	pub(crate) events: Vec<pallet_sla_oracle::Event<icn_runtime::Runtime>>,
	pub(crate) outcomes: BTreeMap<NodeId, Vec<Outcome>>,
	last: u64,
}

impl Seen {
	/// Reads the events and report extrinsics of every block up to the best one.
	fn catch_up(&mut self, rpc: &mut Rpc) {
		let best = rpc.request("chain_getHeader", json!([]));
		let best = crate::support::header_number(&best);
		while self.last < best {
			self.last += 1;
			let hash = rpc.request("chain_getBlockHash", json!([self.last]));
			for event in events_at(rpc, &hash) {
				if let RuntimeEvent::SlaOracle(e) = event {
					self.events.push(e);
				}
			}
			let block = rpc.request("chain_getBlock", json!([hash]));
			let extrinsics = block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
			for xt in extrinsics {
				let bytes = from_hex(xt.as_str().unwrap_or_default());
				let Ok(xt) = UncheckedExtrinsic::decode(&mut &bytes[..]) else { continue };
				if let RuntimeCall::SlaOracle(pallet_sla_oracle::Call::submit_reports {
					report,
					..
				}) = xt.function
				{
					for (node, outcome) in report.outcomes {
						self.outcomes.entry(node).or_default().push(outcome);
					}
				}
			}
		}
	}
}

fn node_info(rpc: &mut Rpc, node: NodeId) -> Option<NodeInfo<AccountId>> {
	let raw = rpc.request("state_call", json!(["CapacityMarketApi_node", to_hex(&node.encode())]));
	Option::<NodeInfo<AccountId>>::decode(&mut &from_hex(raw.as_str().unwrap_or_default())[..])
		.expect("CapacityMarketApi answer decodes")
}

pub(crate) fn status(rpc: &mut Rpc, node: NodeId) -> NodeStatus {
	node_info(rpc, node).map(|n| n.status).unwrap_or(NodeStatus::Retired)
}

fn self_bond(rpc: &mut Rpc, hp: &AccountId) -> u128 {
	let raw =
		rpc.request("state_call", json!(["CollateralApi_collateral_of", to_hex(&hp.encode())]));
	Option::<icn_primitives::collateral::CollateralInfo>::decode(
		&mut &from_hex(raw.as_str().unwrap_or_default())[..],
	)
	.expect("CollateralApi answer decodes")
	.map(|info| info.self_bond)
	.unwrap_or_default()
}

/// Waits (following new blocks) until `done` holds.
pub(crate) fn wait_until(
	rpc: &mut Rpc,
	seen: &mut Seen,
	what: &str,
	timeout: Duration,
	mut done: impl FnMut(&mut Rpc, &Seen) -> bool,
) {
	let deadline = Instant::now() + timeout;
	loop {
		seen.catch_up(rpc);
		if done(rpc, seen) {
			return;
		}
		assert!(
			Instant::now() < deadline,
			"not within {timeout:?}: {what}; seen {:?}",
			seen.events
		);
		std::thread::sleep(Duration::from_secs(2));
	}
}

#[test]
fn oracle_activates_faults_slashes_and_recovers_nodes_over_real_http() {
	// Three agents: two honest, one serving corrupted chunks.
	let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("tmp")).collect();
	// Nodes 0, 1, 2 on Alice's passports 0, 2, 3: each agent holds that passport's plot.
	let alice_bytes: [u8; 32] = Sr25519Keyring::Alice.to_account_id().into();
	let plots: Vec<_> = dirs
		.iter()
		.zip([0u32, 2, 3])
		.map(|(d, passport)| agent_init(d.path(), &alice_bytes, passport, 256))
		.collect();
	let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
	let listen = |i: usize| format!("127.0.0.1:{}", ports[i]);
	let mut agents: Vec<Option<Agent>> = vec![
		Some(Agent::start(dirs[0].path(), &listen(0), &[])),
		Some(Agent::start(dirs[1].path(), &listen(1), &[])),
		Some(Agent::start(dirs[2].path(), &listen(2), &["--serve-corrupt-chunks"])),
	];

	let node = Node::start(NodeConfig {
		name: "dev-oracle",
		args: vec!["--dev".into(), "--log".into(), "runtime::sla=debug".into()],
		use_tmp: true,
	});
	let mut rpc = node.rpc();
	let heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
	let genesis = rpc.genesis_hash();

	// Alice is the validator, the oracle (passport 1) and the HP of all three nodes.
	let alice = Sr25519Keyring::Alice;
	let alice_id = alice.to_account_id();
	let key = OracleKey::from(alice.public());
	rpc.request("author_insertKey", json!(["icno", "//Alice", to_hex(alice.public().as_ref())]));
	let proof = OracleSignature::from(
		alice.pair().sign(&(pallet_sla_oracle::POSSESSION_CONTEXT, &alice_id).encode()),
	);
	let mut nonce = 0;
	let mut send = |rpc: &mut Rpc, call: RuntimeCall| {
		let xt = icn_runtime::signing::sign_immortal(&alice.pair(), nonce, genesis, call);
		nonce += 1;
		let hash = submit_and_wait(rpc, &xt.encode());
		let failed = events_at(rpc, &hash).into_iter().find(|e| {
			matches!(
				e,
				RuntimeEvent::System(polkadot_sdk::frame_system::Event::ExtrinsicFailed { .. })
			)
		});
		assert!(failed.is_none(), "a setup extrinsic failed: {failed:?}");
	};
	send(
		&mut rpc,
		RuntimeCall::SlaOracle(pallet_sla_oracle::Call::register_oracle {
			passport: 1,
			key,
			proof,
		}),
	);
	send(
		&mut rpc,
		RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond {
			amount: 100_000 * ICNT,
		}),
	);
	for _ in 0..2 {
		let mint = RuntimeCall::Passports(pallet_passports::Call::mint {
			owner: MultiAddress::Id(alice_id.clone()),
			kind: icn_primitives::passport::PassportKind::HardwareProvider,
			metadata: b"e2e".to_vec().try_into().expect("short metadata"),
		});
		send(
			&mut rpc,
			RuntimeCall::Sudo(polkadot_sdk::pallet_sudo::Call::sudo { call: Box::new(mint) }),
		);
	}
	// Nodes 0, 1, 2 on passports 0, 2, 3, each in front of its agent.
	for (i, passport) in [0u32, 2, 3].into_iter().enumerate() {
		send(
			&mut rpc,
			RuntimeCall::CapacityMarket(pallet_capacity_market::Call::register_node {
				passport,
				cluster: 0,
				class: HardwareClass::Storage,
				capacity: 16,
				price: icn_primitives::MILLI_ICNT,
				commitment_eras: 30,
				endpoint: format!("http://{}", listen(i)).into_bytes(),
				proof_root: plots[i].proof_root,
				plot: plots[i].plot,
			}),
		);
	}
	let mut seen = Seen::default();
	let round = Duration::from_secs(5 * 6 + 30);

	// The first rounds after the oracle joined: both honest nodes pass and become Active.
	wait_until(&mut rpc, &mut seen, "nodes 0 and 1 Active", 3 * round, |rpc, _| {
		status(rpc, 0) == NodeStatus::Active && status(rpc, 1) == NodeStatus::Active
	});
	// The lying agent's node fails with BadProof and is not activated.
	wait_until(&mut rpc, &mut seen, "a BadProof outcome for node 2", round, |_, seen| {
		seen.outcomes
			.get(&2)
			.is_some_and(|o| o.contains(&Outcome::Fail(FailReason::BadProof)))
	});
	assert_eq!(status(&mut rpc, 2), NodeStatus::Pending);
	assert!(seen.outcomes[&0].iter().all(|o| o.passed()));

	// Stop agent 1: within a round its node is Faulty; node 0 stays Active.
	agents[1] = None;
	wait_until(&mut rpc, &mut seen, "node 1 Faulty", 2 * round, |rpc, _| {
		status(rpc, 1) == NodeStatus::Faulty
	});
	assert!(seen
		.events
		.iter()
		.any(|e| matches!(e, pallet_sla_oracle::Event::AnomalyOpened { node: 1, .. })));
	let bond_before = self_bond(&mut rpc, &alice_id);

	// After the grace era it is Slashing, with Slashed events, and the HP's bond falls.
	let era = Duration::from_secs(20 * 6);
	wait_until(&mut rpc, &mut seen, "node 1 slashed", 2 * era + 2 * round, |_, seen| {
		seen.events
			.iter()
			.any(|e| matches!(e, pallet_sla_oracle::Event::Slashed { node: 1, .. }))
	});
	assert_eq!(status(&mut rpc, 1), NodeStatus::Slashing);
	assert!(self_bond(&mut rpc, &alice_id) < bond_before, "the bond fell");
	assert_eq!(status(&mut rpc, 0), NodeStatus::Active);
	let failures: Vec<&Outcome> = seen.outcomes[&1].iter().filter(|o| !o.passed()).collect();
	assert!(
		failures.iter().all(|o| matches!(
			o,
			Outcome::Fail(FailReason::Unreachable | FailReason::Timeout | FailReason::HttpError(_))
		)),
		"a stopped agent is unreachable: {failures:?}"
	);

	// Restart it on the same port and data: after `RecoveryRounds` passed rounds in a row the
	// anomaly closes (SPEC §5.5), the passes before that only counted.
	agents[1] = Some(Agent::start(dirs[1].path(), &listen(1), &[]));
	let recovery = icn_runtime::configs::RecoveryRounds::get();
	wait_until(&mut rpc, &mut seen, "node 1 Active again", (recovery + 1) * round, |rpc, _| {
		status(rpc, 1) == NodeStatus::Active
	});
	assert!(seen
		.events
		.iter()
		.any(|e| matches!(e, pallet_sla_oracle::Event::Recovering { node: 1, passes: 1 })));
	assert!(seen
		.events
		.iter()
		.any(|e| matches!(e, pallet_sla_oracle::Event::AnomalyClosed { node: 1 })));
	drop(agents);
}
