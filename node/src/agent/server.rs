//! The agent's HTTP API (SPEC §7.2), on two addresses. Documented in `docs/agent.md`.
//!
//! The **public** address (`--listen`, what the chain's `endpoint` names) serves what oracles
//! and the marketplace need:
//!
//! * `GET /v1/plots/<proof root>/challenge?indices=3,17,42` — SCALE-encoded [`PlotResponse`]: for
//!   each index asked, in order, the chunk and its parents (`pos::parents_of`), each with its
//!   Merkle path. At most [`MAX_CHALLENGE_INDICES`] indices, each below the plot's chunk count;
//!   anything else is a `400` with a one-line reason; an unknown root is a `404`.
//! * `GET /v1/plots` — JSON array of the served plots (`proof_root`, `hp`, `passport`, `nonce`,
//!   `leaf_count`, `chunk_size`, `tree_root`).
//!
//! The **private** address (`--metrics-listen`, loopback by default) serves the operator:
//!
//! * `GET /v1/health` — JSON `{"status":"ok"|"degraded"|"failing", …}` with each plot's files,
//!   challenges served, read errors and scrub state ([`health`]); `503` when `failing`.
//! * `GET /metrics` — Prometheus text: requests and failures per endpoint, request latency,
//!   connections and answer bytes in flight, and per plot (label `plot`, its proof root) the
//!   scrub's progress and counts, read errors and the chunk count.
//!
//! Either address answers the other's paths with a `404` saying where they are. The version-1
//! paths `/v1/info` and `/v1/challenge` answer `404` saying where the API moved. Other paths are
//! `404`, other methods `405`.
//!
//! Limits ([`Limits`]): a connection idle for `--idle-timeout-secs` (no request headers) is
//! closed; a write that waits `--response-timeout-secs` for the client to read fails and closes
//! it; a connection lasts at most [`CONNECTION_TIMEOUT`]; at most `--max-connections` are served
//! at once per address; and answers in flight hold at most `--max-bytes-in-flight` bytes
//! ([`limits::Budget`]: a challenge reserves its answer's size before reading the disk and is a
//! `503` if there is no room within a second). A challenge is logged at debug level (target
//! `agent::access`): peer, path, status, bytes and time.
//!
//! Stopping ([`serve`] with its stop signal): the listener closes at once, connections finish
//! the request they are answering (keep-alive ends), and `serve` returns when all are closed or
//! the shutdown timeout has passed.

use super::{
	limits::{Budget, Refused, WriteDeadline},
	plot::{to_hex, DiskPlot},
};
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
use icn_primitives::pos::{self, PlotResponse, MAX_CHALLENGE_INDICES};
use prometheus::{
	Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
	IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::{
	convert::Infallible,
	net::SocketAddr,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::{
	net::TcpListener,
	sync::{watch, Semaphore},
};

/// Longest a connection is kept, whatever it does: a client that reads its answer a byte at a
/// time (never stalling a write for long) still releases its slot and its answer after this.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a challenge waits for room in the byte budget before it is answered `503`.
const BUDGET_WAIT: Duration = Duration::from_secs(1);

/// The server's limits (from the agent's settings).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	pub idle_timeout: Duration,
	pub response_timeout: Duration,
	pub max_connections: u32,
	pub shutdown_timeout: Duration,
}

/// Testing only: how the agent misbehaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestFaults {
	/// Flip a byte of every served challenged chunk (the oracle's `BadProof` path).
	pub corrupt: bool,
	/// Wait this long before answering a challenge (a slow disk; the graceful stop's test).
	pub challenge_delay: Duration,
}

/// What one plot's challenges have done, for health and metrics.
#[derive(Default, Debug)]
struct Served {
	challenges: u64,
	last_served: Option<Instant>,
	read_errors: u64,
	/// The last failed read, if it came after the last answer served.
	failing: Option<String>,
}

/// What the server serves and counts.
pub struct State {
	plots: Vec<Arc<DiskPlot>>,
	served: Vec<Mutex<Served>>,
	faults: TestFaults,
	budget: Budget,
	started: Instant,
	registry: Registry,
	requests: IntCounterVec,
	failures: IntCounterVec,
	latency: HistogramVec,
	scrub_progress: GaugeVec,
	scrub_checked: IntCounterVec,
	scrub_damaged: IntCounterVec,
	scrub_repaired: IntCounterVec,
	plot_chunks: IntGaugeVec,
	read_errors: IntCounterVec,
	connections: IntGauge,
	bytes_in_flight: IntGauge,
	/// Serializes copying the scrub's counters into the Prometheus counters (which only count
	/// up), so two concurrent scrapes never add the same difference twice.
	metrics_sync: Mutex<()>,
}

fn metric_error(e: prometheus::Error) -> String {
	format!("metrics: {e}")
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
	/// Wraps the loaded plots, with a budget of `max_bytes_in_flight` for answers.
	pub fn new(
		plots: Vec<Arc<DiskPlot>>,
		max_bytes_in_flight: u64,
		faults: TestFaults,
	) -> Result<Self, String> {
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
		let read_errors = IntCounterVec::new(
			Opts::new("read_errors_total", "Challenges that failed to read the plot, by plot"),
			&["plot"],
		)
		.map_err(metric_error)?;
		let connections = IntGauge::new("connections", "Open connections, both addresses")
			.map_err(metric_error)?;
		let bytes_in_flight = IntGauge::new(
			"answer_bytes_in_flight",
			"Bytes reserved by answers not yet written out (at most --max-bytes-in-flight)",
		)
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
			Box::new(read_errors.clone()),
			Box::new(connections.clone()),
			Box::new(bytes_in_flight.clone()),
		] {
			registry.register(metric).map_err(metric_error)?;
		}
		let served = plots.iter().map(|_| Mutex::new(Served::default())).collect();
		let state = State {
			plots,
			served,
			faults,
			budget: Budget::new(max_bytes_in_flight, BUDGET_WAIT),
			started: Instant::now(),
			registry,
			requests,
			failures,
			latency,
			scrub_progress,
			scrub_checked,
			scrub_damaged,
			scrub_repaired,
			plot_chunks,
			read_errors,
			connections,
			bytes_in_flight,
			metrics_sync: Mutex::new(()),
		};
		for plot in &state.plots {
			// Present (at 0) from the start, so an alert on its rate has a series.
			let _ = state.read_errors.with_label_values(&[plot.root_hex()]);
		}
		state.sync_scrub_metrics();
		Ok(state)
	}

	fn find(&self, root: &str) -> Option<usize> {
		let wanted = root.trim_start_matches("0x").to_ascii_lowercase();
		self.plots.iter().position(|p| p.root_hex().trim_start_matches("0x") == wanted)
	}

	/// Copies every plot's scrub counters into the Prometheus metrics.
	fn sync_scrub_metrics(&self) {
		let _guard = lock(&self.metrics_sync);
		for plot in &self.plots {
			let label = [plot.root_hex()];
			let scrub = plot.scrub_stats().snapshot(plot.leaf_count());
			self.scrub_progress.with_label_values(&label).set(scrub.progress);
			count_up_to(&self.scrub_checked.with_label_values(&label), scrub.checked);
			count_up_to(&self.scrub_damaged.with_label_values(&label), scrub.damaged_total);
			count_up_to(&self.scrub_repaired.with_label_values(&label), scrub.repaired_total);
			self.plot_chunks.with_label_values(&label).set(i64::from(plot.leaf_count()));
		}
		self.bytes_in_flight
			.set(i64::try_from(self.budget.in_flight()).unwrap_or(i64::MAX));
	}
}

/// Raises a counter to `value` (counters only go up; the scrub's totals never go down).
fn count_up_to(counter: &IntCounter, value: u64) {
	let current = counter.get();
	if value > current {
		counter.inc_by(value - current);
	}
}

/// Which of the two addresses a server is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
	/// `--listen`: challenges and the plot list.
	Public,
	/// `--metrics-listen`: health and metrics.
	Private,
}

/// Resolves when `stop` says so (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
	let _ = stop.wait_for(|stop| *stop).await;
}

/// Serves `state` on `listener` until `stop` turns true; then closes the listener, lets every
/// connection finish the request it is answering, and returns the number of connections still
/// open when `limits.shutdown_timeout` ran out (0 when all finished).
pub async fn serve(
	listener: TcpListener,
	side: Side,
	state: Arc<State>,
	limits: Limits,
	mut stop: watch::Receiver<bool>,
) -> u32 {
	let slots = limits.max_connections;
	let permits = Arc::new(Semaphore::new(slots as usize));
	loop {
		let permit = tokio::select! {
			_ = stopped(&mut stop) => break,
			permit = permits.clone().acquire_owned() => match permit {
				Ok(permit) => permit,
				Err(_) => break,
			},
		};
		let accepted = tokio::select! {
			_ = stopped(&mut stop) => break,
			accepted = listener.accept() => accepted,
		};
		let (stream, peer) = match accepted {
			Ok(accepted) => accepted,
			Err(e) => {
				log::warn!(target: "agent", "accept failed: {e}");
				tokio::time::sleep(Duration::from_millis(50)).await;
				continue;
			},
		};
		let state = state.clone();
		let mut stop = stop.clone();
		tokio::spawn(async move {
			state.connections.inc();
			let service_state = state.clone();
			let service = service_fn(move |req| {
				let state = service_state.clone();
				async move { Ok::<_, Infallible>(handle(&state, side, peer, req).await) }
			});
			let io = TokioIo::new(WriteDeadline::new(stream, limits.response_timeout));
			let connection = http1::Builder::new()
				.timer(TokioTimer::new())
				.header_read_timeout(limits.idle_timeout)
				.serve_connection(io, service);
			tokio::pin!(connection);
			let work = async {
				tokio::select! {
					result = connection.as_mut() => result,
					_ = stopped(&mut stop) => {
						// Finish the request in progress, then close (no keep-alive).
						connection.as_mut().graceful_shutdown();
						connection.as_mut().await
					},
				}
			};
			if let Ok(Err(e)) = tokio::time::timeout(CONNECTION_TIMEOUT, work).await {
				log::debug!(target: "agent::access", "{peer}: connection closed: {e}");
			}
			state.connections.dec();
			drop(permit);
		});
	}
	// No new connections from here: the listening socket is closed.
	drop(listener);
	let drained = tokio::time::timeout(limits.shutdown_timeout, permits.acquire_many(slots))
		.await
		.is_ok();
	if drained {
		0
	} else {
		slots.saturating_sub(u32::try_from(permits.available_permits()).unwrap_or(slots))
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

fn binary(body: Bytes) -> Response<Full<Bytes>> {
	with_type(Response::new(Full::new(body)), "application/octet-stream")
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
	/// A path of the other address.
	OtherSide(Side),
	Unknown,
}

impl<'a> Route<'a> {
	fn of(path: &'a str, side: Side) -> Self {
		let route = match path {
			"/v1/health" => Route::Health,
			"/v1/plots" | "/v1/plots/" => Route::Plots,
			"/metrics" => Route::Metrics,
			"/v1/info" | "/v1/challenge" => Route::Moved,
			_ => match path.strip_prefix("/v1/plots/").and_then(|p| p.strip_suffix("/challenge")) {
				Some(root) if !root.is_empty() && !root.contains('/') => Route::Challenge(root),
				_ => Route::Unknown,
			},
		};
		match (&route, side) {
			(Route::Health | Route::Metrics, Side::Public) => Route::OtherSide(Side::Private),
			(Route::Plots | Route::Challenge(_) | Route::Moved, Side::Private) => {
				Route::OtherSide(Side::Public)
			},
			_ => route,
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
			Route::OtherSide(_) | Route::Unknown => "other",
		}
	}
}

async fn handle(
	state: &State,
	side: Side,
	peer: SocketAddr,
	req: Request<Incoming>,
) -> Response<Full<Bytes>> {
	let started = Instant::now();
	let route = Route::of(req.uri().path(), side);
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
			Route::OtherSide(Side::Private) => text(
				StatusCode::NOT_FOUND,
				"/v1/health and /metrics are served on the agent's metrics address \
				 (--metrics-listen, loopback by default), not on the public one\n",
			),
			Route::OtherSide(Side::Public) => text(
				StatusCode::NOT_FOUND,
				"challenges and /v1/plots are served on the agent's public address (--listen)\n",
			),
			Route::Unknown => text(
				StatusCode::NOT_FOUND,
				match side {
					Side::Public =>
						"unknown path; try /v1/plots or /v1/plots/<proof root>/challenge?indices=…\n",
					Side::Private => "unknown path; try /v1/health or /metrics\n",
				},
			),
		}
	};
	let status = response.status();
	state.requests.with_label_values(&[endpoint]).inc();
	if !status.is_success() {
		state.failures.with_label_values(&[endpoint, status.as_str()]).inc();
	}
	let elapsed = started.elapsed();
	state.latency.with_label_values(&[endpoint]).observe(elapsed.as_secs_f64());
	log::debug!(
		target: "agent::access",
		"{peer} GET {} {} {} bytes {:.1} ms",
		req.uri(),
		status.as_u16(),
		hyper::body::Body::size_hint(response.body()).exact().unwrap_or(0),
		elapsed.as_secs_f64() * 1e3,
	);
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

/// `GET /v1/health`: what the agent can really serve now.
///
/// Per plot: `files` (`"ok"`, or why the chunk or tree file is not what was opened — removed,
/// truncated: checked by path on every call), the challenges served and when the last one was
/// (`last_challenge_secs_ago`, `null` before the first), the read errors and the last one if
/// no challenge has been answered since (`failing_read`), and the scrub's state. `status` is
/// `failing` (HTTP `503`) when any plot's files are wrong or its last challenge failed to read,
/// `degraded` when the scrub found damage it could not repair, `ok` otherwise.
fn health(state: &State) -> Response<Full<Bytes>> {
	let (mut degraded, mut failing) = (false, false);
	let now = Instant::now();
	let list: Vec<serde_json::Value> = state
		.plots
		.iter()
		.zip(&state.served)
		.map(|(p, served)| {
			let scrub = p.scrub_stats().snapshot(p.leaf_count());
			let files = p.check_files();
			let served = lock(served);
			degraded |= scrub.damaged > 0;
			failing |= files.is_err() || served.failing.is_some();
			serde_json::json!({
				"proof_root": p.root_hex(),
				"leaf_count": p.leaf_count(),
				"chunk_size": p.chunk_size(),
				"files": files.err().unwrap_or_else(|| "ok".into()),
				"challenges_served": served.challenges,
				"last_challenge_secs_ago": served.last_served.map(|t| now.duration_since(t).as_secs()),
				"read_errors": served.read_errors,
				"failing_read": served.failing,
				"scrub_progress": scrub.progress,
				"scrub_passes": scrub.passes,
				"damaged_chunks": scrub.damaged,
				"repaired_chunks": scrub.repaired_total,
			})
		})
		.collect();
	let status = if failing {
		"failing"
	} else if degraded {
		"degraded"
	} else {
		"ok"
	};
	let mut response = json(&serde_json::json!({
		"status": status,
		"plots_loaded": state.plots.len(),
		"uptime_secs": now.duration_since(state.started).as_secs(),
		"plots": list,
	}));
	if failing {
		*response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
	}
	response
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

/// The most bytes an answer to `count` challenged indices of `plot` can take: each index
/// brings its chunk and [`pos::PARENTS`] parents, each with its index, length prefixes and a
/// Merkle path of at most 32 hashes (plus one per level for SCALE's compact lengths).
fn answer_bound(plot: &DiskPlot, count: usize) -> u64 {
	let per_chunk = u64::from(plot.chunk_size()) + 16 + 33 * 32;
	let per_index = (1 + pos::PARENTS as u64) * per_chunk + 8;
	(count as u64).saturating_mul(per_index).saturating_add(16)
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
	let Some(at) = state.find(root) else {
		return text(
			StatusCode::NOT_FOUND,
			format!("no plot with proof root {root} on this agent (GET /v1/plots lists them)\n"),
		);
	};
	let (plot, served) = (&state.plots[at], &state.served[at]);
	let indices = match parse_indices(query, plot.leaf_count()) {
		Ok(indices) => indices,
		Err(reason) => return text(StatusCode::BAD_REQUEST, format!("{reason}\n")),
	};
	let reservation = match state.budget.reserve(answer_bound(plot, indices.len())).await {
		Ok(reservation) => reservation,
		Err(Refused::TooLarge { bytes, max }) => {
			return text(
				StatusCode::SERVICE_UNAVAILABLE,
				format!(
					"this answer can take {bytes} bytes, more than --max-bytes-in-flight \
					 ({max}): ask for fewer indices\n"
				),
			)
		},
		Err(Refused::Busy) => {
			log::warn!(
				target: "agent",
				"busy: answers in flight hold {} of {} bytes (--max-bytes-in-flight); a challenge \
				 was refused",
				state.budget.in_flight(),
				state.budget.max_bytes()
			);
			return text(
				StatusCode::SERVICE_UNAVAILABLE,
				"busy: too many answers in flight, try again\n",
			);
		},
	};
	if !state.faults.challenge_delay.is_zero() {
		tokio::time::sleep(state.faults.challenge_delay).await;
	}
	// Disk reads block; this keeps the other connections on the runtime's other workers.
	let answer = tokio::task::block_in_place(|| {
		indices
			.iter()
			.map(|index| plot.challenged(*index))
			.collect::<std::io::Result<Vec<_>>>()
	});
	match answer {
		Ok(mut chunks) => {
			if state.faults.corrupt {
				for answer in &mut chunks {
					if let Some(byte) = answer.chunk.data.first_mut() {
						*byte ^= 0xff;
					}
				}
			}
			{
				let mut served = lock(served);
				served.challenges = served.challenges.saturating_add(1);
				served.last_served = Some(Instant::now());
				served.failing = None;
			}
			binary(Budget::answer(PlotResponse { chunks }.encode(), reservation))
		},
		Err(e) => {
			let reason = format!("cannot read a challenged chunk: {e}");
			log::warn!(target: "agent", "plot {}: {reason}", plot.root_hex());
			state.read_errors.with_label_values(&[plot.root_hex()]).inc();
			let mut served = lock(served);
			served.read_errors = served.read_errors.saturating_add(1);
			served.failing = Some(reason);
			text(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the plot\n")
		},
	}
}

/// Checks every plot's files every `interval` (by path: a plot removed or truncated under a
/// running agent) and logs a warning when one goes wrong and a line when it is back; returns
/// when `stop` turns true.
pub async fn watch_files(state: Arc<State>, interval: Duration, mut stop: watch::Receiver<bool>) {
	let mut bad: Vec<Option<String>> = state.plots.iter().map(|_| None).collect();
	loop {
		for (plot, was) in state.plots.iter().zip(bad.iter_mut()) {
			let now = plot.check_files().err();
			match (&was, &now) {
				(_, Some(reason)) if was.as_ref() != Some(reason) => log::warn!(
					target: "agent",
					"plot {}: {reason}: challenges of this plot will fail; restore the file or \
					 plot anew (agent init --nonce …) and set_endpoint",
					plot.root_hex()
				),
				(Some(_), None) => {
					log::info!(target: "agent", "plot {}: files are back", plot.root_hex())
				},
				_ => {},
			}
			*was = now;
		}
		tokio::select! {
			_ = stopped(&mut stop) => return,
			_ = tokio::time::sleep(interval) => {},
		}
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
		assert!(
			matches!(Route::of("/v1/plots/0xab/challenge", Side::Public), Route::Challenge(r) if r == root)
		);
		assert!(matches!(Route::of("/v1/plots", Side::Public), Route::Plots));
		assert!(matches!(Route::of("/v1/plots//challenge", Side::Public), Route::Unknown));
		assert!(matches!(Route::of("/v1/plots/a/b/challenge", Side::Public), Route::Unknown));
		assert!(matches!(Route::of("/v1/challenge", Side::Public), Route::Moved));
		assert!(matches!(Route::of("/v1/info", Side::Public), Route::Moved));
		assert!(matches!(Route::of("/nope", Side::Public), Route::Unknown));
		// Each address serves its own paths and points to the other for the rest.
		assert!(matches!(Route::of("/metrics", Side::Public), Route::OtherSide(Side::Private)));
		assert!(matches!(Route::of("/v1/health", Side::Public), Route::OtherSide(Side::Private)));
		assert!(matches!(Route::of("/metrics", Side::Private), Route::Metrics));
		assert!(matches!(Route::of("/v1/health", Side::Private), Route::Health));
		assert!(matches!(Route::of("/v1/plots", Side::Private), Route::OtherSide(Side::Public)));
		assert!(matches!(
			Route::of("/v1/plots/0xab/challenge", Side::Private),
			Route::OtherSide(Side::Public)
		));
		assert!(matches!(Route::of("/nope", Side::Private), Route::Unknown));
	}
}
