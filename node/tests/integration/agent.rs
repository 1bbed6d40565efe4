//! `icn-node agent` over real HTTP on loopback: `init` plots a proof-of-space plot bound to the HP
//! and passport and prints its registration values; `run` serves challenges that verify with the
//! runtime's own `pos::verify_challenge`; bad requests get clear 4xx answers and the server keeps
//! serving; a damaged plot is refused at start, or repaired (or reported) by the scrub; bad
//! arguments and version-1 data fail with one line; metrics and health show it all; and a bounded
//! load test reports challenge latency at 100 concurrent clients.

use std::{
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use codec::Decode;
use icn_primitives::pos::{self, verify_challenge, PlotError, PlotResponse, MAX_CHALLENGE_INDICES};
use serde_json::Value;

use crate::support::{agent_init, http, run_node_command, to_hex, Agent};

/// The HP the plots are bound to, and the passport.
const HP: [u8; 32] = [0x11; 32];
const PASSPORT: u32 = 7;

fn challenge_path(root: &[u8; 32], indices: &[u32]) -> String {
	let list: Vec<String> = indices.iter().map(|i| i.to_string()).collect();
	format!("/v1/plots/{}/challenge?indices={}", to_hex(root), list.join(","))
}

fn challenge(agent: &Agent, root: &[u8; 32], indices: &[u32]) -> PlotResponse {
	let (status, body) = http(&agent.addr, "GET", &challenge_path(root, indices));
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	PlotResponse::decode(&mut &body[..]).expect("challenge answer decodes")
}

/// A JSON answer from the agent: `/v1/plots` from its public address, `/v1/health` from its
/// metrics address.
pub(crate) fn get_json(agent: &Agent, path: &str) -> Value {
	let addr = if path == "/v1/health" { &agent.metrics_addr } else { &agent.addr };
	let (status, body) = http(addr, "GET", path);
	assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
	serde_json::from_slice(&body).expect("JSON")
}

pub(crate) fn metrics(agent: &Agent) -> String {
	let (status, body) = http(&agent.metrics_addr, "GET", "/metrics");
	assert_eq!(status, 200);
	String::from_utf8_lossy(&body).into_owned()
}

/// Polls `/v1/health` until every plot's scrub has completed a pass (60 s at most); returns the
/// health then.
fn wait_for_scrub(agent: &Agent) -> Value {
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		let health = get_json(agent, "/v1/health");
		let plots = health["plots"].as_array().cloned().unwrap_or_default();
		if !plots.is_empty() && plots.iter().all(|p| p["scrub_passes"].as_u64() >= Some(1)) {
			return health;
		}
		assert!(Instant::now() < deadline, "no scrub pass within 60 s: {health}");
		std::thread::sleep(Duration::from_millis(50));
	}
}

/// Runs `icn-node` with `args`, which must fail with one line containing `message`; returns it.
fn one_line_failure(args: &[&str], message: &str) -> String {
	let (status, _, stderr) = run_node_command(args);
	assert!(!status.success(), "{args:?} should fail");
	assert!(stderr.contains(message), "{args:?}: {stderr}");
	assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
	stderr
}

#[test]
fn init_prints_the_registration_and_run_serves_challenges_that_verify() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	assert_eq!(reg.dir, dir.path().join("plot-7-0"));
	assert_eq!((reg.plot.nonce, reg.plot.leaf_count, reg.plot.chunk_size), (0, 256, 4096));
	assert_eq!(reg.proof_root, reg.plot.bound_root(&HP, PASSPORT), "bound to the HP and passport");
	let meta: Value =
		serde_json::from_slice(&std::fs::read(reg.dir.join("plot.json")).expect("plot.json"))
			.expect("plot.json is JSON");
	assert_eq!(meta["version"], 2);
	assert_eq!(meta["plotted"], 256);
	assert_eq!(meta["hp"], to_hex(&HP));
	assert_eq!(meta["proof_root"], to_hex(&reg.proof_root));
	let size = |name: &str| std::fs::metadata(reg.dir.join(name)).expect("file").len();
	assert_eq!(size("chunks.bin"), 256 * 4096);
	assert_eq!(size("tree.bin"), 32 * (256 + 128 + 64 + 32 + 16 + 8 + 4 + 2 + 1));

	let agent = Agent::start(dir.path(), "127.0.0.1:0", &[]);
	let root = to_hex(&reg.proof_root);
	let plots = get_json(&agent, "/v1/plots");
	assert_eq!(plots.as_array().map(Vec::len), Some(1), "{plots}");
	assert_eq!(plots[0]["proof_root"], root.as_str());
	assert_eq!(plots[0]["hp"], to_hex(&HP));
	assert_eq!((plots[0]["passport"].as_u64(), plots[0]["nonce"].as_u64()), (Some(7), Some(0)));
	assert_eq!(plots[0]["leaf_count"], 256);
	assert_eq!(plots[0]["chunk_size"], 4096);

	let target = reg.plot.target(&HP, PASSPORT);
	assert_eq!(target.proof_root(), reg.proof_root);
	let indices = [0, 5, 255, 5];
	let answer = challenge(&agent, &reg.proof_root, &indices);
	assert_eq!(answer.chunks.len(), 4);
	assert!(answer.chunks[0].parents.is_empty(), "chunk 0 has no parents");
	assert!(answer.chunks[1..].iter().all(|c| c.parents.len() == pos::PARENTS));
	assert!(answer.chunks.iter().all(|c| c.chunk.data.len() == 4096));
	assert_eq!(verify_challenge(&target, &indices, &answer), Ok(()));
	// The same data does not prove another passport's (or another HP's) plot.
	assert!(verify_challenge(&reg.plot.target(&HP, PASSPORT + 1), &indices, &answer).is_err());
	assert!(verify_challenge(&reg.plot.target(&[0x22; 32], PASSPORT), &indices, &answer).is_err());

	// The scrub walks the whole plot and finds nothing wrong.
	let health = wait_for_scrub(&agent);
	assert_eq!(health["status"], "ok", "{health}");
	let scrubbed = &health["plots"][0];
	assert_eq!(scrubbed["proof_root"], root.as_str());
	assert_eq!(scrubbed["scrub_progress"].as_f64(), Some(1.0), "{health}");
	assert_eq!(scrubbed["damaged_chunks"], 0, "{health}");
	assert_eq!(scrubbed["repaired_chunks"], 0, "{health}");
	let text = metrics(&agent);
	for line in [
		format!("icn_agent_scrub_progress_ratio{{plot=\"{root}\"}} 1"),
		format!("icn_agent_scrub_chunks_checked_total{{plot=\"{root}\"}} 256"),
		format!("icn_agent_scrub_damaged_chunks_total{{plot=\"{root}\"}} 0"),
		format!("icn_agent_scrub_repaired_chunks_total{{plot=\"{root}\"}} 0"),
		format!("icn_agent_plot_chunks{{plot=\"{root}\"}} 256"),
	] {
		assert!(text.contains(&line), "{line} in {text}");
	}

	// The plot survives a restart: same root, same chunks.
	drop(agent);
	let again = Agent::start(dir.path(), "127.0.0.1:0", &[]);
	assert_eq!(challenge(&again, &reg.proof_root, &indices), answer);
}

#[test]
fn bad_requests_get_clear_errors_and_the_agent_keeps_serving() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &[]);
	let base = format!("/v1/plots/{}/challenge", to_hex(&reg.proof_root));
	let too_many = (0..=MAX_CHALLENGE_INDICES).map(|_| "1").collect::<Vec<_>>().join(",");
	let cases = [
		("GET", base.clone(), 400, "missing query parameter"),
		("GET", format!("{base}?indices="), 400, "empty"),
		("GET", format!("{base}?indices=1,x"), 400, "not a chunk index"),
		("GET", format!("{base}?indices=256"), 400, "out of range"),
		("GET", format!("{base}?indices=99999999999"), 400, "not a chunk index"),
		("GET", format!("{base}?indices={too_many}"), 400, "too many indices"),
		(
			"GET",
			format!("/v1/plots/{}/challenge?indices=1", to_hex(&[0; 32])),
			404,
			"no plot with proof root",
		),
		("GET", "/v1/challenge?indices=1".to_string(), 404, "/v1/plots/<proof root>/challenge"),
		("GET", "/v1/info".to_string(), 404, "moved"),
		("GET", "/nope".to_string(), 404, "unknown path"),
		("POST", format!("{base}?indices=1"), 405, "only GET"),
	];
	for (method, path, code, message) in &cases {
		let (status, body) = http(&agent.addr, method, path);
		let text = String::from_utf8_lossy(&body);
		assert_eq!(status, *code, "{method} {path}: {text}");
		assert!(text.contains(message), "{method} {path}: {text}");
		assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
	}
	// A request that never finishes its headers does not stop others from being served.
	let _slow = std::net::TcpStream::connect(&agent.addr).expect("connect");
	assert_eq!(challenge(&agent, &reg.proof_root, &[1, 2]).chunks.len(), 2);

	let text = metrics(&agent);
	assert!(
		text.contains("icn_agent_request_failures_total{endpoint=\"challenge\",status=\"400\"} 6"),
		"{text}"
	);
	assert!(
		text.contains("icn_agent_request_failures_total{endpoint=\"challenge\",status=\"404\"} 1"),
		"{text}"
	);
	assert!(text.contains("icn_agent_requests_total{endpoint=\"challenge\"}"), "{text}");
	assert!(text.contains("icn_agent_request_duration_seconds_bucket"), "{text}");
}

#[test]
fn a_damaged_plot_is_refused_at_start_or_repaired_or_reported_by_the_scrub() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let path = dir.path().to_str().expect("utf-8");
	let chunks_path = reg.dir.join("chunks.bin");
	let original = std::fs::read(&chunks_path).expect("read chunks");
	let mut bytes = original.clone();
	bytes[4096 * 3 + 1] ^= 0x01;
	std::fs::write(&chunks_path, &bytes).expect("tamper");

	// Checked in full at start: refused, in one line that names the chunk.
	let args = ["agent", "run", "--data-dir", path, "--listen", "127.0.0.1:0"];
	let stderr =
		one_line_failure(&[&args[..], &["--verify-sample", "256"][..]].concat(), "chunk 3");
	assert!(
		stderr.contains("refusing to serve") && stderr.contains("scrub can repair"),
		"{stderr}"
	);

	// Served without the check, the scrub rewrites the chunk from its parents: its stored leaf
	// proves the label is the original.
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &["--verify-sample", "0"]);
	let health = wait_for_scrub(&agent);
	assert_eq!(health["status"], "ok", "{health}");
	assert_eq!(health["plots"][0]["repaired_chunks"], 1, "{health}");
	assert_eq!(health["plots"][0]["damaged_chunks"], 0, "{health}");
	assert_eq!(std::fs::read(&chunks_path).expect("read"), original, "repaired on disk");
	let answer = challenge(&agent, &reg.proof_root, &[3]);
	assert_eq!(verify_challenge(&reg.plot.target(&HP, PASSPORT), &[3], &answer), Ok(()));
	drop(agent);

	// A damaged leaf cannot be repaired: the plot is served, and health says so.
	let tree_path = reg.dir.join("tree.bin");
	let mut tree = std::fs::read(&tree_path).expect("read tree");
	tree[32 * 10] ^= 0x01;
	std::fs::write(&tree_path, &tree).expect("tamper");
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &["--verify-sample", "0"]);
	let health = wait_for_scrub(&agent);
	assert_eq!(health["status"], "degraded", "{health}");
	assert_eq!(health["plots"][0]["damaged_chunks"], 1, "{health}");
	let root = to_hex(&reg.proof_root);
	let text = metrics(&agent);
	let line = format!("icn_agent_scrub_damaged_chunks_total{{plot=\"{root}\"}} 1");
	assert!(text.contains(&line), "{line} in {text}");
}

#[test]
fn bad_arguments_and_version_1_data_fail_with_one_line() {
	// A plot made by hand through the CLI: one JSON line on stdout, progress on stderr.
	let dir = tempfile::tempdir().expect("tmp");
	let path = dir.path().to_str().expect("utf-8");
	let hp = to_hex(&HP);
	let init = ["agent", "init", "--data-dir", path, "--hp", hp.as_str(), "--passport", "7"];
	let (status, stdout, stderr) = run_node_command(&[&init[..], &["--size", "1MiB"][..]].concat());
	assert!(status.success(), "{stderr}");
	assert_eq!(stdout.trim().lines().count(), 1, "{stdout}");
	let line: Value = serde_json::from_str(stdout.trim()).expect("JSON");
	assert_eq!(line["plot"]["leaf_count"], 256, "1 MiB is 256 chunks of 4 KiB");
	assert!(line["proof_root"].as_str().is_some_and(|r| r.len() == 66), "{line}");
	assert!(stderr.contains("plotting 100.0% (256/256 chunks"), "{stderr}");
	assert!(stderr.contains("register_node"), "{stderr}");

	let fresh = tempfile::tempdir().expect("tmp");
	let new_dir = fresh.path().join("new");
	let new = new_dir.to_str().expect("utf-8");
	let init_new = ["agent", "init", "--data-dir", new, "--hp", hp.as_str(), "--passport", "7"];
	let v1 = tempfile::tempdir().expect("tmp");
	std::fs::write(v1.path().join("agent.json"), r#"{"version":1,"leaf_count":8}"#).expect("v1");
	let v1_path = v1.path().to_str().expect("utf-8");
	let empty = tempfile::tempdir().expect("tmp");
	let empty_path = empty.path().to_str().expect("utf-8");
	let cases: Vec<(Vec<&str>, &str)> = vec![
		([&init[..], &["--chunks", "256"][..]].concat(), "already plotted"),
		([&init[..], &["--chunks", "300"][..]].concat(), "other parameters"),
		([&init_new[..], &["--chunks", "0"][..]].concat(), "at least 256 chunks"),
		([&init_new[..], &["--chunks", "255"][..]].concat(), "at least 256 chunks"),
		([&init_new[..], &["--chunks", "256", "--chunk-size", "3"][..]].concat(), "--chunk-size"),
		(
			[&init_new[..], &["--chunks", "256", "--chunk-size", "6000"][..]].concat(),
			"power of two",
		),
		([&init_new[..], &["--size", "12XB"][..]].concat(), "--size"),
		([&init_new[..], &["--size", "1MiB", "--chunks", "256"][..]].concat(), "not both"),
		(init_new.to_vec(), "--size"),
		(vec!["agent", "init", "--data-dir", new, "--hp", "nobody", "--passport", "7"], "--hp"),
		(vec!["agent", "run", "--data-dir", "/nonexistent/icn"], "agent init"),
		(vec!["agent", "run", "--data-dir", empty_path], "no plots"),
		(
			vec![
				"agent",
				"init",
				"--data-dir",
				v1_path,
				"--hp",
				hp.as_str(),
				"--passport",
				"7",
				"--chunks",
				"256",
			],
			"version-1",
		),
		(vec!["agent", "run", "--data-dir", v1_path], "version-1"),
	];
	for (args, message) in &cases {
		one_line_failure(args, message);
	}
	assert!(!new_dir.exists(), "refused arguments create nothing");
}

#[test]
fn an_agent_serving_wrong_chunks_fails_with_a_bad_proof() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, pos::MIN_PLOT_CHUNKS);
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &["--serve-corrupt-chunks"]);
	let answer = challenge(&agent, &reg.proof_root, &[2, 7]);
	assert_eq!(
		verify_challenge(&reg.plot.target(&HP, PASSPORT), &[2, 7], &answer),
		Err(PlotError::BadProof)
	);
}

/// 100 clients at once, 20 challenges of 4 random chunks each (2,000 requests, bounded to a
/// minute): every answer verifies; p50 and p99 latency are printed for `docs/performance.md`.
/// Each answer carries 16 chunks (4 challenged, 12 parents) with their paths.
#[test]
fn load_test_100_concurrent_clients() {
	let dir = tempfile::tempdir().expect("tmp");
	let reg = agent_init(dir.path(), &HP, PASSPORT, 4096);
	let agent = Arc::new(Agent::start(dir.path(), "127.0.0.1:0", &[]));
	let target = reg.plot.target(&HP, PASSPORT);
	let root = reg.proof_root;
	let latencies = Arc::new(Mutex::new(Vec::new()));
	let deadline = Instant::now() + Duration::from_secs(60);
	let started = Instant::now();
	let clients: Vec<_> = (0..100u32)
		.map(|client| {
			let (agent, latencies) = (agent.clone(), latencies.clone());
			std::thread::spawn(move || {
				for request in 0..20u32 {
					if Instant::now() > deadline {
						break;
					}
					let seed =
						client.wrapping_mul(7919).wrapping_add(request.wrapping_mul(104_729));
					let indices: Vec<u32> = (0..4).map(|k| (seed + k * 1031) % 4096).collect();
					let t = Instant::now();
					let answer = challenge(&agent, &root, &indices);
					let elapsed = t.elapsed();
					assert_eq!(verify_challenge(&target, &indices, &answer), Ok(()));
					latencies.lock().expect("lock").push(elapsed);
				}
			})
		})
		.collect();
	for client in clients {
		client.join().expect("client thread");
	}
	let total = started.elapsed();
	let mut all = latencies.lock().expect("lock").clone();
	all.sort();
	assert!(all.len() >= 1_000, "at least half the requests ran within the minute");
	let pct = |p: usize| all[(all.len() * p / 100).min(all.len() - 1)];
	println!(
		"agent load test: {} challenges (4 × 4 KiB chunks and their 12 parents each) from 100 \
		 concurrent clients in {:.2} s ({:.0}/s); latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
		all.len(),
		total.as_secs_f64(),
		all.len() as f64 / total.as_secs_f64(),
		pct(50).as_secs_f64() * 1e3,
		pct(99).as_secs_f64() * 1e3,
		all[all.len() - 1].as_secs_f64() * 1e3,
	);
}
