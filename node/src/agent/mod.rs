//! `icn-node agent`: the hardware agent an HP runs beside its hardware nodes (SPEC §7.2).
//!
//! * `icn-node agent init --data-dir D --hp <account> --passport <id> (--size <bytes> | --chunks
//!   <L>) [--chunk-size 4096] [--nonce 0]` plots a proof-of-space plot bound to the HP's account
//!   and the node's passport (`icn_primitives::pos`, SPEC §5.8) in `D/plot-<passport>-<nonce>/`,
//!   resuming an interrupted one, and prints on stdout the values to register
//!   (`register_node` / `set_endpoint`): the proof root and the plot's shape and tree root.
//! * `icn-node agent run --data-dir D [--listen 127.0.0.1:7100] [--metrics-listen
//!   127.0.0.1:7101] [--config agent.toml] [-l <directives>]` opens every complete plot in `D`
//!   (checking sizes, roots and a sample of chunks, see [`plot::DiskPlot::open`]), serves the
//!   challenge endpoint the SLA oracles call on the public address and health and Prometheus
//!   metrics on the private one ([`server`]), bounds what clients can hold ([`limits`]), scrubs
//!   every chunk in the background, repairing what its stored leaf proves ([`scrub`]), and
//!   watches the plots' files. Settings come from flags, a TOML file and defaults ([`config`]).
//!
//! `run` logs through the node's logger (`sc_cli::LoggerBuilder`: `-l`/`--log` directives such
//! as `agent=debug`, or `RUST_LOG`; info by default), to stderr with each line's level and
//! target; a challenge's access line is at debug level under `agent::access`. On SIGTERM or
//! SIGINT it stops accepting connections, lets the answers in progress finish (at most
//! `--shutdown-timeout-secs`), and exits 0. `init` prints a progress line to stderr instead.

pub mod config;
pub mod limits;
pub mod plot;
pub mod scrub;
pub mod server;

use icn_primitives::pos;
use polkadot_sdk::sp_core::crypto::{AccountId32, Ss58Codec};
use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::Arc,
	time::{Duration, Instant},
};

/// `icn-node agent`.
#[derive(Debug, clap::Args)]
pub struct AgentCmd {
	#[command(subcommand)]
	pub action: AgentAction,
}

/// What the agent does.
#[derive(Debug, clap::Subcommand)]
pub enum AgentAction {
	/// Plot (or resume plotting) a node's proof-of-space plot and print the values to register.
	Init {
		/// Directory of the agent's plots (created if missing); this plot goes to
		/// `plot-<passport>-<nonce>/` inside it.
		#[arg(long)]
		data_dir: PathBuf,
		/// The HP's account, as an SS58 address or `0x` and 64 hex digits: the plot's seed is
		/// bound to it, and the chain refuses the plot for any other account.
		#[arg(long)]
		hp: String,
		/// The passport that backs the node (bound into the seed too).
		#[arg(long)]
		passport: u32,
		/// Size of the plot in bytes; KiB, MiB, GiB and TiB suffixes are accepted, and the size is
		/// rounded up to whole chunks. Give this or `--chunks`.
		#[arg(long)]
		size: Option<String>,
		/// Size of the plot in chunks (instead of `--size`).
		#[arg(long)]
		chunks: Option<u32>,
		/// Bytes per chunk: a power of two from 4096 to 65536.
		#[arg(long, default_value_t = pos::DEFAULT_CHUNK_SIZE)]
		chunk_size: u32,
		/// Any number: another nonce makes a new, unrelated plot for the same passport.
		#[arg(long, default_value_t = 0)]
		nonce: u64,
	},
	/// Check the plots and serve them over HTTP, scrubbing them in the background.
	Run(RunArgs),
}

/// `agent run`'s flags. Each setting may also come from the `--config` file (same names); a flag
/// given here wins. Defaults are in [`config`].
#[derive(Debug, Default, clap::Args)]
pub struct RunArgs {
	/// A TOML file of settings whose keys are these flags' long names (`data-dir = "…"`,
	/// `listen = "0.0.0.0:7100"`, …); an unknown key is an error.
	#[arg(long, value_name = "FILE")]
	pub config: Option<PathBuf>,
	/// Directory of plots made by `agent init`.
	#[arg(long)]
	pub data_dir: Option<PathBuf>,
	/// Public address: challenges and the plot list, what the node's `endpoint` names (port 0
	/// picks a free port; the address is printed). [default: 127.0.0.1:7100]
	#[arg(long)]
	pub listen: Option<SocketAddr>,
	/// Private address of `/v1/health` and `/metrics` (keep it on loopback or a private
	/// network). [default: 127.0.0.1:7101]
	#[arg(long)]
	pub metrics_listen: Option<SocketAddr>,
	/// Chunks per plot verified in full at start (a number at least the plot's chunk count
	/// verifies all of them; 0 none). [default: 64]
	#[arg(long)]
	pub verify_sample: Option<u32>,
	/// Seconds between two scrub passes over all plots. [default: 86400]
	#[arg(long)]
	pub scrub_interval_secs: Option<u64>,
	/// Seconds a connection may stay without sending a request before it is closed.
	/// [default: 10]
	#[arg(long)]
	pub idle_timeout_secs: Option<u64>,
	/// Seconds a write of an answer may wait for the client to read before the connection is
	/// closed. [default: 10]
	#[arg(long)]
	pub response_timeout_secs: Option<u64>,
	/// Seconds the agent waits, after SIGTERM or SIGINT, for answers in progress. [default: 10]
	#[arg(long)]
	pub shutdown_timeout_secs: Option<u64>,
	/// Connections served at once, per address. [default: 1024]
	#[arg(long)]
	pub max_connections: Option<u32>,
	/// Bytes all answers in flight may hold (KiB, MiB, GiB suffixes); a challenge beyond it
	/// waits up to a second, then is answered 503. [default: 256MiB]
	#[arg(long)]
	pub max_bytes_in_flight: Option<String>,
	/// Log directives, as the node's: `info`, `agent=debug` (`agent::access=debug` logs every
	/// request), comma-separated or repeated; `RUST_LOG` works too.
	#[arg(short = 'l', long = "log", value_name = "LOG_PATTERN", num_args = 1..)]
	pub log: Vec<String>,
	/// Resolve the settings, open the plots, print the settings (in the config file's format)
	/// on stdout and exit, without serving.
	#[arg(long)]
	pub dry_run: bool,
	/// Testing only: serve every challenged chunk with a flipped byte, so challenges fail
	/// with a bad proof.
	#[arg(long, hide = true)]
	pub serve_corrupt_chunks: bool,
	/// Testing only: wait this many milliseconds before answering each challenge.
	#[arg(long, hide = true)]
	pub test_challenge_delay_ms: Option<u64>,
	/// Testing only: seconds between two checks of the plots' files. [default: 5]
	#[arg(long, hide = true)]
	pub test_file_check_secs: Option<u64>,
}

impl RunArgs {
	/// The settings the flags give (each `None` where no flag was given).
	fn flag_settings(&self) -> config::FileSettings {
		config::FileSettings {
			data_dir: self.data_dir.clone(),
			listen: self.listen,
			metrics_listen: self.metrics_listen,
			verify_sample: self.verify_sample,
			scrub_interval_secs: self.scrub_interval_secs,
			idle_timeout_secs: self.idle_timeout_secs,
			response_timeout_secs: self.response_timeout_secs,
			shutdown_timeout_secs: self.shutdown_timeout_secs,
			max_connections: self.max_connections,
			max_bytes_in_flight: self.max_bytes_in_flight.clone().map(config::Size::Text),
			log: (!self.log.is_empty()).then(|| self.log.clone()),
		}
	}

	/// Flags over the `--config` file over the defaults.
	pub fn settings(&self) -> Result<config::Settings, String> {
		let file = match &self.config {
			Some(path) => config::read_file(path)?,
			None => config::FileSettings::default(),
		};
		config::Settings::resolve(self.flag_settings(), file)
	}
}

impl AgentCmd {
	/// Runs the agent command; errors are one line for the operator.
	pub fn run(&self) -> Result<(), String> {
		match &self.action {
			AgentAction::Init { data_dir, hp, passport, size, chunks, chunk_size, nonce } => {
				let hp = parse_account(hp)?;
				let leaf_count = match (size, chunks) {
					(Some(_), Some(_)) => {
						return Err(
							"give the plot's size with either --size or --chunks, not both".into()
						)
					},
					(Some(size), None) => chunks_for_size(parse_size(size)?, *chunk_size)?,
					(None, Some(chunks)) => *chunks,
					(None, None) => {
						return Err("give the plot's size: --size <bytes> (e.g. 1TiB; KiB, MiB, \
						            GiB and TiB are accepted) or --chunks <count>"
							.into())
					},
				};
				let params = plot::PlotParams {
					hp,
					passport: *passport,
					nonce: *nonce,
					leaf_count,
					chunk_size: *chunk_size,
				};
				init(data_dir, &params)
			},
			AgentAction::Run(args) => run(args),
		}
	}
}

fn init(data_dir: &Path, params: &plot::PlotParams) -> Result<(), String> {
	let mut progress = Progress::new(data_dir.join(params.dir_name()), params.chunk_size);
	let result = plot::plot(data_dir, params, |done, total| {
		progress.report(done, total);
		Ok(())
	});
	progress.end_line();
	let info = result?;
	eprintln!(
		"Plotted {} chunks of {} bytes ({}) in {}. Register the node with the values on stdout: \
		 `register_node` and `set_endpoint` take the proof_root and the plot (nonce, leaf_count, \
		 chunk_size, tree_root).",
		info.plot.leaf_count,
		info.plot.chunk_size,
		bytes_text(info.params.bytes()),
		info.dir.display()
	);
	println!("{}", info.registration_json());
	Ok(())
}

/// Installs the node's logger for `run`, with levels and targets on every line.
fn init_logger(directives: &[String]) -> Result<(), String> {
	use std::io::IsTerminal;
	let mut logger = polkadot_sdk::sc_cli::LoggerBuilder::new(directives.join(","));
	logger.with_detailed_output(true).with_colors(std::io::stderr().is_terminal());
	logger.init().map_err(|e| format!("cannot start the logger: {e}"))
}

fn run(args: &RunArgs) -> Result<(), String> {
	let settings = args.settings()?;
	if !args.dry_run {
		init_logger(&settings.log)?;
	}
	let data_dir = &settings.data_dir;
	let (loaded, skipped) = plot::load_all(data_dir, settings.verify_sample)?;
	let report = |skip: &plot::LoadError| match skip {
		plot::LoadError::Incomplete(line) => log::warn!(target: "agent", "{line}"),
		plot::LoadError::Refused(line) => log::error!(target: "agent", "{line}"),
	};
	if loaded.is_empty() {
		let dir = data_dir.display();
		return Err(match skipped.as_slice() {
			[] => format!(
				"no plots in {dir}: make one with `icn-node agent init --data-dir {dir} --hp \
				 <account> --passport <id> --size <bytes>`"
			),
			// The one reason is the error itself, so the operator reads one line.
			[only] => only.to_string(),
			many => {
				many.iter().for_each(report);
				format!("none of the {} plots in {dir} can be served (see above)", many.len())
			},
		});
	}
	if args.dry_run {
		print!("{}", settings.to_toml()?);
		return Ok(());
	}
	skipped.iter().for_each(report);
	let plots: Vec<Arc<plot::DiskPlot>> = loaded.into_iter().map(Arc::new).collect();
	for p in &plots {
		let params = p.params();
		log::info!(
			target: "agent",
			"plot {} loaded from {} ({} chunks of {} bytes; hp {}, passport {}, nonce {}; {} \
			 chunks verified in full)",
			p.root_hex(),
			p.dir().display(),
			params.leaf_count,
			params.chunk_size,
			plot::to_hex(&params.hp),
			params.passport,
			params.nonce,
			settings.verify_sample.min(params.leaf_count)
		);
	}
	let faults = server::TestFaults {
		corrupt: args.serve_corrupt_chunks,
		challenge_delay: Duration::from_millis(args.test_challenge_delay_ms.unwrap_or(0)),
	};
	let file_check = Duration::from_secs(args.test_file_check_secs.unwrap_or(5).max(1));
	let state = Arc::new(server::State::new(plots.clone(), settings.max_bytes_in_flight, faults)?);
	let limits = server::Limits {
		idle_timeout: Duration::from_secs(settings.idle_timeout_secs),
		response_timeout: Duration::from_secs(settings.response_timeout_secs),
		max_connections: settings.max_connections,
		shutdown_timeout: Duration::from_secs(settings.shutdown_timeout_secs),
	};
	let runtime = tokio::runtime::Builder::new_multi_thread()
		.enable_all()
		.build()
		.map_err(|e| format!("cannot start the async runtime: {e}"))?;
	runtime.block_on(async move {
		let bind = |addr: SocketAddr, what: &'static str| async move {
			let listener = tokio::net::TcpListener::bind(addr)
				.await
				.map_err(|e| format!("cannot listen on {addr} ({what}): {e}"))?;
			let bound = listener.local_addr().map_err(|e| format!("{e}"))?;
			Ok::<_, String>((listener, bound))
		};
		let (public, public_addr) = bind(settings.listen, "--listen").await?;
		let (private, private_addr) = bind(settings.metrics_listen, "--metrics-listen").await?;
		let mut terminate =
			tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
				.map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
		let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
		let count = plots.len();
		// Tests and scripts wait for this line and read the address after "on http://" (up to
		// the space); the private one follows "metrics at http://".
		log::info!(
			target: "agent",
			"serving {count} plot{} on http://{public_addr} (health and metrics at \
			 http://{private_addr})",
			if count == 1 { "" } else { "s" }
		);
		// Detached: it runs as long as the process.
		let _scrub = scrub::spawn(plots, settings.scrub_interval())?;
		let public = tokio::spawn(server::serve(
			public,
			server::Side::Public,
			state.clone(),
			limits,
			stop_rx.clone(),
		));
		let private = tokio::spawn(server::serve(
			private,
			server::Side::Private,
			state.clone(),
			limits,
			stop_rx.clone(),
		));
		let watch = tokio::spawn(server::watch_files(state, file_check, stop_rx));
		let signal = tokio::select! {
			_ = tokio::signal::ctrl_c() => "SIGINT",
			_ = terminate.recv() => "SIGTERM",
		};
		log::info!(
			target: "agent",
			"{signal}: stopping; finishing the answers in progress (at most {} s)",
			settings.shutdown_timeout_secs
		);
		let _ = stop_tx.send(true);
		let (public, private, _) = tokio::join!(public, private, watch);
		let cut = public.unwrap_or(0).saturating_add(private.unwrap_or(0));
		if cut > 0 {
			log::warn!(target: "agent", "stopped: {cut} connections were still open and are cut");
		} else {
			log::info!(target: "agent", "stopped");
		}
		Ok(())
	})
}

/// The progress line of `agent init`, redrawn at most once a second:
/// `\rplotting 12.3% (32768/262144 chunks, 96.1 MiB/s, ETA 1m12s)`.
struct Progress {
	dir: PathBuf,
	chunk_size: u32,
	started: Instant,
	/// Chunks already plotted when this run started.
	first: Option<u32>,
	last_drawn: Option<Instant>,
	/// Whether the cursor is at the end of a progress line.
	open_line: bool,
}

impl Progress {
	fn new(dir: PathBuf, chunk_size: u32) -> Self {
		Progress {
			dir,
			chunk_size,
			started: Instant::now(),
			first: None,
			last_drawn: None,
			open_line: false,
		}
	}

	fn report(&mut self, done: u32, total: u32) {
		let now = Instant::now();
		let first = match self.first {
			Some(first) => first,
			None => {
				if done > 0 {
					eprintln!(
						"resuming the interrupted plot in {} at chunk {done} of {total}",
						self.dir.display()
					);
				}
				self.first = Some(done);
				done
			},
		};
		let finished = done >= total;
		if !finished
			&& self.last_drawn.is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
		{
			return;
		}
		self.last_drawn = Some(now);
		let seconds = now.duration_since(self.started).as_secs_f64();
		let new = f64::from(done.saturating_sub(first));
		let rate = if seconds > 0.0 { new / seconds } else { 0.0 };
		let mib = rate * f64::from(self.chunk_size) / f64::from(1u32 << 20);
		let eta = if rate > 0.0 {
			duration_text(f64::from(total.saturating_sub(done)) / rate)
		} else {
			"?".to_string()
		};
		let percent = if total == 0 { 100.0 } else { f64::from(done) * 100.0 / f64::from(total) };
		// Trailing spaces erase the end of a longer previous line.
		eprint!("\rplotting {percent:.1}% ({done}/{total} chunks, {mib:.1} MiB/s, ETA {eta})   ");
		self.open_line = true;
		if finished {
			self.end_line();
			eprintln!("building the Merkle tree");
		}
	}

	fn end_line(&mut self) {
		if self.open_line {
			eprintln!();
			self.open_line = false;
		}
	}
}

/// `72.4` seconds as `1m12s`, `3725` as `1h02m05s`.
fn duration_text(seconds: f64) -> String {
	let s = if seconds.is_finite() && seconds > 0.0 { seconds.round() as u64 } else { 0 };
	let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
	if h > 0 {
		format!("{h}h{m:02}m{s:02}s")
	} else if m > 0 {
		format!("{m}m{s:02}s")
	} else {
		format!("{s}s")
	}
}

/// `1073741824` as `1.0 GiB`.
fn bytes_text(bytes: u64) -> String {
	let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
	let mut value = bytes as f64;
	let mut unit = 0;
	while value >= 1024.0 && unit + 1 < units.len() {
		value /= 1024.0;
		unit += 1;
	}
	if unit == 0 {
		format!("{bytes} bytes")
	} else {
		format!("{value:.1} {}", units[unit])
	}
}

/// Parses `--size`: a number of bytes, optionally with a fraction and a binary unit (`KiB`,
/// `MiB`, `GiB`, `TiB`, or `B`; case-insensitive; `1.5 TiB`), rounded up to a whole byte.
pub fn parse_size(text: &str) -> Result<u64, String> {
	let bad = |why: &str| format!("--size {text:?}: {why} (e.g. 1073741824, 512MiB or 1.5TiB)");
	let trimmed = text.trim();
	let split = trimmed
		.find(|c: char| !(c.is_ascii_digit() || c == '.'))
		.unwrap_or(trimmed.len());
	let (number, unit) = trimmed.split_at(split);
	let multiplier: u128 = match unit.trim().to_ascii_lowercase().as_str() {
		"" | "b" => 1,
		"kib" => 1 << 10,
		"mib" => 1 << 20,
		"gib" => 1 << 30,
		"tib" => 1 << 40,
		_ => return Err(bad("the unit must be KiB, MiB, GiB or TiB (powers of 1024)")),
	};
	let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
	if whole.is_empty() && fraction.is_empty() {
		return Err(bad("not a size"));
	}
	if fraction.contains('.') || fraction.len() > 12 {
		return Err(bad("not a number"));
	}
	let digits: u128 = format!("{whole}{fraction}").parse().map_err(|_| bad("not a number"))?;
	let scale = 10u128.pow(fraction.len() as u32);
	let bytes = digits
		.checked_mul(multiplier)
		.map(|b| b.div_ceil(scale))
		.and_then(|b| u64::try_from(b).ok())
		.ok_or_else(|| bad("too large"))?;
	if bytes == 0 {
		return Err(bad("must be more than 0"));
	}
	Ok(bytes)
}

/// Chunks of `chunk_size` bytes that hold `bytes` (rounded up).
fn chunks_for_size(bytes: u64, chunk_size: u32) -> Result<u32, String> {
	// A chunk size of 0 is refused with its own message by `PlotParams::check`.
	let chunks = bytes.div_ceil(u64::from(chunk_size.max(1)));
	u32::try_from(chunks).map_err(|_| {
		format!(
			"--size of {} is {chunks} chunks of {chunk_size} bytes, more than a plot can have \
			 ({}): use a larger --chunk-size",
			bytes_text(bytes),
			u32::MAX
		)
	})
}

/// Parses `--hp`: `0x` and 64 hex digits, or an SS58 address of any network prefix.
pub fn parse_account(text: &str) -> Result<[u8; 32], String> {
	let text = text.trim();
	let bad = || {
		format!("--hp {text:?} is not an account: give its SS58 address or 0x and 64 hex digits")
	};
	if let Some(digits) = text.strip_prefix("0x") {
		let raw = hex::decode(digits).map_err(|_| bad())?;
		return <[u8; 32]>::try_from(raw.as_slice()).map_err(|_| bad());
	}
	AccountId32::from_ss58check_with_version(text)
		.map(|(account, _)| <[u8; 32]>::from(account))
		.map_err(|_| bad())
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_keyring::Sr25519Keyring;

	#[test]
	fn sizes_are_parsed_and_rounded_up_to_chunks() {
		assert_eq!(parse_size("1048576"), Ok(1 << 20));
		assert_eq!(parse_size("1MiB"), Ok(1 << 20));
		assert_eq!(parse_size("1 GiB"), Ok(1 << 30));
		assert_eq!(parse_size("2tib"), Ok(2 << 40));
		assert_eq!(parse_size("1.5KiB"), Ok(1536));
		assert_eq!(parse_size("0.001KiB"), Ok(2), "rounded up to a whole byte");
		assert_eq!(parse_size("10B"), Ok(10));
		for bad in ["", "MiB", "1GB", "1.2.3", "-1", "0", "1e9", "99999999999TiB"] {
			let err = parse_size(bad).expect_err(bad);
			assert!(err.starts_with("--size") && !err.contains('\n'), "{err}");
		}
		assert_eq!(chunks_for_size(1 << 20, 4096), Ok(256));
		assert_eq!(chunks_for_size((1 << 20) + 1, 4096), Ok(257));
		assert!(chunks_for_size(u64::MAX, 4096).expect_err("too many").contains("--chunk-size"));
	}

	#[test]
	fn accounts_are_hex_or_ss58() {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let raw = <[u8; 32]>::from(alice.clone());
		assert_eq!(parse_account(&alice.to_ss58check()), Ok(raw));
		assert_eq!(parse_account(&format!("0x{}", hex::encode(raw))), Ok(raw));
		for bad in ["0x1234", "alice", "5Grw", "0xzz"] {
			assert!(parse_account(bad).expect_err(bad).contains("--hp"));
		}
	}

	#[test]
	fn progress_texts() {
		assert_eq!(duration_text(72.4), "1m12s");
		assert_eq!(duration_text(3725.0), "1h02m05s");
		assert_eq!(duration_text(9.0), "9s");
		assert_eq!(bytes_text(1 << 30), "1.0 GiB");
		assert_eq!(bytes_text(100), "100 bytes");
	}
}
