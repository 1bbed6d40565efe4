//! The settings of `icn-node agent run`: its flags, an optional TOML file (`--config`) whose
//! keys are the flags' long names, and the defaults — in that order of precedence (a flag given
//! on the command line wins over the file, the file over the default).
//!
//! ```toml
//! # /etc/icn/agent.toml — every key is optional; an unknown key is refused.
//! data-dir = "/var/lib/icn-agent"
//! listen = "0.0.0.0:7100"            # public: challenges and the plot list
//! metrics-listen = "127.0.0.1:7101"  # private: /metrics and /v1/health
//! verify-sample = 64
//! scrub-interval-secs = 86400
//! idle-timeout-secs = 10
//! response-timeout-secs = 10
//! shutdown-timeout-secs = 10
//! max-connections = 1024
//! max-bytes-in-flight = "256MiB"
//! log = ["info", "agent::access=debug"]
//! ```
//!
//! `agent run --dry-run` prints the resolved settings in this format (every key) and exits, so
//! an operator sees what the agent would run with, and a file and the equivalent flags can be
//! compared.

use serde::{Deserialize, Serialize};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Defaults, shared by `--help`, the docs and the resolution below.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7100";
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:7101";
pub const DEFAULT_VERIFY_SAMPLE: u32 = 64;
pub const DEFAULT_SCRUB_INTERVAL_SECS: u64 = 86_400;
/// An oracle's challenge has a 2 s deadline (`ChallengeTimeoutMs`): a connection idle for 10 s
/// (no request headers) is nobody's challenge.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 10;
/// Longest one write of an answer may stall (a client that stops reading).
pub const DEFAULT_RESPONSE_TIMEOUT_SECS: u64 = 10;
/// Longest the agent waits, after SIGTERM or SIGINT, for answers in progress.
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 10;
pub const DEFAULT_MAX_CONNECTIONS: u32 = 1024;
/// 256 MiB: the largest possible answer (64 indices × 4 chunks of 1 MiB with their paths) fits,
/// and a few hundred ordinary ones (16 chunks of 4 KiB) at once.
pub const DEFAULT_MAX_BYTES_IN_FLIGHT: &str = "256MiB";

/// The `--config` file: the same settings as the flags, each optional.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileSettings {
	pub data_dir: Option<PathBuf>,
	pub listen: Option<SocketAddr>,
	pub metrics_listen: Option<SocketAddr>,
	pub verify_sample: Option<u32>,
	pub scrub_interval_secs: Option<u64>,
	pub idle_timeout_secs: Option<u64>,
	pub response_timeout_secs: Option<u64>,
	pub shutdown_timeout_secs: Option<u64>,
	pub max_connections: Option<u32>,
	pub max_bytes_in_flight: Option<Size>,
	pub log: Option<Vec<String>>,
}

/// A size in the config file: a byte count (`268435456`) or a text with a unit (`"256MiB"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Size {
	Bytes(u64),
	Text(String),
}

/// What the agent runs with, every setting resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Settings {
	pub data_dir: PathBuf,
	pub listen: SocketAddr,
	pub metrics_listen: SocketAddr,
	pub verify_sample: u32,
	pub scrub_interval_secs: u64,
	pub idle_timeout_secs: u64,
	pub response_timeout_secs: u64,
	pub shutdown_timeout_secs: u64,
	pub max_connections: u32,
	/// Printed as a byte count.
	pub max_bytes_in_flight: u64,
	pub log: Vec<String>,
}

impl Settings {
	/// Resolves `flags` over `file` over the defaults, and checks the values.
	pub fn resolve(flags: FileSettings, file: FileSettings) -> Result<Settings, String> {
		let parse_addr = |text: &str| -> Result<SocketAddr, String> {
			text.parse().map_err(|e| format!("{text:?}: {e}"))
		};
		let data_dir = flags.data_dir.or(file.data_dir).ok_or(
			"give the plots' directory: --data-dir <dir> (or `data-dir` in the --config file)",
		)?;
		let max_bytes_in_flight = match flags.max_bytes_in_flight.or(file.max_bytes_in_flight) {
			Some(Size::Bytes(bytes)) => bytes,
			Some(Size::Text(text)) => parse_bytes(&text)?,
			None => parse_bytes(DEFAULT_MAX_BYTES_IN_FLIGHT)?,
		};
		if max_bytes_in_flight == 0 {
			return Err("--max-bytes-in-flight must be more than 0".into());
		}
		let settings = Settings {
			data_dir,
			listen: match flags.listen.or(file.listen) {
				Some(addr) => addr,
				None => parse_addr(DEFAULT_LISTEN)?,
			},
			metrics_listen: match flags.metrics_listen.or(file.metrics_listen) {
				Some(addr) => addr,
				None => parse_addr(DEFAULT_METRICS_LISTEN)?,
			},
			verify_sample: flags
				.verify_sample
				.or(file.verify_sample)
				.unwrap_or(DEFAULT_VERIFY_SAMPLE),
			scrub_interval_secs: flags
				.scrub_interval_secs
				.or(file.scrub_interval_secs)
				.unwrap_or(DEFAULT_SCRUB_INTERVAL_SECS),
			idle_timeout_secs: flags
				.idle_timeout_secs
				.or(file.idle_timeout_secs)
				.unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS),
			response_timeout_secs: flags
				.response_timeout_secs
				.or(file.response_timeout_secs)
				.unwrap_or(DEFAULT_RESPONSE_TIMEOUT_SECS),
			shutdown_timeout_secs: flags
				.shutdown_timeout_secs
				.or(file.shutdown_timeout_secs)
				.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT_SECS),
			max_connections: flags
				.max_connections
				.or(file.max_connections)
				.unwrap_or(DEFAULT_MAX_CONNECTIONS),
			max_bytes_in_flight,
			// Flags' directives come after the file's, so they win where both name a target.
			log: file
				.log
				.unwrap_or_default()
				.into_iter()
				.chain(flags.log.unwrap_or_default())
				.collect(),
		};
		settings.check()?;
		Ok(settings)
	}

	fn check(&self) -> Result<(), String> {
		if self.listen == self.metrics_listen && self.listen.port() != 0 {
			return Err(format!(
				"--listen and --metrics-listen are both {}: metrics and health must not be on the \
				 public challenge port",
				self.listen
			));
		}
		for (name, secs) in [
			("--idle-timeout-secs", self.idle_timeout_secs),
			("--response-timeout-secs", self.response_timeout_secs),
		] {
			if secs == 0 {
				return Err(format!("{name} must be at least 1"));
			}
		}
		if self.max_connections == 0 {
			return Err("--max-connections must be at least 1".into());
		}
		Ok(())
	}

	/// The settings in the `--config` format (what `--dry-run` prints).
	pub fn to_toml(&self) -> Result<String, String> {
		toml::to_string(self).map_err(|e| format!("cannot print the settings: {e}"))
	}

	pub fn scrub_interval(&self) -> Duration {
		Duration::from_secs(self.scrub_interval_secs)
	}
}

/// Parses a size flag (`256MiB`, `1.5GiB`, `268435456`).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
	super::parse_size(text).map_err(|e| e.replacen("--size", "--max-bytes-in-flight", 1))
}

/// Reads the `--config` file: one line for the operator on any error (an unknown key names
/// itself and the keys there are).
pub fn read_file(path: &std::path::Path) -> Result<FileSettings, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
	parse_file(&text).map_err(|e| format!("config file {}: {e}", path.display()))
}

/// Parses a config file's text; errors are one line.
pub fn parse_file(text: &str) -> Result<FileSettings, String> {
	toml::from_str::<FileSettings>(text).map_err(|e| {
		// toml's messages quote the offending line over several lines; keep its first line
		// and the key's position.
		let message = e.message().trim().replace('\n', " ");
		match e.span().map(|span| line_of(text, span.start)) {
			Some(line) => format!("line {line}: {message}"),
			None => message,
		}
	})
}

fn line_of(text: &str, offset: usize) -> usize {
	text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn flags_with_dir() -> FileSettings {
		FileSettings { data_dir: Some("/plots".into()), ..Default::default() }
	}

	#[test]
	fn defaults_then_file_then_flags() {
		let defaults = Settings::resolve(flags_with_dir(), FileSettings::default()).expect("ok");
		assert_eq!(defaults.listen.to_string(), DEFAULT_LISTEN);
		assert_eq!(defaults.metrics_listen.to_string(), DEFAULT_METRICS_LISTEN);
		assert_eq!(defaults.max_bytes_in_flight, 256 << 20);
		assert_eq!(defaults.max_connections, 1024);
		assert!(defaults.log.is_empty());

		let file = parse_file(
			"data-dir = \"/file\"\nlisten = \"0.0.0.0:7200\"\nmax-connections = 8\n\
			 log = [\"agent=debug\"]\n",
		)
		.expect("parses");
		let from_file = Settings::resolve(FileSettings::default(), file.clone()).expect("ok");
		assert_eq!(from_file.data_dir, PathBuf::from("/file"));
		assert_eq!(from_file.listen.to_string(), "0.0.0.0:7200");
		assert_eq!(from_file.max_connections, 8);

		let flags = FileSettings {
			data_dir: Some("/flag".into()),
			max_connections: Some(9),
			log: Some(vec!["agent=trace".into()]),
			..Default::default()
		};
		let both = Settings::resolve(flags, file).expect("ok");
		assert_eq!(both.data_dir, PathBuf::from("/flag"), "a flag wins over the file");
		assert_eq!(both.max_connections, 9);
		assert_eq!(both.listen.to_string(), "0.0.0.0:7200", "the file wins over the default");
		assert_eq!(both.log, vec!["agent=debug".to_string(), "agent=trace".into()]);
	}

	#[test]
	fn the_printed_settings_read_back_as_the_same_settings() {
		let settings = Settings::resolve(
			FileSettings {
				max_bytes_in_flight: Some(Size::Text("1MiB".into())),
				log: Some(vec!["debug".into()]),
				..flags_with_dir()
			},
			FileSettings::default(),
		)
		.expect("ok");
		let printed = settings.to_toml().expect("prints");
		let again =
			Settings::resolve(FileSettings::default(), parse_file(&printed).expect("parses"))
				.expect("ok");
		assert_eq!(again, settings, "{printed}");
	}

	#[test]
	fn bad_files_and_values_are_one_line_errors() {
		let unknown = parse_file("data-dir = \"/x\"\nlisten-addr = \"1.2.3.4:5\"\n").unwrap_err();
		assert!(unknown.contains("line 2") && unknown.contains("listen-addr"), "{unknown}");
		assert!(!unknown.contains('\n'), "{unknown}");
		let wrong_type = parse_file("verify-sample = \"many\"").unwrap_err();
		assert!(wrong_type.contains("line 1") && !wrong_type.contains('\n'), "{wrong_type}");
		let bad_addr = parse_file("listen = \"nowhere\"").unwrap_err();
		assert!(!bad_addr.contains('\n'), "{bad_addr}");

		let resolve = |flags: FileSettings| Settings::resolve(flags, FileSettings::default());
		assert!(resolve(FileSettings::default()).unwrap_err().contains("--data-dir"));
		let same: SocketAddr = "0.0.0.0:7100".parse().expect("addr");
		let clash =
			FileSettings { listen: Some(same), metrics_listen: Some(same), ..flags_with_dir() };
		assert!(resolve(clash).unwrap_err().contains("public challenge port"));
		let zero = FileSettings { idle_timeout_secs: Some(0), ..flags_with_dir() };
		assert!(resolve(zero).unwrap_err().contains("--idle-timeout-secs"));
		let bytes = FileSettings {
			max_bytes_in_flight: Some(Size::Text("lots".into())),
			..flags_with_dir()
		};
		assert!(resolve(bytes).unwrap_err().starts_with("--max-bytes-in-flight"));
	}
}
