//! `icn-node agent` over real HTTP on loopback: `init` prints the root the served data proves;
//! challenges verify with the runtime's own Merkle code; bad requests get clear 4xx answers and
//! the server keeps serving; a tampered data set is refused at start; metrics count it all; and a
//! bounded load test reports challenge latency at 100 concurrent clients.

use std::{
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use codec::Decode;
use icn_primitives::merkle::{
	verify_challenge, AgentInfo, ChallengeResponse, ProofError, MAX_CHALLENGE_INDICES,
};

use crate::support::{agent_init, from_hex, http, run_node_command, Agent};

fn root_bytes(hex: &str) -> [u8; 32] {
	from_hex(hex).try_into().expect("a 32-byte root")
}

fn info(agent: &Agent) -> AgentInfo {
	let (status, body) = http(&agent.addr, "GET", "/v1/info");
	assert_eq!(status, 200);
	AgentInfo::decode(&mut &body[..]).expect("info decodes")
}

fn challenge(agent: &Agent, indices: &[u32]) -> ChallengeResponse {
	let list: Vec<String> = indices.iter().map(|i| i.to_string()).collect();
	let (status, body) =
		http(&agent.addr, "GET", &format!("/v1/challenge?indices={}", list.join(",")));
	assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
	ChallengeResponse::decode(&mut &body[..]).expect("challenge answer decodes")
}

#[test]
fn init_prints_the_root_and_run_serves_challenges_that_verify() {
	let dir = tempfile::tempdir().expect("tmp");
	let root = agent_init(dir.path(), 64, 4096);
	assert!(root.starts_with("0x") && root.len() == 66, "a hex root: {root}");
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &[]);

	let (status, body) = http(&agent.addr, "GET", "/v1/health");
	assert_eq!(status, 200);
	let health: serde_json::Value = serde_json::from_slice(&body).expect("health is JSON");
	assert_eq!(health["status"], "ok");
	assert_eq!(health["leaf_count"], 64);
	assert_eq!(health["proof_root"], root.as_str());

	let info = info(&agent);
	assert_eq!((info.leaf_count, info.chunk_size), (64, 4096));
	assert_eq!(info.proof_root(), root_bytes(&root));
	let indices = [0, 5, 63, 5];
	let answer = challenge(&agent, &indices);
	assert!(answer.chunks.iter().all(|c| c.data.len() == 4096));
	assert_eq!(verify_challenge(&root_bytes(&root), &info, &indices, &answer), Ok(()));
	// Another node's root does not accept this data.
	assert_eq!(verify_challenge(&[0; 32], &info, &indices, &answer), Err(ProofError::WrongRoot));

	// The data survives a restart: same root, same chunks.
	drop(agent);
	let again = Agent::start(dir.path(), "127.0.0.1:0", &[]);
	assert_eq!(challenge(&again, &indices), answer);
}

#[test]
fn bad_requests_get_clear_errors_and_the_agent_keeps_serving() {
	let dir = tempfile::tempdir().expect("tmp");
	agent_init(dir.path(), 16, 64);
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &[]);
	let too_many = (0..=MAX_CHALLENGE_INDICES).map(|_| "1").collect::<Vec<_>>().join(",");
	let cases = [
		("GET", "/v1/challenge".to_string(), 400, "missing query parameter"),
		("GET", "/v1/challenge?indices=".to_string(), 400, "empty"),
		("GET", "/v1/challenge?indices=1,x".to_string(), 400, "not a chunk index"),
		("GET", "/v1/challenge?indices=16".to_string(), 400, "out of range"),
		("GET", "/v1/challenge?indices=99999999999".to_string(), 400, "not a chunk index"),
		("GET", format!("/v1/challenge?indices={too_many}"), 400, "too many indices"),
		("GET", "/nope".to_string(), 404, "unknown path"),
		("POST", "/v1/challenge?indices=1".to_string(), 405, "only GET"),
	];
	for (method, path, code, message) in &cases {
		let (status, body) = http(&agent.addr, method, path);
		let text = String::from_utf8_lossy(&body);
		assert_eq!(status, *code, "{method} {path}: {text}");
		assert!(text.contains(message), "{method} {path}: {text}");
	}
	// A request that never finishes its headers does not stop others from being served.
	let _slow = std::net::TcpStream::connect(&agent.addr).expect("connect");
	assert_eq!(challenge(&agent, &[1, 2]).chunks.len(), 2);

	let (status, body) = http(&agent.addr, "GET", "/metrics");
	assert_eq!(status, 200);
	let metrics = String::from_utf8_lossy(&body);
	assert!(
		metrics
			.contains("icn_agent_request_failures_total{endpoint=\"challenge\",status=\"400\"} 6"),
		"{metrics}"
	);
	assert!(metrics.contains("icn_agent_requests_total{endpoint=\"challenge\"}"), "{metrics}");
	assert!(metrics.contains("icn_agent_request_duration_seconds_bucket"), "{metrics}");
}

#[test]
fn a_tampered_data_set_is_refused_and_bad_init_arguments_fail() {
	let dir = tempfile::tempdir().expect("tmp");
	agent_init(dir.path(), 8, 64);
	let chunks = dir.path().join("chunks.bin");
	let mut bytes = std::fs::read(&chunks).expect("read chunks");
	bytes[64 * 3 + 1] ^= 0x01;
	std::fs::write(&chunks, &bytes).expect("tamper");
	let (status, _, stderr) = run_node_command(&[
		"agent",
		"run",
		"--data-dir",
		dir.path().to_str().expect("utf-8"),
		"--listen",
		"127.0.0.1:0",
	]);
	assert!(!status.success());
	assert!(stderr.contains("chunk 3") && stderr.contains("refusing to serve"), "{stderr}");

	let path = dir.path().to_str().expect("utf-8");
	for (args, message) in [
		(vec!["agent", "init", "--data-dir", path, "--chunks", "8"], "already holds"),
		(vec!["agent", "init", "--data-dir", "/tmp/icn-agent-x", "--chunks", "0"], "--chunks"),
		(
			vec![
				"agent",
				"init",
				"--data-dir",
				"/tmp/icn-agent-y",
				"--chunks",
				"4",
				"--chunk-size",
				"3",
			],
			"--chunk-size",
		),
		(vec!["agent", "run", "--data-dir", "/nonexistent/icn"], "agent init"),
	] {
		let (status, _, stderr) = run_node_command(&args);
		assert!(!status.success(), "{args:?} should fail");
		assert!(stderr.contains(message), "{args:?}: {stderr}");
		assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
	}
}

#[test]
fn an_agent_serving_wrong_chunks_fails_with_a_bad_proof() {
	let dir = tempfile::tempdir().expect("tmp");
	let root = agent_init(dir.path(), 8, 64);
	let agent = Agent::start(dir.path(), "127.0.0.1:0", &["--serve-corrupt-chunks"]);
	let info = info(&agent);
	let answer = challenge(&agent, &[2, 7]);
	assert_eq!(
		verify_challenge(&root_bytes(&root), &info, &[2, 7], &answer),
		Err(ProofError::BadProof)
	);
}

/// 100 clients at once, 20 challenges of 4 random chunks each (2,000 requests, bounded to a
/// minute): every answer verifies; p50 and p99 latency are printed for `docs/performance.md`.
#[test]
fn load_test_100_concurrent_clients() {
	let dir = tempfile::tempdir().expect("tmp");
	let root = root_bytes(&agent_init(dir.path(), 4096, 4096));
	let agent = Arc::new(Agent::start(dir.path(), "127.0.0.1:0", &[]));
	let info = Arc::new(info(&agent));
	let latencies = Arc::new(Mutex::new(Vec::new()));
	let deadline = Instant::now() + Duration::from_secs(60);
	let started = Instant::now();
	let clients: Vec<_> = (0..100u32)
		.map(|client| {
			let (agent, info, latencies) = (agent.clone(), info.clone(), latencies.clone());
			std::thread::spawn(move || {
				for request in 0..20u32 {
					if Instant::now() > deadline {
						break;
					}
					let seed =
						client.wrapping_mul(7919).wrapping_add(request.wrapping_mul(104_729));
					let indices: Vec<u32> = (0..4).map(|k| (seed + k * 1031) % 4096).collect();
					let t = Instant::now();
					let answer = challenge(&agent, &indices);
					let elapsed = t.elapsed();
					assert_eq!(verify_challenge(&root, &info, &indices, &answer), Ok(()));
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
		"agent load test: {} challenges (4 × 4 KiB chunks each) from 100 concurrent clients in \
		 {:.2} s ({:.0}/s); latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
		all.len(),
		total.as_secs_f64(),
		all.len() as f64 / total.as_secs_f64(),
		pct(50).as_secs_f64() * 1e3,
		pct(99).as_secs_f64() * 1e3,
		all[all.len() - 1].as_secs_f64() * 1e3,
	);
}
