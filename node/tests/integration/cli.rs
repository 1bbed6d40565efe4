//! The `icn` CLI binary against a real dev node: the HP, oracle, SP and delegator flow end to
//! end, every step a process run of `icn` (`--json` output parsed), and bad input through every
//! door — each a one-line error with the right exit code, never a panic, and no state change.
//!
//! Alice is the validator, the oracle (passport 1, her `icno` key inserted over RPC) and the HP
//! (passport 0) of one storage node in front of a real agent; her oracle's off-chain worker
//! activates the node; Bob leases from it; Charlie delegates to Alice.

use std::{
	path::PathBuf,
	process::Command,
	time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::support::{
	agent_init, free_port, node_binary, storage_pairs, to_hex, Agent, Node, NodeConfig, Rpc,
};

/// The `icn` binary of the same build (a workspace binary next to `icn-node`).
fn icn_binary() -> PathBuf {
	node_binary().with_file_name("icn")
}

struct Icn {
	url: String,
}

struct Run {
	code: i32,
	stdout: String,
	stderr: String,
}

impl Icn {
	fn run(&self, args: &[&str]) -> Run {
		let output = Command::new(icn_binary())
			.arg("--url")
			.arg(&self.url)
			.args(args)
			.output()
			.expect("icn runs");
		Run {
			code: output.status.code().unwrap_or(-1),
			stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
			stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
		}
	}

	/// Runs with `--json`, expects success, and parses every stdout line.
	fn ok(&self, args: &[&str]) -> Vec<Value> {
		let mut all = vec!["--json"];
		all.extend_from_slice(args);
		let run = self.run(&all);
		assert_eq!(run.code, 0, "icn {args:?} failed: {}{}", run.stdout, run.stderr);
		run.stdout
			.lines()
			.map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
			.collect()
	}

	/// Runs a transaction and returns its events' `Pallet.Event` names.
	fn tx(&self, args: &[&str]) -> Vec<String> {
		let out = self.ok(args);
		let events = out[0]["events"].as_array().cloned().unwrap_or_default();
		events
			.iter()
			.map(|e| {
				format!(
					"{}.{}",
					e["pallet"].as_str().unwrap_or(""),
					e["event"].as_str().unwrap_or("")
				)
			})
			.collect()
	}

	/// Expects failure with `code`: stderr one `error: …` line containing `needle`.
	fn fails(&self, args: &[&str], code: i32, needle: &str) {
		let run = self.run(args);
		assert_eq!(run.code, code, "icn {args:?}: {}{}", run.stdout, run.stderr);
		assert!(!run.stderr.contains("panicked"), "icn {args:?} panicked: {}", run.stderr);
		assert!(run.stderr.contains(needle), "icn {args:?}: {:?} lacks {needle:?}", run.stderr);
		if code != 2 {
			// Argument errors are clap's usage text; every other error is one `error:` line,
			// the last (progress lines `… in block …` may precede it).
			let errors: Vec<&str> =
				run.stderr.lines().filter(|l| l.starts_with("error:")).collect();
			assert_eq!(errors.len(), 1, "one error line: {:?}", run.stderr);
			assert_eq!(run.stderr.trim().lines().last(), Some(errors[0]), "{:?}", run.stderr);
			assert!(run.stdout.is_empty(), "nothing on stdout: {:?}", run.stdout);
		}
	}
}

fn strs(v: &[String]) -> Vec<&str> {
	v.iter().map(String::as_str).collect()
}

fn has(events: &[String], name: &str) -> bool {
	events.iter().any(|e| e == name)
}

/// A running node (started with `args`) whose keystore holds Alice's oracle key, and an agent
/// with fresh challenge data.
struct Setup {
	_dir: tempfile::TempDir,
	plot: crate::support::PlotRegistration,
	agent: Agent,
	node: Node,
	icn: Icn,
}

impl Setup {
	fn start(name: &str, args: Vec<String>) -> Setup {
		let dir = tempfile::tempdir().expect("tmp");
		let alice: [u8; 32] =
			polkadot_sdk::sp_keyring::Sr25519Keyring::Alice.to_account_id().into();
		let plot = agent_init(dir.path(), &alice, 0, 256);
		let agent = Agent::start(dir.path(), &format!("127.0.0.1:{}", free_port()), &[]);
		let node = Node::start(NodeConfig { name, args, use_tmp: true });
		let mut rpc = node.rpc();
		let heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
		rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
		rpc.request("author_insertKey", json!(["icno", "//Alice", to_hex(&hex_public("//Alice"))]));
		let icn = Icn { url: format!("ws://127.0.0.1:{}", node.rpc_port) };
		Setup { _dir: dir, plot, agent, node, icn }
	}

	/// `hp register-node` of Alice's storage node in cluster 0 in front of the agent (passport 0,
	/// price 0.01 ICNT).
	fn register_node_args(&self, capacity: &str, commitment_eras: &str) -> Vec<String> {
		[
			"hp",
			"register-node",
			"--passport",
			"0",
			"--cluster",
			"0",
			"--class",
			"storage",
			"--capacity",
			capacity,
			"--price",
			"0.01",
			"--commitment-eras",
			commitment_eras,
			"--endpoint",
			&self.agent.url(),
			"--plot",
			&self.plot.line,
		]
		.iter()
		.map(|s| s.to_string())
		.collect()
	}

	/// Waits until the oracle's off-chain worker has made `node` Active.
	fn wait_active(&self, node: &str) {
		let label = format!("node {node}");
		let deadline = Instant::now() + Duration::from_secs(180);
		loop {
			let info = self.icn.ok(&["show", "nodes", node]);
			if info[0][&label]["status"] == "Active" {
				return;
			}
			assert!(Instant::now() < deadline, "{label} never became Active: {info:?}");
			std::thread::sleep(Duration::from_secs(3));
		}
	}
}

#[test]
fn every_actor_uses_the_icn_cli_against_a_dev_node() {
	let setup = Setup::start("dev-cli", vec!["--dev".into()]);
	let icn = &setup.icn;
	let alice = ["--suri", "//Alice"];
	let with = |who: &[&str; 2], args: &[&str]| -> Vec<String> {
		let mut all: Vec<&str> = who.to_vec();
		all.extend_from_slice(args);
		all.iter().map(|s| s.to_string()).collect()
	};

	let me = icn.ok(&["--suri", "//Alice", "whoami"]);
	assert_eq!(me[0]["account"], "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");

	// Oracle: the key in the node's keystore, registered through the CLI.
	let events = icn.tx(&strs(&with(
		&alice,
		&["oracle", "register", "--passport", "1", "--oracle-suri", "//Alice"],
	)));
	assert!(has(&events, "SlaOracle.OracleRegistered"), "{events:?}");

	// HP: bond, register a node in front of the agent.
	let events = icn.tx(&strs(&with(&alice, &["hp", "bond", "20000"])));
	assert!(has(&events, "Collateral.Bonded"), "{events:?}");
	let register = |capacity: &str| -> Vec<String> {
		let mut args: Vec<String> = alice.iter().map(|s| s.to_string()).collect();
		args.extend(setup.register_node_args(capacity, "30"));
		args
	};
	let events = icn.tx(&strs(&register("1024")));
	assert!(has(&events, "CapacityMarket.NodeRegistered"), "{events:?}");

	// Bad input, each a clear error that changes nothing.
	let balance = |who: &str| -> (u128, u128) {
		let b = icn.ok(&["show", "balance", who]);
		let amount = |field: &str| {
			b[0][field]
				.as_str()
				.and_then(|s| s.parse().ok())
				.unwrap_or_else(|| panic!("{b:?}"))
		};
		(amount("free"), amount("held"))
	};
	let alice_before = balance("alice");
	// A pallet error: its name and doc comment from the metadata, exit code 1.
	icn.fails(
		&strs(&register("0")),
		1,
		"CapacityMarket.ZeroCapacity: Capacity must be above zero.",
	);
	// Not the owner of node 0.
	icn.fails(&["--suri", "//Bob", "hp", "exit", "0"], 1, "CapacityMarket.NotNodeOwner");
	// Arguments the CLI refuses before connecting: exit code 2.
	icn.fails(&["--suri", "//Alice", "hp", "bond", "abc"], 2, "not an ICNT amount");
	icn.fails(
		&["--suri", "//Charlie", "delegator", "delegate", "not-an-address", "10"],
		2,
		"is not an SS58 address",
	);
	icn.fails(&["hp", "bond", "1"], 2, "pass --suri or --keystore-path");
	icn.fails(&["--suri", "not a valid phrase", "hp", "bond", "1"], 2, "bad secret URI");
	icn.fails(&["--suri", "//Alice", "hp", "register-node", "--passport", "0"], 2, "required");
	// No node there: exit code 3.
	let closed = Icn { url: format!("ws://127.0.0.1:{}", free_port()) };
	closed.fails(&["show", "round"], 3, "cannot connect to ws://127.0.0.1:");
	let http = Icn { url: "http://127.0.0.1:9944".into() };
	http.fails(&["show", "round"], 2, "must start with ws:// or wss://");
	// The failed extrinsics cost fees, nothing else: the node is unchanged and no second exists.
	assert_eq!(icn.ok(&["show", "nodes", "1"])[0]["node 1"], Value::Null);
	// Alice paid the fee of her one failed transaction (well under 1 ICNT) and nothing was held.
	let alice_after = balance("alice");
	assert_eq!(alice_after.1, alice_before.1, "nothing held by a failed registration");
	let fee = alice_before.0 - alice_after.0;
	assert!(fee > 0 && fee < 1_000_000_000_000_000_000, "Alice paid {fee}, not just a fee");

	// The oracle's off-chain worker challenges the agent: the node becomes Active.
	setup.wait_active("0");
	let listed = icn.ok(&["show", "nodes", "--hp", "alice"]);
	assert_eq!(listed.len(), 1, "{listed:?}");

	// SP: quote, then request exactly what the quote said.
	let request = [
		"--cluster",
		"0",
		"--class",
		"storage",
		"--amount",
		"100",
		"--duration",
		"5",
		"--max-price",
		"1",
	];
	let mut quote_args = vec!["sp", "quote"];
	quote_args.extend_from_slice(&request);
	let quote = icn.ok(&quote_args);
	let quote = &quote[0]["quote"]["Ok"];
	assert_eq!(quote["allocated"], "100", "{quote}");
	let mut request_args = vec!["--suri", "//Bob", "sp", "request"];
	request_args.extend_from_slice(&request);
	let events = icn.tx(&request_args);
	assert!(has(&events, "CapacityMarket.LeaseCreated"), "{events:?}");
	let leases = icn.ok(&["show", "leases", "--sp", "bob"]);
	let lease = &leases[0]["leases"][0];
	assert_eq!(lease[1]["node"], "0", "{leases:?}");
	assert_eq!(lease[1]["units"], "100", "{leases:?}");
	// Asking for more than exists without --allow-partial fails and holds nothing.
	let mut too_much = vec![
		"--suri",
		"//Bob",
		"sp",
		"request",
		"--cluster",
		"0",
		"--class",
		"storage",
		"--amount",
		"100000",
		"--duration",
		"5",
		"--max-price",
		"1",
	];
	icn.fails(&too_much, 1, "CapacityMarket.");
	too_much.push("--allow-partial");
	let events = icn.tx(&too_much);
	assert!(has(&events, "CapacityMarket.LeaseCreated"), "partial fill: {events:?}");

	// Delegator: Charlie backs Alice.
	let events = icn.tx(&["--suri", "//Charlie", "delegator", "delegate", "alice", "100"]);
	assert!(has(&events, "Collateral.Delegated"), "{events:?}");
	let pool = icn.ok(&["show", "pool", "--hp", "alice"]);
	assert!(pool[0]["collateral"] != Value::Null, "{pool:?}");

	let events = icn.tx(&["--suri", "//Charlie", "delegator", "undelegate", "alice", "40"]);
	assert!(has(&events, "Collateral.Undelegating"), "{events:?}");

	// HP node management and SP renewal.
	let events = icn.tx(&["--suri", "//Alice", "hp", "add-capacity", "0", "16"]);
	assert!(has(&events, "CapacityMarket.CapacityAdded"), "{events:?}");
	let events = icn.tx(&["--suri", "//Alice", "hp", "extend-commitment", "0", "40"]);
	assert!(has(&events, "CapacityMarket.CommitmentExtended"), "{events:?}");
	let events = icn.tx(&["--suri", "//Bob", "sp", "renew", "1", "2", "--max-price", "0.05"]);
	assert!(has(&events, "CapacityMarket.LeaseRenewed"), "{events:?}");

	// Governance through sudo; anyone else gets the sudo pallet's error.
	let events =
		icn.tx(&["--suri", "//Alice", "gov", "create-cluster", "ap-south-1", "storage", "gpu"]);
	assert!(has(&events, "CapacityMarket.ClusterCreated"), "{events:?}");
	let events =
		icn.tx(&["--suri", "//Alice", "gov", "mint-passport", "dave", "hardware-provider"]);
	assert!(has(&events, "Passports.Minted"), "{events:?}");
	let events = icn.tx(&[
		"--suri",
		"//Alice",
		"gov",
		"set-group-params",
		"2",
		"storage",
		"--base-subsidy",
		"1000",
		"--subsidy-cap",
		"1000000",
		"--usage-multiplier",
		"1.5",
	]);
	assert!(has(&events, "ClusterRewards.GroupParamsSet"), "{events:?}");
	let rates = icn.ok(&["show", "rates", "2"]);
	assert_eq!(rates[0]["rates"].as_array().map(Vec::len), Some(1), "{rates:?}");
	icn.fails(&["--suri", "//Bob", "gov", "create-cluster", "x", "storage"], 1, "Sudo.RequireSudo");

	// Reads every actor needs.
	let rates = icn.ok(&["show", "rates", "0"]);
	assert_eq!(rates[0]["rates"].as_array().map(Vec::len), Some(3), "{rates:?}");
	let pending = icn.ok(&["show", "pending-rewards", "--who", "alice"]);
	assert_eq!(pending[0]["pending rewards"]["nodes"][0][0], "0", "{pending:?}");
	let round = icn.ok(&["show", "round"]);
	assert!(round[0]["round"]["index"].as_str().is_some(), "{round:?}");
	let status = icn.ok(&["--suri", "//Alice", "oracle", "status"]);
	assert_eq!(status.len(), 3, "{status:?}");

	// The SP cancels with notice; the node's owner settles; Alice claims her node's rewards
	// once an era has passed (rewards exist only after an era transition).
	let events = icn.tx(&["--suri", "//Bob", "sp", "cancel", "0"]);
	assert!(has(&events, "CapacityMarket.LeaseCancelled"), "{events:?}");
	// The text output names the events too.
	let text = icn.run(&["--suri", "//Alice", "hp", "set-price", "0", "0.02"]);
	assert_eq!(text.code, 0, "{}", text.stderr);
	assert!(text.stdout.contains("CapacityMarket.PriceSet"), "{}", text.stdout);
	let _ = &setup.node;
}

/// The calls that need eras to pass — settlement, node, HP, delegator and oracle reward claims —
/// on a dev chain whose eras last 4 blocks (the `dev` spec with `slaOracle.eraLength` patched),
/// plus signing from a keystore and waiting for finality.
#[test]
fn era_dependent_calls_and_keystores_through_the_icn_cli() {
	let spec_dir = tempfile::tempdir().expect("tmp");
	let spec = spec_dir.path().join("fast-eras.json");
	let exported = Command::new(node_binary())
		.args(["export-chain-spec", "--chain", "dev"])
		.output()
		.expect("export-chain-spec runs");
	assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
	let mut json: Value = serde_json::from_slice(&exported.stdout).expect("a JSON chain spec");
	json["genesis"]["runtimeGenesis"]["patch"]["slaOracle"]["eraLength"] = json!(4);
	std::fs::write(&spec, serde_json::to_vec(&json).expect("JSON")).expect("write spec");
	let spec_arg = spec.to_string_lossy().to_string();
	let setup = Setup::start(
		"dev-cli-eras",
		vec![
			"--chain".into(),
			spec_arg,
			"--alice".into(),
			"--force-authoring".into(),
			// A throwaway node in a temp dir: no stable network identity needed.
			"--unsafe-force-node-key-generation".into(),
		],
	);
	let icn = &setup.icn;
	let alice = |args: &[&str]| {
		let mut all = vec!["--suri", "//Alice"];
		all.extend_from_slice(args);
		icn.tx(&all)
	};
	assert!(has(
		&alice(&["oracle", "register", "--passport", "1", "--oracle-suri", "//Alice"]),
		"SlaOracle.OracleRegistered"
	));
	assert!(has(&alice(&["hp", "bond", "20000"]), "Collateral.Bonded"));
	assert!(has(
		&alice(&strs(&setup.register_node_args("1024", "100"))),
		"CapacityMarket.NodeRegistered"
	));
	// Dave signs from a keystore directory (the layout `icn-node key insert` writes).
	let keystore = tempfile::tempdir().expect("tmp");
	let dave_key = format!("{}{}", hex::encode(b"acco"), hex::encode(hex_public("//Dave")));
	std::fs::write(keystore.path().join(dave_key), "\"//Dave\"").expect("write key");
	let ks = keystore.path().to_string_lossy().to_string();
	let dave = icn.ok(&["--keystore-path", &ks, "whoami"]);
	assert_eq!(dave[0]["account"], "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy");
	let events = icn.tx(&[
		"--keystore-path",
		&ks,
		"--wait",
		"finalized",
		"delegator",
		"delegate",
		"alice",
		"100",
	]);
	assert!(has(&events, "Collateral.Delegated"), "{events:?}");

	setup.wait_active("0");
	let events = icn.tx(&[
		"--suri",
		"//Bob",
		"sp",
		"request",
		"--cluster",
		"0",
		"--class",
		"storage",
		"--amount",
		"100",
		"--duration",
		"3",
		"--max-price",
		"1",
	]);
	assert!(has(&events, "CapacityMarket.LeaseCreated"), "{events:?}");

	// Eras pass (4 blocks each): the served eras settle, the era transitions allocate rewards.
	let era = |icn: &Icn| -> u64 {
		let round = icn.ok(&["show", "round"]);
		round[0]["round"]["start"]
			.as_str()
			.and_then(|s| s.parse::<u64>().ok())
			.unwrap_or(0)
			/ 4
	};
	let start = era(icn);
	let deadline = Instant::now() + Duration::from_secs(120);
	while era(icn) < start + 3 {
		assert!(Instant::now() < deadline, "eras do not pass");
		std::thread::sleep(Duration::from_secs(3));
	}
	let events = icn.tx(&["--suri", "//Bob", "sp", "settle", "0"]);
	assert!(has(&events, "CapacityMarket.LeaseSettled"), "{events:?}");
	let events = icn.tx(&["--suri", "//Eve", "hp", "claim-node-rewards", "0"]);
	assert!(has(&events, "ClusterRewards.NodeRewardsClaimed"), "{events:?}");
	assert!(has(&alice(&["hp", "claim"]), "Collateral.RewardsClaimed"));
	let events = icn.tx(&["--keystore-path", &ks, "delegator", "claim", "alice"]);
	assert!(has(&events, "Collateral.RewardsClaimed"), "{events:?}");
	assert!(has(&alice(&["oracle", "claim-rewards"]), "ClusterRewards.OracleRewardsClaimed"));
	// Nothing has finished unbonding: a clear pallet error.
	icn.fails(
		&["--keystore-path", &ks, "delegator", "withdraw", "alice"],
		1,
		"Collateral.NothingToWithdraw",
	);

	// The load generator on a small scale: every kind of call from 20 accounts, all included
	// and successful, counted from the chain's blocks (scripts/bench-throughput.sh runs it big).
	let rows =
		icn.ok(&["--suri", "//Alice", "bench", "--accounts", "20", "--hp", "alice", "--node", "0"]);
	let calls: Vec<&str> = rows.iter().filter_map(|r| r["call"].as_str()).collect();
	assert_eq!(
		calls,
		[
			"Balances.transfer_keep_alive",
			"Collateral.delegate",
			"CapacityMarket.request_capacity",
			"Collateral.claim_rewards"
		],
		"{rows:?}"
	);
	for row in &rows {
		assert_eq!(row["included"], 20, "{row}");
		assert_eq!(row["failed"], 0, "{row}");
		let per_block: u64 = row["per_block"]
			.as_array()
			.map(|b| b.iter().filter_map(Value::as_u64).sum())
			.unwrap_or(0);
		assert_eq!(per_block, 20, "{row}");
		assert!(row["per_second"].as_f64().is_some_and(|r| r > 0.0), "{row}");
	}

	// The state this flow leaves (HP, oracle, node, lease, delegations, rewards, bench accounts),
	// for the runtime's `try_state` and upgrade checks (`scripts/test.sh` runs them on it).
	if let Some(out) = std::env::var_os("ICN_E2E_STATE_OUT") {
		// The RPC server is up (the flow used it); `Node::rpc` would wait for its log line again.
		let mut rpc = Rpc::connect(setup.node.rpc_port);
		let best = rpc.request("chain_getBlockHash", json!([]));
		let state = storage_pairs(&mut rpc, "0x", &best);
		assert!(state.len() > 100, "a whole chain's state: {} keys", state.len());
		std::fs::write(&out, serde_json::to_vec(&state).expect("JSON")).expect("write the state");
	}
}

fn hex_public(suri: &str) -> Vec<u8> {
	use polkadot_sdk::sp_core::{sr25519, Pair};
	sr25519::Pair::from_string(suri, None).expect("dev suri").public().0.to_vec()
}
