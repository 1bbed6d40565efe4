//! `icn-node agent run` as an operator runs it (SPEC §7.2, issue 22): its log says when a plot
//! cannot be read and `/v1/health` says `failing`; SIGTERM lets a slow challenge finish, then
//! exits 0; `/metrics` and health are only on the private address; idle and stalled clients are
//! cut off and the bytes of answers in flight are bounded; a `--config` file equal to the flags
//! gives the same agent, and an unknown key is a one-line error; and challenges through a TLS
//! reverse proxy (nginx) pass end to end with a dev chain's oracle worker.

use std::{
	io::{Read, Write},
	net::TcpStream,
	time::{Duration, Instant},
};

use codec::{Decode, Encode};
use icn_primitives::{
	market::NodeStatus,
	oracle::{OracleKey, OracleSignature},
	pos::{self, verify_challenge, PlotResponse},
	HardwareClass, ICNT,
};
use icn_runtime::{RuntimeCall, RuntimeEvent};
use polkadot_sdk::{sp_core::Pair, sp_keyring::Sr25519Keyring};
use serde_json::{json, Value};

use crate::{
	agent::{get_json, metrics},
	dev_chain::{events_at, submit_and_wait},
	oracle::{status, wait_until, Seen},
	support::{
		agent_init, agent_init_with_chunk_size, free_port, http, run_node_command, to_hex, Agent,
		Node, NodeConfig, Rpc,
	},
};

const HP: [u8; 32] = [0x33; 32];
const PASSPORT: u32 = 9;

fn challenge_path(root: &[u8; 32], indices: &[u32]) -> String {
	let list: Vec<String> = indices.iter().map(|i| i.to_string()).collect();
	format!("/v1/plots/{}/challenge?indices={}", to_hex(root), list.join(","))
}

/// Sends a challenge request and returns the open stream without reading the answer.
fn send_challenge(addr: &str, root: &[u8; 32], indices: &[u32]) -> TcpStream {
	let mut stream = TcpStream::connect(addr).expect("connect");
	let path = challenge_path(root, indices);
	write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
		.expect("send");
	stream
}

/// Reads an HTTP/1.1 answer to the end: status and body.
fn read_answer(mut stream: TcpStream) -> (u16, Vec<u8>) {
	stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
	let mut raw = Vec::new();
	let _ = stream.read_to_end(&mut raw);
	let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
	let head = String::from_utf8_lossy(&raw[..split]).into_owned();
	let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("status");
	(status, raw[split + 4..].to_vec())
}

#[test]
fn health_and_metrics_are_only_on_the_private_address() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &[]);
	for path in ["/metrics", "/v1/health"] {
		let (status, body) = http(&agent.addr, "GET", path);
		let text = String::from_utf8_lossy(&body);
		assert_eq!(status, 404, "{path} on the public address: {text}");
		assert!(text.contains("--metrics-listen"), "{text}");
		let (status, _) = http(&agent.metrics_addr, "GET", path);
		assert_eq!(status, 200, "{path} on the metrics address");
	}
	// And the other way round: no challenges on the private address.
	let (status, body) = http(&agent.metrics_addr, "GET", &challenge_path(&reg.proof_root, &[1]));
	assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
	let (status, _) = http(&agent.addr, "GET", &challenge_path(&reg.proof_root, &[1]));
	assert_eq!(status, 200);
	let health = get_json(&agent, "/v1/health");
	assert_eq!(health["status"], "ok", "{health}");
	assert_eq!(health["plots_loaded"], 1, "{health}");
	assert_eq!(health["plots"][0]["files"], "ok", "{health}");
	assert_eq!(health["plots"][0]["challenges_served"], 1, "{health}");
	assert!(health["plots"][0]["last_challenge_secs_ago"].as_u64().is_some(), "{health}");
}

#[test]
fn a_plot_file_that_fails_under_a_running_agent_is_logged_and_health_says_failing() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &["--test-file-check-secs", "1"]);
	let root = to_hex(&reg.proof_root);
	let (status, _) = http(&agent.addr, "GET", &challenge_path(&reg.proof_root, &[200]));
	assert_eq!(status, 200);

	// chunks.bin truncated to half: a challenge past the cut fails to read.
	let chunks = reg.dir.join("chunks.bin");
	std::fs::OpenOptions::new()
		.write(true)
		.open(&chunks)
		.expect("open")
		.set_len(128 * 4096)
		.expect("truncate");
	let (status, body) = http(&agent.addr, "GET", &challenge_path(&reg.proof_root, &[200]));
	assert_eq!(status, 500, "{}", String::from_utf8_lossy(&body));
	let log = agent.wait_for_log("cannot read a challenged chunk", Duration::from_secs(5));
	let line = log
		.lines()
		.find(|l| l.contains("cannot read a challenged chunk"))
		.expect("line");
	assert!(line.contains("WARN") && line.contains(&root), "{line}");
	agent.wait_for_log("chunks.bin is 524288 bytes, expected 1048576", Duration::from_secs(5));
	let (status, body) = http(&agent.metrics_addr, "GET", "/v1/health");
	assert_eq!(status, 503, "failing is a 503");
	let health: Value = serde_json::from_slice(&body).expect("JSON");
	assert_eq!(health["status"], "failing", "{health}");
	let plot = &health["plots"][0];
	assert!(plot["files"].as_str().is_some_and(|f| f.contains("524288 bytes")), "{health}");
	assert_eq!(plot["read_errors"], 1, "{health}");
	assert!(plot["failing_read"].as_str().is_some_and(|r| r.contains("cannot read")), "{health}");
	let text = metrics(&agent);
	assert!(text.contains(&format!("icn_agent_read_errors_total{{plot=\"{root}\"}} 1")), "{text}");

	// tree.bin removed: still served from the open file until a restart, but the log and the
	// health say so now, not at the restart.
	std::fs::remove_file(reg.dir.join("tree.bin")).expect("remove");
	let log = agent.wait_for_log("tree.bin: No such file", Duration::from_secs(5));
	let line = log.lines().find(|l| l.contains("tree.bin: No such file")).expect("line");
	assert!(line.contains("WARN"), "{line}");
	let (status, _) = http(&agent.metrics_addr, "GET", "/v1/health");
	assert_eq!(status, 503);
}

#[test]
fn sigterm_lets_a_slow_challenge_finish_then_exits_0() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let mut agent = Agent::start(dir.path(), "127.0.0.1:0", &["--test-challenge-delay-ms", "2000"]);
	let indices = [3, 77, 200];
	let slow = send_challenge(&agent.addr, &reg.proof_root, &indices);
	std::thread::sleep(Duration::from_millis(500));
	let signalled = Instant::now();
	agent.signal(libc::SIGTERM);
	agent.wait_for_log("SIGTERM: stopping", Duration::from_secs(5));
	// No new connections once stopping (the listener is closed).
	let deadline = Instant::now() + Duration::from_secs(2);
	while TcpStream::connect(&agent.addr).is_ok() {
		assert!(Instant::now() < deadline, "still accepting after SIGTERM");
		std::thread::sleep(Duration::from_millis(20));
	}
	// The challenge in progress is answered in full, and verifies.
	let (status, body) = read_answer(slow);
	assert_eq!(status, 200);
	let answer = PlotResponse::decode(&mut &body[..]).expect("decodes");
	assert_eq!(verify_challenge(&reg.plot.target(&HP, PASSPORT), &indices, &answer), Ok(()));
	let exit = agent.wait_exit(Duration::from_secs(15));
	assert!(exit.success(), "exit status {exit:?}: {}", agent.log());
	assert!(signalled.elapsed() >= Duration::from_millis(1000), "it waited for the answer");
	assert!(agent.log().contains("stopped"), "{}", agent.log());

	// SIGINT with nothing in flight: out at once, 0.
	let mut agent = Agent::start(dir.path(), "127.0.0.1:0", &[]);
	agent.signal(libc::SIGINT);
	assert!(agent.wait_exit(Duration::from_secs(5)).success(), "{}", agent.log());
}

#[test]
fn idle_and_stalled_clients_are_cut_off_and_answers_in_flight_are_bounded() {
	// 64 KiB chunks, so one answer (64 indices, each with 3 parents: ~17 MB) is far larger than
	// the socket buffers between client and agent.
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init_with_chunk_size(dir.path(), &HP, PASSPORT, 256, 65_536);
	let agent = Agent::start(
		dir.path(),
		"127.0.0.1:0",
		&[
			"--idle-timeout-secs",
			"1",
			"--response-timeout-secs",
			"2",
			"--max-bytes-in-flight",
			"24MiB",
		],
	);
	// An idle connection (no request) is closed after the idle timeout.
	let mut idle = TcpStream::connect(&agent.addr).expect("connect");
	idle.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
	let opened = Instant::now();
	let mut buf = [0u8; 16];
	assert!(matches!(idle.read(&mut buf), Ok(0) | Err(_)), "closed");
	let waited = opened.elapsed();
	assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(5), "{waited:?}");

	// A client asks for 64 chunks and never reads: it holds its answer's room until its
	// stalled write times out.
	let all: Vec<u32> = (0..64).collect();
	let stalled = send_challenge(&agent.addr, &reg.proof_root, &all);
	std::thread::sleep(Duration::from_millis(300));
	let text = metrics(&agent);
	let in_flight: f64 = text
		.lines()
		.find_map(|l| l.strip_prefix("icn_agent_answer_bytes_in_flight "))
		.and_then(|v| v.parse().ok())
		.expect("the gauge");
	assert!(in_flight > 16.0e6, "{in_flight} bytes held by the stalled answer");
	// Meanwhile a second such answer does not fit in 24 MiB: busy, after a second's wait.
	let some = &all[..];
	let (status, body) = http(&agent.addr, "GET", &challenge_path(&reg.proof_root, some));
	assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
	assert!(String::from_utf8_lossy(&body).contains("busy"));
	agent.wait_for_log("busy: answers in flight hold", Duration::from_secs(5));
	// After the response timeout the stalled connection is closed and its room given back.
	let deadline = Instant::now() + Duration::from_secs(10);
	loop {
		let (status, _) = http(&agent.addr, "GET", &challenge_path(&reg.proof_root, some));
		if status == 200 {
			break;
		}
		assert!(Instant::now() < deadline, "the stalled answer was never released");
		std::thread::sleep(Duration::from_millis(200));
	}
	let (status, body) = read_answer(stalled);
	assert_eq!(status, 200, "the headers were sent before the stall");
	assert!(body.len() < 16_000_000, "cut off: {} bytes of the answer arrived", body.len());
	drop(agent);

	// An answer larger than the whole budget is refused at once, with the reason.
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &["--max-bytes-in-flight", "1MiB"]);
	let (status, body) = http(&agent.addr, "GET", &challenge_path(&reg.proof_root, &all));
	let text = String::from_utf8_lossy(&body);
	assert_eq!(status, 503, "{text}");
	assert!(text.contains("more than --max-bytes-in-flight"), "{text}");
	let (status, _) = http(&agent.addr, "GET", &challenge_path(&reg.proof_root, &[5]));
	assert_eq!(status, 200, "a small one fits");
}

#[test]
fn a_config_file_equal_to_the_flags_gives_the_same_agent() {
	let dir = tempfile::tempdir().expect("tmp");
	agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let data = dir.path().to_str().expect("utf-8");
	let (public, private) = (free_port(), free_port());
	let flags: Vec<String> = [
		"--data-dir",
		data,
		"--listen",
		&format!("127.0.0.1:{public}"),
		"--metrics-listen",
		&format!("127.0.0.1:{private}"),
		"--verify-sample",
		"10",
		"--scrub-interval-secs",
		"600",
		"--idle-timeout-secs",
		"7",
		"--response-timeout-secs",
		"8",
		"--shutdown-timeout-secs",
		"9",
		"--max-connections",
		"33",
		"--max-bytes-in-flight",
		"64MiB",
		"-l",
		"agent=debug",
	]
	.iter()
	.map(|s| s.to_string())
	.collect();
	let file = format!(
		"data-dir = \"{data}\"\nlisten = \"127.0.0.1:{public}\"\nmetrics-listen = \
		 \"127.0.0.1:{private}\"\nverify-sample = 10\nscrub-interval-secs = 600\n\
		 idle-timeout-secs = 7\nresponse-timeout-secs = 8\nshutdown-timeout-secs = 9\n\
		 max-connections = 33\nmax-bytes-in-flight = \"64MiB\"\nlog = [\"agent=debug\"]\n"
	);
	let config = dir.path().join("agent.toml");
	std::fs::write(&config, &file).expect("write");
	let config = config.to_str().expect("utf-8");

	let dry = |args: &[&str]| {
		let (status, stdout, stderr) =
			run_node_command(&[&["agent", "run", "--dry-run"][..], args].concat());
		assert!(status.success(), "{args:?}: {stderr}");
		stdout
	};
	let from_flags = dry(&flags.iter().map(String::as_str).collect::<Vec<_>>());
	let from_file = dry(&["--config", config]);
	assert_eq!(from_flags, from_file, "the same settings");
	for line in ["max-connections = 33", "max-bytes-in-flight = 67108864", "idle-timeout-secs = 7"]
	{
		assert!(from_file.contains(line), "{line} in {from_file}");
	}
	// What --dry-run prints is itself a config file for the same agent.
	let printed = dir.path().join("printed.toml");
	std::fs::write(&printed, &from_file).expect("write");
	assert_eq!(dry(&["--config", printed.to_str().expect("utf-8")]), from_file);
	// A flag given beside the file wins.
	assert!(dry(&["--config", config, "--max-connections", "5"]).contains("max-connections = 5"));

	// The agent the file describes serves on the file's addresses, at the file's log level.
	let agent = Agent::start_with(&["agent", "run", "--config", config]);
	assert_eq!(agent.addr, format!("127.0.0.1:{public}"));
	assert_eq!(agent.metrics_addr, format!("127.0.0.1:{private}"));
	let (status, _) = http(&agent.addr, "GET", "/v1/plots");
	assert_eq!(status, 200);
	agent.wait_for_log("agent::access", Duration::from_secs(5));
	drop(agent);

	// An unknown key, a bad value, a missing file: one line each.
	let bad = dir.path().join("bad.toml");
	for (text, message) in [
		(format!("data-dir = \"{data}\"\nlisten-address = \"0.0.0.0:1\"\n"), "listen-address"),
		(format!("data-dir = \"{data}\"\nmax-connections = \"many\"\n"), "line 2"),
		(format!("data-dir = \"{data}\"\nlisten = \"127.0.0.1:1\"\nmetrics-listen = \"127.0.0.1:1\"\n"), "public challenge port"),
	] {
		std::fs::write(&bad, &text).expect("write");
		let (status, _, stderr) =
			run_node_command(&["agent", "run", "--config", bad.to_str().expect("utf-8")]);
		assert!(!status.success(), "{text}");
		assert!(stderr.contains(message), "{message}: {stderr}");
		assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
	}
	let (status, _, stderr) = run_node_command(&["agent", "run", "--config", "/nonexistent.toml"]);
	assert!(!status.success());
	assert!(stderr.contains("cannot read the config file"), "{stderr}");
	assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

/// A CA and a certificate for `localhost` signed by it (openssl), in `dir`.
fn make_certificates(dir: &std::path::Path) {
	let run = |args: &[&str]| {
		let out = std::process::Command::new("openssl")
			.args(args)
			.current_dir(dir)
			.output()
			.expect("openssl runs");
		assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
	};
	run(&[
		"req",
		"-x509",
		"-newkey",
		"ec",
		"-pkeyopt",
		"ec_paramgen_curve:P-256",
		"-nodes",
		"-keyout",
		"ca.key",
		"-out",
		"ca.pem",
		"-days",
		"2",
		"-subj",
		"/CN=ICN test CA",
	]);
	run(&[
		"req",
		"-newkey",
		"ec",
		"-pkeyopt",
		"ec_paramgen_curve:P-256",
		"-nodes",
		"-keyout",
		"server.key",
		"-out",
		"server.csr",
		"-subj",
		"/CN=localhost",
	]);
	std::fs::write(
		dir.join("server.ext"),
		"basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n\
		 subjectAltName=DNS:localhost,IP:127.0.0.1\n",
	)
	.expect("write");
	run(&[
		"x509",
		"-req",
		"-in",
		"server.csr",
		"-CA",
		"ca.pem",
		"-CAkey",
		"ca.key",
		"-CAcreateserial",
		"-out",
		"server.pem",
		"-days",
		"2",
		"-extfile",
		"server.ext",
	]);
}

/// nginx terminating TLS on `port` in front of the agent at `upstream`; killed on drop.
struct Nginx(std::process::Child);

impl Nginx {
	fn start(dir: &std::path::Path, port: u16, upstream: &str) -> Nginx {
		let d = dir.display();
		// The same server block docs/operations.md shows, with every path in the test's dir.
		let conf = format!(
			"daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log \
			 warn;\nevents {{ worker_connections 64; }}\nhttp {{\n  access_log {d}/access.log;\n  \
			 client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path \
			 {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  server \
			 {{\n    listen 127.0.0.1:{port} ssl;\n    server_name localhost;\n    \
			 ssl_certificate {d}/server.pem;\n    ssl_certificate_key {d}/server.key;\n    \
			 ssl_protocols TLSv1.2 TLSv1.3;\n    location /v1/plots {{\n      proxy_pass \
			 http://{upstream};\n      proxy_http_version 1.1;\n      proxy_read_timeout 5s;\n    \
			 }}\n    location / {{ return 404; }}\n  }}\n}}\n"
		);
		std::fs::write(dir.join("nginx.conf"), conf).expect("write");
		let child = std::process::Command::new("nginx")
			.args(["-e", &format!("{d}/error.log"), "-p"])
			.arg(dir)
			.arg("-c")
			.arg(dir.join("nginx.conf"))
			.stdout(std::process::Stdio::null())
			.stderr(std::process::Stdio::null())
			.spawn()
			.expect("nginx starts (scripts/setup.sh installs it)");
		let deadline = Instant::now() + Duration::from_secs(10);
		while TcpStream::connect(("127.0.0.1", port)).is_err() {
			assert!(Instant::now() < deadline, "nginx did not listen on {port}");
			std::thread::sleep(Duration::from_millis(50));
		}
		Nginx(child)
	}
}

impl Drop for Nginx {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

#[test]
fn challenges_over_tls_through_a_reverse_proxy_pass_with_the_oracle_worker() {
	let tls = tempfile::tempdir().expect("tmp");
	make_certificates(tls.path());
	let dir = tempfile::tempdir().expect("tmp");
	let alice = Sr25519Keyring::Alice;
	let alice_bytes: [u8; 32] = alice.to_account_id().into();
	let plot = agent_init(dir.path(), &alice_bytes, 0, 256);
	// The agent only on loopback; nginx is what the chain's endpoint names.
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &["-l", "agent::access=debug"]);
	let port = free_port();
	let _nginx = Nginx::start(tls.path(), port, &agent.addr);
	// The node trusts the test CA (rustls with the platform's roots reads SSL_CERT_FILE).
	let ca = tls.path().join("ca.pem");
	let node = Node::start_with_env(
		NodeConfig { name: "dev-tls", args: vec!["--dev".into()], use_tmp: true },
		&[("SSL_CERT_FILE", ca.to_str().expect("utf-8"))],
	);
	let mut rpc = node.rpc();
	let heads = rpc.subscribe("chain_subscribeNewHeads", json!([]));
	rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
	let genesis = rpc.genesis_hash();
	let alice_id = alice.to_account_id();
	rpc.request("author_insertKey", json!(["icno", "//Alice", to_hex(alice.public().as_ref())]));
	let proof = OracleSignature::from(
		alice.pair().sign(&(pallet_sla_oracle::POSSESSION_CONTEXT, &alice_id).encode()),
	);
	let endpoint = format!("https://localhost:{port}");
	let calls = [
		RuntimeCall::SlaOracle(pallet_sla_oracle::Call::register_oracle {
			passport: 1,
			key: OracleKey::from(alice.public()),
			proof,
		}),
		RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond {
			amount: 100_000 * ICNT,
		}),
		RuntimeCall::CapacityMarket(pallet_capacity_market::Call::register_node {
			passport: 0,
			cluster: 0,
			class: HardwareClass::Storage,
			capacity: 16,
			price: icn_primitives::MILLI_ICNT,
			commitment_eras: 30,
			endpoint: endpoint.clone().into_bytes(),
			proof_root: plot.proof_root,
			plot: plot.plot,
		}),
	];
	for (nonce, call) in calls.into_iter().enumerate() {
		let xt = icn_runtime::signing::sign_immortal(&alice.pair(), nonce as u32, genesis, call);
		let hash = submit_and_wait(&mut rpc, &xt.encode());
		let failed = events_at(&mut rpc, &hash).into_iter().find(|e| {
			matches!(
				e,
				RuntimeEvent::System(polkadot_sdk::frame_system::Event::ExtrinsicFailed { .. })
			)
		});
		assert!(failed.is_none(), "{failed:?}");
	}
	// The oracle's worker challenges https://localhost:<port>, nginx forwards to the agent, and
	// the node passes its first round.
	let mut seen = Seen::default();
	let round = Duration::from_secs(5 * 6 + 30);
	wait_until(&mut rpc, &mut seen, "the node behind TLS Active", 3 * round, |rpc: &mut Rpc, _| {
		status(rpc, 0) == NodeStatus::Active
	});
	assert!(seen.outcomes[&0].iter().all(|o| o.passed()), "{:?}", seen.outcomes);
	// It went through the proxy: nginx logged the challenge, and the agent served it.
	let access = std::fs::read_to_string(tls.path().join("access.log")).expect("nginx log");
	assert!(access.contains("/challenge?indices=") && access.contains(" 200 "), "{access}");
	agent.wait_for_log("/challenge?indices=", Duration::from_secs(1));
}

/// The systemd units pass `systemd-analyze verify` with no complaint (it exits 0 on unknown keys
/// and bad values, so its output must be empty too), run on the real binary; the sample agent
/// config is one the agent accepts.
#[test]
fn the_packaged_units_and_agent_config_are_valid() {
	let dir = tempfile::tempdir().expect("tmp");
	let binary = crate::support::node_binary();
	for unit in ["icn-node.service", "icn-agent.service"] {
		let text = std::fs::read_to_string(crate::support::workspace_file(&format!(
			"node/packaging/systemd/{unit}"
		)))
		.expect("unit file");
		assert!(text.contains("ExecStart=/usr/local/bin/icn-node"), "{unit}");
		let local = text.replace("/usr/local/bin/icn-node", binary.to_str().expect("utf-8"));
		std::fs::write(dir.path().join(unit), local).expect("write");
		let out = std::process::Command::new("systemd-analyze")
			.arg("verify")
			.arg(dir.path().join(unit))
			.output()
			.expect("systemd-analyze runs");
		let said = format!(
			"{}{}",
			String::from_utf8_lossy(&out.stdout),
			String::from_utf8_lossy(&out.stderr)
		);
		assert!(out.status.success() && said.trim().is_empty(), "{unit}: {said}");
	}
	let plots = tempfile::tempdir().expect("tmp");
	agent_init(plots.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let config = crate::support::workspace_file("node/packaging/agent.toml");
	let (status, stdout, stderr) = run_node_command(&[
		"agent",
		"run",
		"--config",
		config.to_str().expect("utf-8"),
		"--data-dir",
		plots.path().to_str().expect("utf-8"),
		"--dry-run",
	]);
	assert!(status.success(), "{stderr}");
	assert!(stdout.contains("listen = \"0.0.0.0:7100\""), "{stdout}");
}

/// The RPCs explorers, bridges and light clients use: GRANDPA's round state, finality proofs and
/// justification subscription, and a sync spec with a light sync state at the finalized block.
#[test]
fn the_node_serves_grandpa_and_sync_state_rpcs() {
	let node =
		Node::start(NodeConfig { name: "dev-rpcs", args: vec!["--dev".into()], use_tmp: true });
	let mut rpc = node.rpc();
	let finalized = rpc.subscribe("chain_subscribeFinalizedHeads", json!([]));
	rpc.wait_for_header(&finalized, 3, Duration::from_secs(120));

	let round = rpc.request("grandpa_roundState", json!([]));
	assert_eq!(round["setId"], 0, "{round}");
	assert!(round["best"]["round"].as_u64().is_some_and(|r| r >= 1), "{round}");
	// One authority (Alice) of weight 1: the threshold is 1.
	assert_eq!(round["best"]["thresholdWeight"], 1, "{round}");
	assert_eq!(round["best"]["totalWeight"], 1, "{round}");
	// A finality proof is served once GRANDPA has stored a justification at or after the block
	// (every 512 blocks, and at authority-set changes); before that the method answers with
	// GRANDPA's own error, not "method not found".
	let proof = rpc.call("grandpa_proveFinality", json!([1]));
	match &proof {
		Ok(p) => assert!(p.is_null() || p.is_string(), "{p}"),
		Err(e) => assert!(
			e["message"].as_str().is_some_and(|m| m.contains("GRANDPA prove finality")),
			"{e}"
		),
	}
	let subscription = rpc.subscribe("grandpa_subscribeJustifications", json!([]));
	assert!(subscription.is_string() || subscription.is_number(), "{subscription}");

	let spec = rpc.request("sync_state_genSyncSpec", json!([true]));
	assert_eq!(spec["id"], "icn_dev", "{spec}");
	assert!(spec["genesis"]["raw"]["top"].is_object(), "the raw genesis");
	let state = &spec["lightSyncState"];
	let header = icn_runtime::opaque::Header::decode(
		&mut &crate::support::from_hex(state["finalizedBlockHeader"].as_str().expect("hex"))[..],
	)
	.expect("a SCALE header");
	assert!(header.number >= 3, "the finalized block: #{}", header.number);
	let hash = rpc.request("chain_getBlockHash", json!([header.number]));
	assert_eq!(hash.as_str(), Some(to_hex(header.hash().as_ref()).as_str()), "the chain's block");
	let set = state["grandpaAuthoritySet"].as_str().expect("hex");
	assert!(set.starts_with("0x") && set.len() > 2 + 2 * 32, "{set}");
	let grandpa_alice = polkadot_sdk::sp_keyring::Ed25519Keyring::Alice.public();
	assert!(set.contains(&hex::encode(grandpa_alice.0)), "Alice's GRANDPA key in {set}");
}
