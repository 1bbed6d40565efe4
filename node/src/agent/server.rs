//! The agent's HTTP API (SPEC §7.2). Documented in `docs/agent.md`:
//!
//! * `GET /v1/health` — `200` JSON `{"status":"ok","leaf_count":…,"chunk_size":…,"proof_root":"0x…"}`.
//! * `GET /v1/info` — SCALE-encoded [`AgentInfo`] (`application/octet-stream`).
//! * `GET /v1/challenge?indices=3,17,42` — SCALE-encoded [`ChallengeResponse`]: the chunks asked
//!   for, in order, each with its Merkle path. At most [`MAX_CHALLENGE_INDICES`] indices, each
//!   below the chunk count; anything else is a `400` with a one-line reason.
//! * `GET /metrics` — Prometheus text: requests and failures per endpoint, request latency.
//!
//! Other paths are `404`, other methods `405`. Request headers must arrive within 10 s
//! (slow clients are cut off) and at most 1,024 connections are served at once.

use super::data::{to_hex, DataSet};
use codec::Encode;
use http_body_util::Full;
use hyper::{
	body::{Bytes, Incoming},
	header::CONTENT_TYPE,
	server::conn::http1,
	service::service_fn,
	Method, Request, Response, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use icn_primitives::merkle::{AgentInfo, ChallengeResponse, ChunkProof, MAX_CHALLENGE_INDICES};
use prometheus::{
	Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use std::{convert::Infallible, sync::Arc, time::Duration, time::Instant};
use tokio::{net::TcpListener, sync::Semaphore};

/// Most connections served at once.
const MAX_CONNECTIONS: usize = 1024;
/// Time a client has to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server serves and counts.
pub struct State {
	data: DataSet,
	/// Test-only: flip a byte of every served chunk (to exercise the oracle's `BadProof` path).
	corrupt: bool,
	registry: Registry,
	requests: IntCounterVec,
	failures: IntCounterVec,
	latency: HistogramVec,
}

impl State {
	/// Wraps a verified data set; `corrupt` makes every served chunk wrong.
	pub fn new(data: DataSet, corrupt: bool) -> Result<Self, String> {
		let registry = Registry::new_custom(Some("icn_agent".into()), None)
			.map_err(|e| format!("metrics: {e}"))?;
		let requests = IntCounterVec::new(
			Opts::new("requests_total", "HTTP requests served, by endpoint"),
			&["endpoint"],
		)
		.map_err(|e| format!("metrics: {e}"))?;
		let failures = IntCounterVec::new(
			Opts::new(
				"request_failures_total",
				"Requests answered with an error, by endpoint and status",
			),
			&["endpoint", "status"],
		)
		.map_err(|e| format!("metrics: {e}"))?;
		let latency = HistogramVec::new(
			HistogramOpts::new("request_duration_seconds", "Time to answer a request, by endpoint")
				.buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0]),
			&["endpoint"],
		)
		.map_err(|e| format!("metrics: {e}"))?;
		for metric in [
			Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
			Box::new(failures.clone()),
			Box::new(latency.clone()),
		] {
			registry.register(metric).map_err(|e| format!("metrics: {e}"))?;
		}
		Ok(State { data, corrupt, registry, requests, failures, latency })
	}
}

/// Serves `state` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, state: Arc<State>) {
	let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
	loop {
		let Ok(permit) = permits.clone().acquire_owned().await else { return };
		let stream = match listener.accept().await {
			Ok((stream, _)) => stream,
			Err(e) => {
				log::warn!(target: "agent", "accept failed: {e}");
				tokio::time::sleep(Duration::from_millis(50)).await;
				continue;
			},
		};
		let state = state.clone();
		tokio::spawn(async move {
			let service = service_fn(move |req| {
				let state = state.clone();
				async move { Ok::<_, Infallible>(handle(&state, req).await) }
			});
			let _ = http1::Builder::new()
				.timer(TokioTimer::new())
				.header_read_timeout(HEADER_TIMEOUT)
				.serve_connection(TokioIo::new(stream), service)
				.await;
			drop(permit);
		});
	}
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Full<Bytes>> {
	let mut response = Response::new(Full::new(Bytes::from(body.into())));
	*response.status_mut() = status;
	response
		.headers_mut()
		.insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"));
	response
}

fn binary(body: Vec<u8>) -> Response<Full<Bytes>> {
	let mut response = Response::new(Full::new(Bytes::from(body)));
	response
		.headers_mut()
		.insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/octet-stream"));
	response
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
	let started = Instant::now();
	let endpoint = match req.uri().path() {
		"/v1/health" => "health",
		"/v1/info" => "info",
		"/v1/challenge" => "challenge",
		"/metrics" => "metrics",
		_ => "other",
	};
	let response = if req.method() != Method::GET {
		text(StatusCode::METHOD_NOT_ALLOWED, "only GET is served\n")
	} else {
		match endpoint {
			"health" => health(state),
			"info" => binary(info(state).encode()),
			"challenge" => challenge(state, req.uri().query()).await,
			"metrics" => metrics(state),
			_ => text(
				StatusCode::NOT_FOUND,
				"unknown path; try /v1/health, /v1/info, /v1/challenge?indices=… or /metrics\n",
			),
		}
	};
	state.requests.with_label_values(&[endpoint]).inc();
	if !response.status().is_success() {
		state.failures.with_label_values(&[endpoint, response.status().as_str()]).inc();
	}
	state
		.latency
		.with_label_values(&[endpoint])
		.observe(started.elapsed().as_secs_f64());
	response
}

fn info(state: &State) -> AgentInfo {
	let tree = state.data.tree();
	AgentInfo {
		leaf_count: tree.leaf_count(),
		chunk_size: state.data.chunk_size(),
		tree_root: tree.root(),
	}
}

fn health(state: &State) -> Response<Full<Bytes>> {
	let tree = state.data.tree();
	let body = serde_json::json!({
		"status": "ok",
		"leaf_count": tree.leaf_count(),
		"chunk_size": state.data.chunk_size(),
		"proof_root": to_hex(&tree.proof_root()),
	});
	let mut response = text(StatusCode::OK, body.to_string());
	response
		.headers_mut()
		.insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
	response
}

fn metrics(state: &State) -> Response<Full<Bytes>> {
	let mut out = Vec::new();
	match TextEncoder::new().encode(&state.registry.gather(), &mut out) {
		Ok(()) => {
			let mut response = text(StatusCode::OK, String::from_utf8_lossy(&out).into_owned());
			response.headers_mut().insert(
				CONTENT_TYPE,
				hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
			);
			response
		},
		Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("metrics: {e}\n")),
	}
}

/// Parses `indices=a,b,c` against `leaf_count`: a clear reason for anything malformed.
pub fn parse_indices(query: Option<&str>, leaf_count: u32) -> Result<Vec<u32>, String> {
	let value = query
		.unwrap_or_default()
		.split('&')
		.find_map(|pair| pair.strip_prefix("indices="))
		.ok_or("missing query parameter `indices` (e.g. /v1/challenge?indices=0,5,9)")?;
	if value.is_empty() {
		return Err("`indices` is empty".into());
	}
	let parts: Vec<&str> = value.split(',').collect();
	if parts.len() > MAX_CHALLENGE_INDICES as usize {
		return Err(format!(
			"too many indices: {} (at most {MAX_CHALLENGE_INDICES} per challenge)",
			parts.len()
		));
	}
	parts
		.iter()
		.map(|p| {
			let index: u32 = p
				.parse()
				.map_err(|_| format!("`{p}` is not a chunk index (a decimal number)"))?;
			if index >= leaf_count {
				return Err(format!(
					"index {index} is out of range (this agent has {leaf_count} chunks)"
				));
			}
			Ok(index)
		})
		.collect()
}

async fn challenge(state: &State, query: Option<&str>) -> Response<Full<Bytes>> {
	let tree = state.data.tree();
	let indices = match parse_indices(query, tree.leaf_count()) {
		Ok(indices) => indices,
		Err(reason) => return text(StatusCode::BAD_REQUEST, format!("{reason}\n")),
	};
	let mut chunks = Vec::with_capacity(indices.len());
	for index in indices {
		let mut data = match tokio::task::block_in_place(|| state.data.chunk(index)) {
			Ok(data) => data,
			Err(e) => {
				log::error!(target: "agent", "cannot read chunk {index}: {e}");
				return text(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the challenge data\n");
			},
		};
		if state.corrupt {
			if let Some(byte) = data.first_mut() {
				*byte ^= 0xff;
			}
		}
		let proof = tree.proof(index).unwrap_or_default();
		chunks.push(ChunkProof { index, data, proof });
	}
	binary(ChallengeResponse { chunks }.encode())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn indices_are_parsed_strictly() {
		assert_eq!(parse_indices(Some("indices=0,5,9"), 10), Ok(vec![0, 5, 9]));
		assert_eq!(parse_indices(Some("x=1&indices=3"), 10), Ok(vec![3]));
		assert!(parse_indices(None, 10).unwrap_err().contains("missing"));
		assert!(parse_indices(Some("indices="), 10).unwrap_err().contains("empty"));
		assert!(parse_indices(Some("indices=1,,2"), 10)
			.unwrap_err()
			.contains("not a chunk index"));
		assert!(parse_indices(Some("indices=-1"), 10).unwrap_err().contains("not a chunk index"));
		assert!(parse_indices(Some("indices=10"), 10).unwrap_err().contains("out of range"));
		let many = (0..=MAX_CHALLENGE_INDICES).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
		assert!(parse_indices(Some(&format!("indices={many}")), 1000)
			.unwrap_err()
			.contains("too many"));
	}
}
