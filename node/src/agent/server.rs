//! The agent's HTTP API (SPEC §7.2). Documented in `docs/agent.md`:
//!
//! * `GET /v1/plots/<proof root>/challenge?indices=3,17,42` — SCALE-encoded [`PlotResponse`]: for
//!   each index asked, in order, the chunk and its parents (`pos::parents_of`), each with its
//!   Merkle path. At most [`MAX_CHALLENGE_INDICES`] indices, each below the plot's chunk count;
//!   anything else is a `400` with a one-line reason; an unknown root is a `404`.
//! * `GET /v1/plots` — JSON array of the served plots (`proof_root`, `hp`, `passport`, `nonce`,
//!   `leaf_count`, `chunk_size`, `tree_root`).
//! * `GET /v1/health` — JSON `{"status":"ok"|"degraded","plots":[…]}` with each plot's scrub
//!   progress and damage; `degraded` when any plot has damage the scrub could not repair.
//! * `GET /metrics` — Prometheus text: requests and failures per endpoint, request latency, and
//!   per plot (label `plot`, its proof root) the scrub's progress and counts and the chunk count.
//!
//! The version-1 paths `/v1/info` and `/v1/challenge` answer `404` saying where the API moved.
//! Other paths are `404`, other methods `405`. Request headers must arrive within 10 s (slow
//! clients are cut off), a connection lasts at most 30 s, and at most 1,024 connections are
//! served at once.

use super::plot::{to_hex, DiskPlot};
use codec::Encode;
use http_body_util::Full;
use hyper::{
	body::{Bytes, Incoming},
	header::{HeaderValue, CONTENT_TYPE},
	server::conn::http1,
	service::service_fn,
	Method, Request, Response, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use icn_primitives::pos::{PlotResponse, MAX_CHALLENGE_INDICES};
use prometheus::{
	Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts,
	Registry, TextEncoder,
};
use std::{
	convert::Infallible,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::{net::TcpListener, sync::Semaphore};

/// Most connections served at once.
const MAX_CONNECTIONS: usize = 1024;
/// Time a client has to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a connection is kept, whatever it does: a client that stops reading its answer
/// releases its connection slot (and the answer's memory) after this. An oracle's challenge has a
/// 2 s deadline; per-client limits and a bound on bytes in flight are issue 22's.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server serves and counts.
pub struct State {
	plots: Vec<Arc<DiskPlot>>,
	/// Test-only: flip a byte of every served challenged chunk (to exercise the oracle's
	/// `BadProof` path).
	corrupt: bool,
	registry: Registry,
	requests: IntCounterVec,
	failures: IntCounterVec,
	latency: HistogramVec,
	scrub_progress: GaugeVec,
	scrub_checked: IntCounterVec,
	scrub_damaged: IntCounterVec,
	scrub_repaired: IntCounterVec,
	plot_chunks: IntGaugeVec,
	/// Serializes copying the scrub's counters into the Prometheus counters (which only count
	/// up), so two concurrent scrapes never add the same difference twice.
	metrics_sync: Mutex<()>,
}

fn metric_error(e: prometheus::Error) -> String {
	format!("metrics: {e}")
}

impl State {
	/// Wraps the loaded plots; `corrupt` makes every served challenged chunk wrong.
	pub fn new(plots: Vec<Arc<DiskPlot>>, corrupt: bool) -> Result<Self, String> {
		let registry =
			Registry::new_custom(Some("icn_agent".into()), None).map_err(metric_error)?;
		let requests = IntCounterVec::new(
			Opts::new("requests_total", "HTTP requests served, by endpoint"),
			&["endpoint"],
		)
		.map_err(metric_error)?;
		let failures = IntCounterVec::new(
			Opts::new(
				"request_failures_total",
				"Requests answered with an error, by endpoint and status",
			),
			&["endpoint", "status"],
		)
		.map_err(metric_error)?;
		let latency = HistogramVec::new(
			HistogramOpts::new("request_duration_seconds", "Time to answer a request, by endpoint")
				.buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0]),
			&["endpoint"],
		)
		.map_err(metric_error)?;
		let scrub_progress = GaugeVec::new(
			Opts::new("scrub_progress_ratio", "Progress of the current scrub pass (0-1), by plot"),
			&["plot"],
		)
		.map_err(metric_error)?;
		let scrub_checked = IntCounterVec::new(
			Opts::new("scrub_chunks_checked_total", "Chunks the scrub has checked, by plot"),
			&["plot"],
		)
		.map_err(metric_error)?;
		let scrub_damaged = IntCounterVec::new(
			Opts::new(
				"scrub_damaged_chunks_total",
				"Damaged chunks the scrub could not repair (counted by every pass), by plot",
			),
			&["plot"],
		)
		.map_err(metric_error)?;
		let scrub_repaired = IntCounterVec::new(
			Opts::new("scrub_repaired_chunks_total", "Chunks the scrub has repaired, by plot"),
			&["plot"],
		)
		.map_err(metric_error)?;
		let plot_chunks =
			IntGaugeVec::new(Opts::new("plot_chunks", "Chunks in the plot, by plot"), &["plot"])
				.map_err(metric_error)?;
		for metric in [
			Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
			Box::new(failures.clone()),
			Box::new(latency.clone()),
			Box::new(scrub_progress.clone()),
			Box::new(scrub_checked.clone()),
			Box::new(scrub_damaged.clone()),
			Box::new(scrub_repaired.clone()),
			Box::new(plot_chunks.clone()),
		] {
			registry.register(metric).map_err(metric_error)?;
		}
		let state = State {
			plots,
			corrupt,
			registry,
			requests,
			failures,
			latency,
			scrub_progress,
			scrub_checked,
			scrub_damaged,
			scrub_repaired,
			plot_chunks,
			metrics_sync: Mutex::new(()),
		};
		state.sync_scrub_metrics();
		Ok(state)
	}

	fn find(&self, root: &str) -> Option<&Arc<DiskPlot>> {
		let wanted = root.trim_start_matches("0x").to_ascii_lowercase();
		self.plots.iter().find(|p| p.root_hex().trim_start_matches("0x") == wanted)
	}

	/// Copies every plot's scrub counters into the Prometheus metrics.
	fn sync_scrub_metrics(&self) {
		let _guard = self.metrics_sync.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		for plot in &self.plots {
			let label = [plot.root_hex()];
			let scrub = plot.scrub_stats().snapshot(plot.leaf_count());
			self.scrub_progress.with_label_values(&label).set(scrub.progress);
			count_up_to(&self.scrub_checked.with_label_values(&label), scrub.checked);
			count_up_to(&self.scrub_damaged.with_label_values(&label), scrub.damaged_total);
			count_up_to(&self.scrub_repaired.with_label_values(&label), scrub.repaired_total);
			self.plot_chunks.with_label_values(&label).set(i64::from(plot.leaf_count()));
		}
	}
}

/// Raises a counter to `value` (counters only go up; the scrub's totals never go down).
fn count_up_to(counter: &IntCounter, value: u64) {
	let current = counter.get();
	if value > current {
		counter.inc_by(value - current);
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
			let connection = http1::Builder::new()
				.timer(TokioTimer::new())
				.header_read_timeout(HEADER_TIMEOUT)
				.serve_connection(TokioIo::new(stream), service);
			let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
			drop(permit);
		});
	}
}

fn with_type(
	mut response: Response<Full<Bytes>>,
	content_type: &'static str,
) -> Response<Full<Bytes>> {
	response
		.headers_mut()
		.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
	response
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Full<Bytes>> {
	let mut response = Response::new(Full::new(Bytes::from(body.into())));
	*response.status_mut() = status;
	with_type(response, "text/plain; charset=utf-8")
}

fn json(body: &serde_json::Value) -> Response<Full<Bytes>> {
	with_type(text(StatusCode::OK, body.to_string()), "application/json")
}

fn binary(body: Vec<u8>) -> Response<Full<Bytes>> {
	with_type(Response::new(Full::new(Bytes::from(body))), "application/octet-stream")
}

/// Where a request goes.
enum Route<'a> {
	Health,
	Plots,
	/// A challenge for the plot with this proof root (as written in the path).
	Challenge(&'a str),
	Metrics,
	/// A version-1 path.
	Moved,
	Unknown,
}

impl<'a> Route<'a> {
	fn of(path: &'a str) -> Self {
		match path {
			"/v1/health" => Route::Health,
			"/v1/plots" | "/v1/plots/" => Route::Plots,
			"/metrics" => Route::Metrics,
			"/v1/info" | "/v1/challenge" => Route::Moved,
			_ => match path.strip_prefix("/v1/plots/").and_then(|p| p.strip_suffix("/challenge")) {
				Some(root) if !root.is_empty() && !root.contains('/') => Route::Challenge(root),
				_ => Route::Unknown,
			},
		}
	}

	/// The `endpoint` label of the request metrics.
	fn endpoint(&self) -> &'static str {
		match self {
			Route::Health => "health",
			Route::Plots => "plots",
			Route::Challenge(_) => "challenge",
			Route::Metrics => "metrics",
			Route::Moved => "moved",
			Route::Unknown => "other",
		}
	}
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
	let started = Instant::now();
	let route = Route::of(req.uri().path());
	let endpoint = route.endpoint();
	let response = if req.method() != Method::GET {
		text(StatusCode::METHOD_NOT_ALLOWED, "only GET is served\n")
	} else {
		match route {
			Route::Health => health(state),
			Route::Plots => plots(state),
			Route::Challenge(root) => challenge(state, root, req.uri().query()).await,
			Route::Metrics => metrics(state),
			Route::Moved => text(
				StatusCode::NOT_FOUND,
				"this API moved with the proof-of-space plots (format version 2): challenges are \
				 GET /v1/plots/<proof root>/challenge?indices=…, and GET /v1/plots lists the \
				 plots\n",
			),
			Route::Unknown => text(
				StatusCode::NOT_FOUND,
				"unknown path; try /v1/plots, /v1/plots/<proof root>/challenge?indices=…, \
				 /v1/health or /metrics\n",
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

fn plots(state: &State) -> Response<Full<Bytes>> {
	let list: Vec<serde_json::Value> = state
		.plots
		.iter()
		.map(|p| {
			let params = p.params();
			serde_json::json!({
				"proof_root": p.root_hex(),
				"hp": to_hex(&params.hp),
				"passport": params.passport,
				"nonce": params.nonce,
				"leaf_count": params.leaf_count,
				"chunk_size": params.chunk_size,
				"tree_root": to_hex(&p.plot().tree_root),
			})
		})
		.collect();
	json(&serde_json::Value::Array(list))
}

fn health(state: &State) -> Response<Full<Bytes>> {
	let mut degraded = false;
	let list: Vec<serde_json::Value> = state
		.plots
		.iter()
		.map(|p| {
			let scrub = p.scrub_stats().snapshot(p.leaf_count());
			degraded |= scrub.damaged > 0;
			serde_json::json!({
				"proof_root": p.root_hex(),
				"leaf_count": p.leaf_count(),
				"chunk_size": p.chunk_size(),
				"scrub_progress": scrub.progress,
				"scrub_passes": scrub.passes,
				"damaged_chunks": scrub.damaged,
				"repaired_chunks": scrub.repaired_total,
			})
		})
		.collect();
	json(&serde_json::json!({
		"status": if degraded { "degraded" } else { "ok" },
		"plots": list,
	}))
}

fn metrics(state: &State) -> Response<Full<Bytes>> {
	state.sync_scrub_metrics();
	let mut out = Vec::new();
	match TextEncoder::new().encode(&state.registry.gather(), &mut out) {
		Ok(()) => with_type(
			text(StatusCode::OK, String::from_utf8_lossy(&out).into_owned()),
			"text/plain; version=0.0.4",
		),
		Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("metrics: {e}\n")),
	}
}

/// Parses `indices=a,b,c` against `leaf_count`: a clear reason for anything malformed.
/// Duplicates are allowed (an oracle's draw may repeat an index).
pub fn parse_indices(query: Option<&str>, leaf_count: u32) -> Result<Vec<u32>, String> {
	let value = query
		.unwrap_or_default()
		.split('&')
		.find_map(|pair| pair.strip_prefix("indices="))
		.ok_or("missing query parameter `indices` (e.g. …/challenge?indices=0,5,9)")?;
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
					"index {index} is out of range (this plot has {leaf_count} chunks)"
				));
			}
			Ok(index)
		})
		.collect()
}

async fn challenge(state: &State, root: &str, query: Option<&str>) -> Response<Full<Bytes>> {
	let Some(plot) = state.find(root) else {
		return text(
			StatusCode::NOT_FOUND,
			format!("no plot with proof root {root} on this agent (GET /v1/plots lists them)\n"),
		);
	};
	let indices = match parse_indices(query, plot.leaf_count()) {
		Ok(indices) => indices,
		Err(reason) => return text(StatusCode::BAD_REQUEST, format!("{reason}\n")),
	};
	// Disk reads block; this keeps the other connections on the runtime's other workers.
	let answer = tokio::task::block_in_place(|| {
		indices
			.iter()
			.map(|index| plot.challenged(*index))
			.collect::<std::io::Result<Vec<_>>>()
	});
	match answer {
		Ok(mut chunks) => {
			if state.corrupt {
				for answer in &mut chunks {
					if let Some(byte) = answer.chunk.data.first_mut() {
						*byte ^= 0xff;
					}
				}
			}
			binary(PlotResponse { chunks }.encode())
		},
		Err(e) => {
			eprintln!(
				"icn-node agent: ERROR: plot {}: cannot read a challenged chunk: {e}",
				plot.root_hex()
			);
			text(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the plot\n")
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn indices_are_parsed_strictly() {
		assert_eq!(parse_indices(Some("indices=0,5,9"), 10), Ok(vec![0, 5, 9]));
		assert_eq!(parse_indices(Some("indices=3,3"), 10), Ok(vec![3, 3]));
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

	#[test]
	fn paths_are_routed() {
		let root = "0xab";
		assert!(matches!(Route::of("/v1/plots/0xab/challenge"), Route::Challenge(r) if r == root));
		assert!(matches!(Route::of("/v1/plots"), Route::Plots));
		assert!(matches!(Route::of("/v1/plots//challenge"), Route::Unknown));
		assert!(matches!(Route::of("/v1/plots/a/b/challenge"), Route::Unknown));
		assert!(matches!(Route::of("/v1/challenge"), Route::Moved));
		assert!(matches!(Route::of("/v1/info"), Route::Moved));
		assert!(matches!(Route::of("/nope"), Route::Unknown));
	}
}
