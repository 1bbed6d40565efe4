//! Test support: start a real `icn-node` on loopback with free ports, follow its log, talk to it
//! over JSON-RPC (WebSocket) and always stop it (the [`Node`] guard kills it on drop).

#![allow(dead_code)]

use std::{
	io::{BufRead, BufReader},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	sync::{
		mpsc::{self, Receiver, RecvTimeoutError},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// Path of the `icn-node` binary cargo built for these tests.
pub fn node_binary() -> PathBuf {
	PathBuf::from(env!("CARGO_BIN_EXE_icn-node"))
}

/// A port on 127.0.0.1 that was free a moment ago (the OS picked it).
pub fn free_port() -> u16 {
	let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
	listener.local_addr().expect("local address").port()
}

/// A running `icn-node`. Dropping it stops the process (SIGTERM, then SIGKILL) and removes its
/// base path.
pub struct Node {
	pub name: String,
	child: Child,
	pub rpc_port: u16,
	pub p2p_port: u16,
	pub prometheus_port: u16,
	log_lines: Receiver<String>,
	log: Arc<Mutex<Vec<String>>>,
	_base: Option<tempfile::TempDir>,
}

/// Extra arguments and a name for a node to start.
pub struct NodeConfig<'a> {
	pub name: &'a str,
	pub args: Vec<String>,
	/// Use `--tmp` (the node's own temp dir) instead of a base path the guard owns.
	pub use_tmp: bool,
}

impl Node {
	pub fn start(config: NodeConfig<'_>) -> Node {
		Self::start_with_env(config, &[])
	}

	/// [`Node::start`] with these environment variables set for the node.
	pub fn start_with_env(config: NodeConfig<'_>, env: &[(&str, &str)]) -> Node {
		let rpc_port = free_port();
		let p2p_port = free_port();
		let prometheus_port = free_port();
		let base = if config.use_tmp {
			None
		} else {
			Some(tempfile::Builder::new().prefix("icn-node-test").tempdir().expect("temp dir"))
		};
		let mut command = Command::new(node_binary());
		command
			.args(&config.args)
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
			.args(["--prometheus-port", &prometheus_port.to_string()])
			.args(["--no-mdns", "--no-telemetry", "--rpc-cors", "all"])
			.args(["--log", "info"])
			.envs(env.iter().copied())
			.stdout(Stdio::null())
			.stderr(Stdio::piped());
		match &base {
			Some(dir) => command.arg("--base-path").arg(dir.path()),
			None => command.arg("--tmp"),
		};
		let mut child = command.spawn().expect("icn-node starts");
		let stderr = child.stderr.take().expect("piped stderr");
		let (sender, log_lines) = mpsc::channel();
		let log = Arc::new(Mutex::new(Vec::new()));
		let log_copy = log.clone();
		let name = config.name.to_string();
		std::thread::spawn(move || {
			for line in BufReader::new(stderr).lines().map_while(Result::ok) {
				if let Ok(mut all) = log_copy.lock() {
					all.push(line.clone());
				}
				if sender.send(line).is_err() {
					// Nobody waits on lines any more; keep draining so the node never blocks.
				}
			}
		});
		Node { name, child, rpc_port, p2p_port, prometheus_port, log_lines, log, _base: base }
	}

	/// Waits until the node logs a line containing `needle`; returns that line.
	pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> String {
		let deadline = Instant::now() + timeout;
		loop {
			let left = deadline.saturating_duration_since(Instant::now());
			match self.log_lines.recv_timeout(left) {
				Ok(line) if line.contains(needle) => return line,
				Ok(_) => continue,
				Err(RecvTimeoutError::Timeout) => panic!(
					"{}: no log line with {needle:?} within {timeout:?}\n{}",
					self.name,
					self.log_tail()
				),
				Err(RecvTimeoutError::Disconnected) => {
					panic!("{}: exited before logging {needle:?}\n{}", self.name, self.log_tail())
				},
			}
		}
	}

	/// Waits until the RPC server is up and connects to it.
	pub fn rpc(&self) -> Rpc {
		self.wait_for_log("Running JSON-RPC server", Duration::from_secs(120));
		Rpc::connect(self.rpc_port)
	}

	/// The node's libp2p identity, as it logged it at start.
	pub fn peer_id(&self) -> String {
		let line = self.wait_for_log("Local node identity is:", Duration::from_secs(60));
		line.split_whitespace().last().unwrap_or_default().to_string()
	}

	/// The multiaddress other nodes can dial this one on.
	pub fn multiaddr(&self) -> String {
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", self.p2p_port, self.peer_id())
	}

	/// Every line the node logged so far that contains `needle`.
	pub fn logged(&self, needle: &str) -> Vec<String> {
		let all = self.log.lock().map(|l| l.clone()).unwrap_or_default();
		all.into_iter().filter(|line| line.contains(needle)).collect()
	}

	/// The last lines the node logged, for failure messages.
	pub fn log_tail(&self) -> String {
		let all = self.log.lock().map(|l| l.clone()).unwrap_or_default();
		let start = all.len().saturating_sub(40);
		all[start..].join("\n")
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Ok(Some(_)) = self.child.try_wait() {
			return;
		}
		// Ask politely so the node removes its `--tmp` directory, then insist.
		if let Ok(pid) = i32::try_from(self.child.id()) {
			// SAFETY: `kill` on our own child's pid has no memory-safety preconditions.
			unsafe {
				libc::kill(pid, libc::SIGTERM);
			}
		}
		let deadline = Instant::now() + Duration::from_secs(20);
		while Instant::now() < deadline {
			if let Ok(Some(_)) = self.child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// Runs `icn-node` with `args` to completion (for subcommands and bad-input checks).
pub fn run_node_command(args: &[&str]) -> (ExitStatus, String, String) {
	let output = Command::new(node_binary()).args(args).output().expect("icn-node runs");
	(
		output.status,
		String::from_utf8_lossy(&output.stdout).into_owned(),
		String::from_utf8_lossy(&output.stderr).into_owned(),
	)
}

/// Path of a file in the workspace (tests run with the node crate as working directory).
pub fn workspace_file(relative: &str) -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

/// A JSON-RPC client over one WebSocket connection, with subscriptions. Synchronous: every wait
/// has a deadline, enforced with the socket's read timeout.
pub struct Rpc {
	socket: WebSocket<TcpStream>,
	next_id: u64,
	/// Notifications received while waiting for something else, oldest first.
	backlog: Vec<Value>,
}

impl Rpc {
	pub fn connect(port: u16) -> Rpc {
		let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the RPC port");
		let url = format!("ws://127.0.0.1:{port}");
		let (socket, _) = tungstenite::client(url.as_str(), stream).expect("WebSocket handshake");
		Rpc { socket, next_id: 1, backlog: Vec::new() }
	}

	fn read_message(&mut self, deadline: Instant) -> Option<Value> {
		loop {
			let left = deadline.saturating_duration_since(Instant::now());
			if left.is_zero() {
				return None;
			}
			self.socket.get_mut().set_read_timeout(Some(left)).ok()?;
			match self.socket.read() {
				Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
				Ok(_) => continue,
				Err(tungstenite::Error::Io(e))
					if matches!(
						e.kind(),
						std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
					) =>
				{
					return None
				},
				Err(e) => panic!("RPC connection failed: {e}"),
			}
		}
	}

	/// Calls `method` and returns its `result`, or the JSON-RPC `error` as `Err`.
	pub fn call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
		let id = self.next_id;
		self.next_id += 1;
		let request = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
		self.socket.send(Message::text(request.to_string())).expect("send request");
		let deadline = Instant::now() + Duration::from_secs(60);
		loop {
			let message = self
				.read_message(deadline)
				.unwrap_or_else(|| panic!("no answer to {method} within 60 s"));
			if message.get("id") == Some(&json!(id)) {
				return match message.get("error") {
					Some(error) => Err(error.clone()),
					None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
				};
			}
			if message.get("method").is_some() {
				self.backlog.push(message);
			}
		}
	}

	/// Calls `method` and panics with its error if it fails.
	pub fn request(&mut self, method: &str, params: Value) -> Value {
		self.call(method, params).unwrap_or_else(|e| panic!("{method} failed: {e}"))
	}

	/// The chain's genesis hash (what a signed transaction commits to).
	pub fn genesis_hash(&mut self) -> icn_runtime::Hash {
		let hex = self.request("chain_getBlockHash", json!([0]));
		let bytes = from_hex(hex.as_str().expect("a block hash"));
		icn_runtime::Hash::from_slice(&bytes)
	}

	/// Subscribes; returns the subscription id.
	pub fn subscribe(&mut self, method: &str, params: Value) -> Value {
		self.request(method, params)
	}

	/// Waits for the next notification of subscription `id` and returns its `result`.
	pub fn next_notification(&mut self, id: &Value, timeout: Duration) -> Option<Value> {
		let of_subscription = |m: &Value| m.pointer("/params/subscription") == Some(id);
		if let Some(pos) = self.backlog.iter().position(of_subscription) {
			return self.backlog.remove(pos).pointer("/params/result").cloned();
		}
		let deadline = Instant::now() + timeout;
		loop {
			let message = self.read_message(deadline)?;
			if of_subscription(&message) {
				return message.pointer("/params/result").cloned();
			}
			if message.get("method").is_some() {
				self.backlog.push(message);
			}
		}
	}

	/// Waits until subscription `id` (of headers) announces a block at height `number` or above;
	/// returns that header.
	pub fn wait_for_header(&mut self, id: &Value, number: u64, timeout: Duration) -> Value {
		let deadline = Instant::now() + timeout;
		loop {
			let left = deadline.saturating_duration_since(Instant::now());
			let header = self
				.next_notification(id, left)
				.unwrap_or_else(|| panic!("no header at height {number} within {timeout:?}"));
			if header_number(&header) >= number {
				return header;
			}
		}
	}
}

/// Every key and value (hex) under storage `prefix` (hex; `"0x"` for the whole state) at block
/// `at`, read page by page as any RPC client would.
pub fn storage_pairs(
	rpc: &mut Rpc,
	prefix: &str,
	at: &Value,
) -> std::collections::BTreeMap<String, String> {
	const PAGE: usize = 1000;
	let mut pairs = std::collections::BTreeMap::new();
	let mut start: Option<String> = None;
	loop {
		let keys = rpc.request("state_getKeysPaged", json!([prefix, PAGE, start, at]));
		let keys: Vec<String> = serde_json::from_value(keys).unwrap_or_default();
		if !keys.is_empty() {
			let sets = rpc.request("state_queryStorageAt", json!([keys, at]));
			for change in sets.pointer("/0/changes").and_then(Value::as_array).into_iter().flatten()
			{
				if let (Some(key), Some(value)) = (change[0].as_str(), change[1].as_str()) {
					pairs.insert(key.to_owned(), value.to_owned());
				}
			}
		}
		if keys.len() < PAGE {
			return pairs;
		}
		start = keys.last().cloned();
	}
}

/// The number of a JSON header (`"number": "0x1a"`).
pub fn header_number(header: &Value) -> u64 {
	header
		.get("number")
		.and_then(Value::as_str)
		.and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok())
		.unwrap_or_default()
}

/// Hex with `0x`, as the RPC expects bytes.
pub fn to_hex(bytes: &[u8]) -> String {
	let mut out = String::with_capacity(2 + bytes.len() * 2);
	out.push_str("0x");
	for b in bytes {
		out.push_str(&format!("{b:02x}"));
	}
	out
}

/// Bytes from RPC hex (`0x...`).
pub fn from_hex(hex: &str) -> Vec<u8> {
	let digits = hex.trim_start_matches("0x");
	(0..digits.len())
		.step_by(2)
		.filter_map(|i| digits.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
		.collect()
}

/// A running `icn-node agent run`. Dropping it kills the process.
pub struct Agent {
	child: Child,
	/// `127.0.0.1:port` it serves challenges on (`--listen`).
	pub addr: String,
	/// `127.0.0.1:port` of its health and metrics (`--metrics-listen`).
	pub metrics_addr: String,
	/// Its log so far (stderr), kept by a thread that drains the pipe.
	log: Arc<Mutex<String>>,
}

impl Agent {
	/// Starts `icn-node agent run --data-dir <dir> --listen <listen> --metrics-listen
	/// 127.0.0.1:0` plus `extra` (a later `--metrics-listen` in `extra` wins), and waits until
	/// it serves.
	pub fn start(dir: &Path, listen: &str, extra: &[&str]) -> Agent {
		Self::spawn(
			Command::new(node_binary())
				.args(["agent", "run", "--data-dir"])
				.arg(dir)
				.args(["--listen", listen, "--metrics-listen", "127.0.0.1:0"])
				.args(extra),
		)
	}

	/// Starts `icn-node` with `args` (an `agent run` of any form) and waits until it serves.
	pub fn start_with(args: &[&str]) -> Agent {
		Self::spawn(Command::new(node_binary()).args(args))
	}

	fn spawn(command: &mut Command) -> Agent {
		let mut child = command
			.stdout(Stdio::null())
			.stderr(Stdio::piped())
			.spawn()
			.expect("icn-node agent starts");
		let stderr = child.stderr.take().expect("piped stderr");
		let mut lines = BufReader::new(stderr).lines();
		let log = Arc::new(Mutex::new(String::new()));
		let after = |line: &str, marker: &str| {
			line.split(marker)
				.nth(1)
				.and_then(|rest| rest.split(|c: char| c.is_whitespace() || c == ')').next())
				.map(str::to_string)
		};
		let (addr, metrics_addr) = loop {
			match lines.next() {
				Some(Ok(line)) => {
					log.lock().expect("log").push_str(&format!("{line}\n"));
					if let (Some(addr), Some(metrics)) =
						(after(&line, "on http://"), after(&line, "metrics at http://"))
					{
						break (addr, metrics);
					}
				},
				_ => panic!("the agent exited before serving: {}", log.lock().expect("log")),
			}
		};
		// Keep draining its stderr so it never blocks on a full pipe, and keep what it says.
		let kept = log.clone();
		std::thread::spawn(move || {
			for line in lines.map_while(Result::ok) {
				kept.lock().expect("log").push_str(&format!("{line}\n"));
			}
		});
		Agent { child, addr, metrics_addr, log }
	}

	/// What it has logged so far.
	pub fn log(&self) -> String {
		self.log.lock().expect("log").clone()
	}

	/// Waits up to `timeout` for a log line containing `text`; returns the log.
	pub fn wait_for_log(&self, text: &str, timeout: Duration) -> String {
		let deadline = Instant::now() + timeout;
		loop {
			let log = self.log();
			if log.contains(text) {
				return log;
			}
			assert!(Instant::now() < deadline, "no {text:?} in the agent's log: {log}");
			std::thread::sleep(Duration::from_millis(50));
		}
	}

	/// Sends it `signal` (e.g. `libc::SIGTERM`).
	pub fn signal(&self, signal: i32) {
		let pid = i32::try_from(self.child.id()).expect("pid");
		// SAFETY: `kill` has no memory-safety preconditions; the pid is this test's child.
		assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill");
	}

	/// Waits up to `timeout` for it to exit; its exit status.
	pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
		let deadline = Instant::now() + timeout;
		loop {
			if let Some(status) = self.child.try_wait().expect("try_wait") {
				return status;
			}
			assert!(Instant::now() < deadline, "the agent did not exit: {}", self.log());
			std::thread::sleep(Duration::from_millis(20));
		}
	}

	/// Its process id (a test may stop it from elsewhere: the browser test does).
	pub fn pid(&self) -> u32 {
		self.child.id()
	}

	/// `http://<addr>`.
	pub fn url(&self) -> String {
		format!("http://{}", self.addr)
	}
}

impl Drop for Agent {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// What the JavaScript tests (`client/js`, `client/web`) start from: a dev chain whose keystore
/// holds Alice's oracle key (`icno`), and a running agent serving a 256-chunk plot for Alice's
/// passport 0. The scripts register the oracle and the node themselves. Field order is drop
/// order: the agent stops before its data dir goes.
pub struct AliceOracleChain {
	pub agent: Agent,
	pub node: Node,
	pub plot: PlotRegistration,
	pub dir: tempfile::TempDir,
}

impl AliceOracleChain {
	/// Starts both; `name` names the node in logs.
	pub fn start(name: &str) -> AliceOracleChain {
		use polkadot_sdk::sp_core::{sr25519, Pair};
		let dir = tempfile::tempdir().expect("tmp");
		let alice = sr25519::Pair::from_string("//Alice", None).expect("dev key").public().0;
		let plot = agent_init(dir.path(), &alice, 0, 256);
		let agent = Agent::start(dir.path(), &format!("127.0.0.1:{}", free_port()), &[]);
		let node = Node::start(NodeConfig { name, args: vec!["--dev".into()], use_tmp: true });
		let mut rpc = node.rpc();
		let heads = rpc.subscribe("chain_subscribeNewHeads", serde_json::json!([]));
		rpc.wait_for_header(&heads, 1, Duration::from_secs(120));
		// The oracle key lives in the node's keystore; everything else happens in JavaScript.
		rpc.request("author_insertKey", serde_json::json!(["icno", "//Alice", to_hex(&alice)]));
		AliceOracleChain { agent, node, plot, dir }
	}

	/// `ICN_URL`, `ICN_AGENT_URL` and `ICN_PLOT` for a script.
	pub fn env(&self) -> [(&'static str, String); 3] {
		[
			("ICN_URL", format!("ws://127.0.0.1:{}", self.node.rpc_port)),
			("ICN_AGENT_URL", self.agent.url()),
			("ICN_PLOT", self.plot.line.clone()),
		]
	}
}

/// What `icn-node agent init` prints on stdout: the values an HP registers for the plot.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PlotRegistration {
	/// The registered root (`plot.bound_root(hp, passport)`).
	pub proof_root: [u8; 32],
	/// What `register_node` / `set_endpoint` take besides the root.
	pub plot: icn_primitives::pos::Plot,
	/// The plot's directory (`<data dir>/plot-<passport>-<nonce>`).
	pub dir: PathBuf,
	/// The JSON line `agent init` printed (what `icn hp register-node --plot` and the
	/// polkadot.js scripts take).
	pub line: String,
}

/// `icn-node agent init` in `dir`: a plot of `chunks` chunks of 4 KiB for `hp`'s `passport`
/// (nonce 0); returns what it printed (one JSON line on stdout).
pub fn agent_init(dir: &Path, hp: &[u8; 32], passport: u32, chunks: u32) -> PlotRegistration {
	agent_init_with_chunk_size(dir, hp, passport, chunks, 4096)
}

/// [`agent_init`] with chunks of `chunk_size` bytes.
pub fn agent_init_with_chunk_size(
	dir: &Path,
	hp: &[u8; 32],
	passport: u32,
	chunks: u32,
	chunk_size: u32,
) -> PlotRegistration {
	let (status, stdout, stderr) = run_node_command(&[
		"agent",
		"init",
		"--data-dir",
		dir.to_str().expect("utf-8 path"),
		"--hp",
		&to_hex(hp),
		"--passport",
		&passport.to_string(),
		"--chunks",
		&chunks.to_string(),
		"--chunk-size",
		&chunk_size.to_string(),
	]);
	assert!(status.success(), "agent init failed: {stderr}");
	assert_eq!(stdout.trim().lines().count(), 1, "one JSON line on stdout: {stdout}");
	let line: Value = serde_json::from_str(stdout.trim()).expect("agent init prints JSON");
	let hash = |value: &Value| -> [u8; 32] {
		from_hex(value.as_str().expect("a hex string")).try_into().expect("32 bytes")
	};
	let number = |value: &Value| value.as_u64().expect("a number");
	let plot = &line["plot"];
	PlotRegistration {
		proof_root: hash(&line["proof_root"]),
		plot: icn_primitives::pos::Plot {
			nonce: number(&plot["nonce"]),
			leaf_count: u32::try_from(number(&plot["leaf_count"])).expect("u32"),
			chunk_size: u32::try_from(number(&plot["chunk_size"])).expect("u32"),
			tree_root: hash(&plot["tree_root"]),
		},
		dir: PathBuf::from(line["dir"].as_str().expect("a path")),
		line: stdout.trim().to_string(),
	}
}

/// A plain HTTP/1.0 request to `addr` (`127.0.0.1:port`): status code and body.
pub fn http(addr: &str, method: &str, path: &str) -> (u16, Vec<u8>) {
	use std::io::{Read, Write};
	let mut stream = TcpStream::connect(addr).expect("connect to the agent");
	stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
	write!(stream, "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("send request");
	let mut raw = Vec::new();
	let _ = stream.read_to_end(&mut raw);
	let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP response");
	let head = String::from_utf8_lossy(&raw[..split]).into_owned();
	let status = head
		.split_whitespace()
		.nth(1)
		.and_then(|code| code.parse().ok())
		.expect("a status code");
	(status, raw[split + 4..].to_vec())
}
