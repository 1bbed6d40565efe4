//! `icn`: the ICN Chain command line for every actor (SPEC §8). Run `icn --help`.
//!
//! Transactions wait for inclusion by default (`--wait finalized` for finality, `--wait none` to
//! return once the pool took it), show progress on stderr and print the resulting events on
//! stdout (`--json` for machine-readable output). Errors are one line on stderr with a non-zero
//! exit code: 1 for a failed or rejected transaction, 2 for bad arguments, 3 when the node cannot
//! be reached.

use std::{io::Write, path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand, ValueEnum};
use icn::runtime_types::{
	icn_primitives::{market::Preferences, passport::PassportKind, pos::Plot, HardwareClass},
	sp_arithmetic::per_things::Perbill,
};
use icn_client::{
	account_of, format_icnt, icn, parse_account, parse_icnt, signer_from_keystore,
	signer_from_suri, ss58, subxt, subxt::ext::scale_value::Value, subxt_signer::sr25519::Keypair,
	AccountId, Client, Error, Outcome, Wait,
};

#[derive(Parser)]
#[command(
	name = "icn",
	version,
	about = "ICN Chain client: hardware providers, service providers, \
	delegators, oracles and governance",
	propagate_version = true
)]
struct Cli {
	/// The node's RPC endpoint.
	#[arg(long, global = true, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// Secret URI of the signing account (`//Alice`, a mnemonic, a 0x seed).
	#[arg(long, global = true, conflicts_with = "keystore_path")]
	suri: Option<String>,
	/// A keystore directory holding the signing account's key (key type `acco`).
	#[arg(long, global = true)]
	keystore_path: Option<PathBuf>,
	/// Print results as JSON.
	#[arg(long, global = true)]
	json: bool,
	/// How long to wait for a transaction.
	#[arg(long, global = true, value_enum, default_value_t = WaitArg::InBlock)]
	wait: WaitArg,
	#[command(subcommand)]
	command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum WaitArg {
	/// Until the pool accepted it.
	None,
	/// Until it is in a block.
	InBlock,
	/// Until its block is finalized.
	Finalized,
}

#[derive(Subcommand)]
enum Command {
	/// Hardware providers: collateral, nodes, rewards.
	#[command(subcommand)]
	Hp(HpCommand),
	/// Service providers: quotes, capacity requests, leases.
	#[command(subcommand)]
	Sp(SpCommand),
	/// Delegators: back an HP's collateral and share its rewards.
	#[command(subcommand)]
	Delegator(DelegatorCommand),
	/// SLA oracles.
	#[command(subcommand)]
	Oracle(OracleCommand),
	/// Governance through sudo (dev and test chains).
	#[command(subcommand)]
	Gov(GovCommand),
	/// Read chain state.
	#[command(subcommand)]
	Show(ShowCommand),
	/// Print the signing account's address.
	Whoami,
	/// Throughput on a dev chain: pre-signed transfers versus the protocol's hot calls from many
	/// accounts, rates read from the chain's blocks. The signer funds the accounts.
	Bench(BenchArgs),
}

#[derive(Args)]
struct BenchArgs {
	/// Accounts (`//Bench//0` …), each sending one transaction of every kind.
	#[arg(long, default_value = "4000")]
	accounts: u32,
	/// The HP delegated to (its node must be Active with `accounts` free storage units).
	#[arg(long, value_parser = account)]
	hp: AccountId,
	/// The HP's node, whose rewards are claimed into its pool before the claims run.
	#[arg(long)]
	node: u64,
	/// The node's cluster (storage requested there).
	#[arg(long, default_value = "0")]
	cluster: u32,
	/// ICNT given to each account.
	#[arg(long, default_value = "50", value_parser = icnt)]
	fund: u128,
	/// Submissions in flight at once.
	#[arg(long, default_value = "16")]
	concurrency: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum Class {
	Storage,
	Gpu,
	Cpu,
}

impl From<Class> for HardwareClass {
	fn from(c: Class) -> Self {
		match c {
			Class::Storage => HardwareClass::Storage,
			Class::Gpu => HardwareClass::Gpu,
			Class::Cpu => HardwareClass::Cpu,
		}
	}
}

/// An ICNT amount argument (`12`, `0.5`).
fn icnt(text: &str) -> Result<u128, String> {
	parse_icnt(text).map_err(|e| e.to_string())
}

/// An account argument (SS58, `0x…`, or a dev name such as `alice`).
fn account(text: &str) -> Result<AccountId, String> {
	parse_account(text).map_err(|e| e.to_string())
}

/// A 32-byte hex argument (`0x…`).
/// What `icn-node agent init` printed for a plot (SPEC §5.8): its proof root and plot, as the
/// JSON line itself or the path of a file holding it (or the plot directory's `plot.json`).
#[derive(Clone, Debug)]
struct PlotArg {
	proof_root: [u8; 32],
	nonce: u64,
	leaf_count: u32,
	chunk_size: u32,
	tree_root: [u8; 32],
}

impl PlotArg {
	fn plot(&self) -> Plot {
		Plot {
			nonce: self.nonce,
			leaf_count: self.leaf_count,
			chunk_size: self.chunk_size,
			tree_root: self.tree_root,
		}
	}
}

fn plot_arg(text: &str) -> Result<PlotArg, String> {
	let json = if text.trim_start().starts_with('{') {
		text.to_string()
	} else {
		let path = std::path::Path::new(text);
		let path = if path.is_dir() { path.join("plot.json") } else { path.to_path_buf() };
		std::fs::read_to_string(&path)
			.map_err(|e| format!("cannot read {}: {e}", path.display()))?
	};
	let value: serde_json::Value =
		serde_json::from_str(&json).map_err(|e| format!("the plot is not JSON: {e}"))?;
	// The init line nests the plot under "plot"; plot.json keeps its fields at the top.
	let fields = value.get("plot").filter(|p| p.is_object()).unwrap_or(&value);
	let number = |name: &str| {
		fields
			.get(name)
			.and_then(|n| n.as_u64())
			.ok_or_else(|| format!("the plot has no number {name:?}"))
	};
	let hash = |v: Option<&serde_json::Value>, name: &str| {
		hash32(v.and_then(|h| h.as_str()).ok_or_else(|| format!("the plot has no {name:?}"))?)
	};
	let small = |name: &str| -> Result<u32, String> {
		u32::try_from(number(name)?).map_err(|_| format!("{name} is too large"))
	};
	Ok(PlotArg {
		proof_root: hash(value.get("proof_root"), "proof_root")?,
		nonce: number("nonce")?,
		leaf_count: small("leaf_count")?,
		chunk_size: small("chunk_size")?,
		tree_root: hash(fields.get("tree_root"), "tree_root")?,
	})
}

fn hash32(text: &str) -> Result<[u8; 32], String> {
	let digits = text.strip_prefix("0x").unwrap_or(text);
	let bytes = hex::decode(digits).map_err(|_| format!("{text:?} is not hex"))?;
	bytes.try_into().map_err(|_| format!("{text:?} is not 32 bytes"))
}

/// A percentage argument (`0`–`100`, decimals allowed).
fn percent(text: &str) -> Result<u32, String> {
	let value: f64 = text.parse().map_err(|_| format!("{text:?} is not a percentage"))?;
	if !(0.0..=100.0).contains(&value) {
		return Err(format!("{text} is not between 0 and 100"));
	}
	Ok((value * 10_000_000.0).round() as u32)
}

#[derive(Subcommand)]
enum HpCommand {
	/// Bond collateral (held on your account).
	Bond {
		/// ICNT to bond.
		#[arg(value_parser = icnt)]
		amount: u128,
	},
	/// Start unbonding collateral (free after the unbonding period).
	Unbond {
		#[arg(value_parser = icnt)]
		amount: u128,
	},
	/// Withdraw unbonded collateral whose period is over.
	WithdrawUnbonded,
	/// Set the commission taken from rewards before delegators' shares (percent).
	SetCommission {
		#[arg(value_parser = percent)]
		percent: u32,
	},
	/// Register a hardware node: stakes a passport, commits collateral; starts Pending.
	RegisterNode(RegisterNode),
	/// Set a node's price per unit per era (ICNT).
	SetPrice {
		node: u64,
		#[arg(value_parser = icnt)]
		price: u128,
	},
	/// Replace a node's agent URL and plot (after re-plotting: `icn-node agent init`).
	SetEndpoint {
		node: u64,
		endpoint: String,
		/// The JSON line `icn-node agent init` printed, or a file or plot directory holding it.
		#[arg(value_parser = plot_arg)]
		plot: PlotArg,
	},
	/// Add capacity to a node (commits more collateral).
	AddCapacity { node: u64, added: u64 },
	/// Extend a node's commitment to end at era `until`.
	ExtendCommitment { node: u64, until: u32 },
	/// Retire a node (early: pays the exit penalty; not with leases, nor under an anomaly).
	Exit { node: u64 },
	/// Retire a Faulty or Slashing node, paying the rest of its slash schedule (its passport is
	/// revoked and its leases end with refunds).
	RetireUnderAnomaly { node: u64 },
	/// Credit a node's cluster rewards to its HP's pool (anyone may call it).
	ClaimNodeRewards { node: u64 },
	/// Claim your own share of your pool (commission and bond share).
	Claim,
}

#[derive(Args)]
struct RegisterNode {
	/// An unstaked HardwareProvider passport of yours.
	#[arg(long)]
	passport: u32,
	#[arg(long)]
	cluster: u32,
	#[arg(long, value_enum)]
	class: Class,
	/// Units of the class (GiB, GPUs, vCPUs).
	#[arg(long)]
	capacity: u64,
	/// ICNT per unit per era.
	#[arg(long, value_parser = icnt)]
	price: u128,
	/// Eras of commitment (at least the runtime's minimum).
	#[arg(long)]
	commitment_eras: u32,
	/// The agent's URL (`http://…` or `https://…`).
	#[arg(long)]
	endpoint: String,
	/// The plot `icn-node agent init` made for this passport: the JSON line it printed, or a
	/// file or plot directory holding it.
	#[arg(long, value_parser = plot_arg)]
	plot: PlotArg,
}

#[derive(Args, Clone)]
struct RequestArgs {
	#[arg(long)]
	cluster: u32,
	#[arg(long, value_enum)]
	class: Class,
	/// Units wanted.
	#[arg(long)]
	amount: u64,
	/// Eras wanted.
	#[arg(long)]
	duration: u32,
	/// Highest ICNT per unit per era.
	#[arg(long, value_parser = icnt)]
	max_price: u128,
	/// Weight of a low price (percent; only ratios matter).
	#[arg(long, default_value = "100", value_parser = percent)]
	weight_price: u32,
	/// Weight of reliability.
	#[arg(long, default_value = "0", value_parser = percent)]
	weight_reliability: u32,
	/// Weight of a long commitment.
	#[arg(long, default_value = "0", value_parser = percent)]
	weight_commitment: u32,
}

impl RequestArgs {
	fn preferences(&self) -> Preferences {
		Preferences {
			price: Perbill(self.weight_price),
			reliability: Perbill(self.weight_reliability),
			commitment: Perbill(self.weight_commitment),
		}
	}
}

#[derive(Subcommand)]
enum SpCommand {
	/// What a request would get and cost now (nothing is submitted).
	Quote(RequestArgs),
	/// Request capacity: escrows the maximum cost, leases start next era.
	Request {
		#[command(flatten)]
		args: RequestArgs,
		/// Accept a partial fill.
		#[arg(long)]
		allow_partial: bool,
	},
	/// Cancel a lease with notice; the rest of the escrow comes back.
	Cancel { lease: u64 },
	/// Renew a lease for more eras at the node's current price, if it is at most `--max-price`
	/// ICNT per unit per era: a price raised just before the renewal is refused.
	Renew {
		lease: u64,
		duration: u32,
		/// Highest ICNT per unit per era you accept.
		#[arg(long, value_parser = icnt)]
		max_price: u128,
	},
	/// Settle a lease: pays served eras, returns faulty eras to you as compensation.
	Settle { lease: u64 },
}

#[derive(Subcommand)]
enum DelegatorCommand {
	/// Delegate ICNT to an HP.
	Delegate {
		#[arg(value_parser = account)]
		hp: AccountId,
		#[arg(value_parser = icnt)]
		amount: u128,
	},
	/// Start undelegating.
	Undelegate {
		#[arg(value_parser = account)]
		hp: AccountId,
		#[arg(value_parser = icnt)]
		amount: u128,
	},
	/// Withdraw what finished unbonding.
	Withdraw {
		#[arg(value_parser = account)]
		hp: AccountId,
	},
	/// Claim your rewards from an HP's pool.
	Claim {
		#[arg(value_parser = account)]
		hp: AccountId,
	},
}

#[derive(Subcommand)]
enum OracleCommand {
	/// Register as an oracle: stakes an Oracle passport and binds the oracle key (the `icno` key
	/// in your oracle node's keystore), proving you hold it.
	Register {
		#[arg(long)]
		passport: u32,
		/// Secret URI of the oracle key.
		#[arg(long)]
		oracle_suri: String,
	},
	/// Leave the oracle set.
	Deregister,
	/// Claim oracle rewards of finished eras.
	ClaimRewards,
	/// The current round, the oracles, and your (or `--who`'s) assignments.
	Status {
		#[arg(long, value_parser = account)]
		who: Option<AccountId>,
	},
}

#[derive(Subcommand)]
enum GovCommand {
	/// Create a cluster (sudo).
	CreateCluster {
		region: String,
		#[arg(value_enum, num_args = 1.., required = true)]
		classes: Vec<Class>,
	},
	/// Mint a passport (sudo).
	MintPassport {
		#[arg(value_parser = account)]
		owner: AccountId,
		#[arg(value_enum)]
		kind: PassportArg,
		#[arg(long, default_value = "")]
		metadata: String,
	},
	/// Set a (cluster, class) group's reward parameters (sudo).
	SetGroupParams {
		cluster: u32,
		#[arg(value_enum)]
		class: Class,
		/// Subsidy per unit of capacity per era while the group is empty (ICNT); the rate
		/// falls linearly to zero at the subsidy cap.
		#[arg(long, value_parser = icnt)]
		base_subsidy: u128,
		/// Capacity at which the subsidy reaches zero.
		#[arg(long)]
		subsidy_cap: u64,
		/// Usage reward per ICNT of fees (e.g. 1 or 0.5).
		#[arg(long, value_parser = icnt)]
		usage_multiplier: u128,
	},
}

#[derive(Clone, Copy, ValueEnum)]
enum PassportArg {
	HardwareProvider,
	Oracle,
}

#[derive(Subcommand)]
enum ShowCommand {
	/// A node (with its reliability), or every node of `--hp`.
	Nodes {
		node: Option<u64>,
		#[arg(long, value_parser = account)]
		hp: Option<AccountId>,
	},
	/// The open leases of an SP (default: you).
	Leases {
		#[arg(long, value_parser = account)]
		sp: Option<AccountId>,
	},
	/// An HP's collateral, requirement and pool (default: you).
	Pool {
		#[arg(long, value_parser = account)]
		hp: Option<AccountId>,
	},
	/// Unclaimed rewards: node rewards of an HP's nodes and oracle rewards (default: you).
	PendingRewards {
		#[arg(long, value_parser = account)]
		who: Option<AccountId>,
	},
	/// The SLA oracle's current round.
	Round,
	/// Reward rates per (cluster, class), of one cluster or all.
	Rates { cluster: Option<u32> },
	/// Free capacity of a (cluster, class).
	FreeCapacity {
		cluster: u32,
		#[arg(value_enum)]
		class: Class,
	},
	/// An account's free and held ICNT.
	Balance {
		#[arg(value_parser = account)]
		who: Option<AccountId>,
	},
}

/// Where output goes: text or JSON.
struct Output {
	json: bool,
}

impl Output {
	fn outcome(&self, outcome: &Outcome) {
		if self.json {
			let events: Vec<_> = outcome
				.events
				.iter()
				.map(
					|e| serde_json::json!({ "pallet": e.pallet, "event": e.name, "fields": e.json }),
				)
				.collect();
			println!(
				"{}",
				serde_json::json!({ "hash": outcome.hash, "block": outcome.block, "events": events })
			);
		} else {
			match &outcome.block {
				Some(block) => println!("included in block {block}"),
				None => println!("submitted {}", outcome.hash),
			}
			for event in &outcome.events {
				println!("  {event}");
			}
		}
	}

	fn value(&self, label: &str, value: &Value<u32>, types: &scale_info::PortableRegistry) {
		let (text, json) = icn_client::render_value(value, types);
		if self.json {
			println!("{}", serde_json::json!({ label: json }));
		} else {
			println!("{label}: {text}");
		}
	}
}

struct Context {
	client: Client,
	signer: Option<Keypair>,
	wait: Wait,
	out: Output,
	/// Fetched once per command, on the first value printed.
	metadata: std::sync::OnceLock<subxt::ArcMetadata>,
}

impl Context {
	fn signer(&self) -> Result<&Keypair, Error> {
		self.signer.as_ref().ok_or_else(|| {
			Error::BadInput(
				"this command signs a transaction: pass --suri or --keystore-path".into(),
			)
		})
	}

	fn me(&self) -> Result<AccountId, Error> {
		self.signer().map(account_of)
	}

	async fn send<P: subxt::tx::Payload>(&self, call: P) -> Result<(), Error> {
		let signer = self.signer()?;
		let interactive = !self.out.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
		let mut shown = false;
		let outcome = self
			.client
			.submit(&call, signer, self.wait, |step| {
				let mut err = std::io::stderr();
				if interactive {
					let _ = write!(err, "\r\x1b[2K⏳ {step}");
					shown = true;
				} else {
					let _ = writeln!(err, "… {step}");
				}
				let _ = err.flush();
			})
			.await;
		if shown {
			eprint!("\r\x1b[2K");
		}
		self.out.outcome(&outcome?);
		Ok(())
	}

	async fn api(&self, api: &str, method: &str, args: Vec<Value>) -> Result<Value<u32>, Error> {
		self.client.call_api(api, method, args).await
	}

	/// Prints a decoded value under `label`.
	async fn show(&self, label: &str, value: &Value<u32>) -> Result<(), Error> {
		let metadata = match self.metadata.get() {
			Some(metadata) => metadata.clone(),
			None => {
				let metadata = self.client.metadata().await?;
				self.metadata.get_or_init(|| metadata).clone()
			},
		};
		self.out.value(label, value, metadata.types());
		Ok(())
	}

	/// Wraps a call in `sudo.sudo`.
	async fn sudo(&self, call: icn::runtime_types::icn_runtime::RuntimeCall) -> Result<(), Error> {
		self.send(icn::tx().sudo().sudo(call)).await
	}
}

fn acct(a: &AccountId) -> Value {
	Value::from_bytes(a.0)
}

fn class_value(c: Class) -> Value {
	let name = match c {
		Class::Storage => "Storage",
		Class::Gpu => "Gpu",
		Class::Cpu => "Cpu",
	};
	Value::unnamed_variant(name, [])
}

async fn run(cli: Cli) -> Result<(), Error> {
	let signer = match (&cli.suri, &cli.keystore_path) {
		(Some(suri), _) => Some(signer_from_suri(suri)?),
		(None, Some(dir)) => Some(signer_from_keystore(dir, "acco")?),
		(None, None) => None,
	};
	if let Command::Whoami = cli.command {
		let me = signer
			.as_ref()
			.map(account_of)
			.ok_or_else(|| Error::BadInput("pass --suri or --keystore-path".into()))?;
		if cli.json {
			println!("{}", serde_json::json!({ "account": ss58(&me) }));
		} else {
			println!("{}", ss58(&me));
		}
		return Ok(());
	}
	let client = Client::connect(&cli.url).await?;
	let wait = match cli.wait {
		WaitArg::None => Wait::Submitted,
		WaitArg::InBlock => Wait::InBlock,
		WaitArg::Finalized => Wait::Finalized,
	};
	let cx = Context {
		client,
		signer,
		wait,
		out: Output { json: cli.json },
		metadata: std::sync::OnceLock::new(),
	};
	match cli.command {
		Command::Whoami => Ok(()),
		Command::Hp(c) => hp(&cx, c).await,
		Command::Sp(c) => sp(&cx, c).await,
		Command::Delegator(c) => delegator(&cx, c).await,
		Command::Oracle(c) => oracle(&cx, c).await,
		Command::Gov(c) => gov(&cx, c).await,
		Command::Show(c) => show(&cx, c).await,
		Command::Bench(args) => bench(&cx, args).await,
	}
}

/// See [`Command::Bench`] and `icn_client::bench`.
async fn bench(cx: &Context, args: BenchArgs) -> Result<(), Error> {
	use icn_client::bench::Measured;
	let funder = cx.signer()?;
	let progress = |line: &str| eprintln!("bench: {line}");
	let accounts: Vec<Keypair> = (0..args.accounts)
		.map(|i| signer_from_suri(&format!("//Bench//{i}")))
		.collect::<Result<_, _>>()?;
	let ids: Vec<AccountId> = accounts.iter().map(account_of).collect();
	let tx = icn::tx();
	let n = accounts.len();

	progress(&format!("funding {n} accounts with {} each", format_icnt(args.fund)));
	let first = cx.client.next_nonce(&account_of(funder)).await?;
	let funding = ids
		.iter()
		.enumerate()
		.map(|(i, id)| {
			let call = tx
				.balances()
				.transfer_keep_alive(subxt::utils::MultiAddress::Id(id.clone()), args.fund);
			(call, funder, first + i as u64)
		})
		.collect();
	// One sender: submitted in nonce order.
	let batch = cx.client.sign_batch("Balances", "transfer_keep_alive", funding).await?;
	let funded = cx.client.run_batch(batch, 1, 3).await?;
	check(&funded)?;

	let mut results: Vec<Measured> = Vec::new();
	progress("transfers");
	let calls = (0..n)
		.map(|i| {
			let to = subxt::utils::MultiAddress::Id(ids[(i + 1) % n].clone());
			(tx.balances().transfer_keep_alive(to, icn_client::ICNT), &accounts[i], 0)
		})
		.collect();
	let batch = cx.client.sign_batch("Balances", "transfer_keep_alive", calls).await?;
	results.push(cx.client.run_batch(batch, args.concurrency, 3).await?);

	progress("delegations");
	let calls = (0..n)
		.map(|i| {
			(tx.collateral().delegate(args.hp.clone(), 10 * icn_client::ICNT), &accounts[i], 1)
		})
		.collect();
	let batch = cx.client.sign_batch("Collateral", "delegate", calls).await?;
	results.push(cx.client.run_batch(batch, args.concurrency, 3).await?);

	progress("capacity requests");
	let preferences = Preferences {
		price: Perbill(1_000_000_000),
		reliability: Perbill(0),
		commitment: Perbill(0),
	};
	let calls = (0..n)
		.map(|i| {
			let call = tx.capacity_market().request_capacity(
				args.cluster,
				HardwareClass::Storage,
				1,
				1,
				icn_client::ICNT,
				preferences.clone(),
				false,
			);
			(call, &accounts[i], 2)
		})
		.collect();
	let batch = cx.client.sign_batch("CapacityMarket", "request_capacity", calls).await?;
	results.push(cx.client.run_batch(batch, args.concurrency, 3).await?);

	// The delegators' rewards: the node's rewards claimed into the HP's pool. A delegation made
	// in era `d` earns from the credits of era `d + 2` on (SPEC §3.9), and a node's rewards can
	// be claimed once per era (when an era ends): the third successful claim is made in era
	// `d + 2` or later.
	progress("waiting for node rewards the delegations earn, to claim into the pool");
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(900);
	let mut claimed = 0;
	while claimed < 3 {
		let claim = tx.cluster_rewards().claim_node_rewards(args.node);
		match cx.client.submit(&claim, funder, Wait::InBlock, |_| {}).await {
			Ok(_) => claimed += 1,
			Err(Error::Dispatch { ref error, .. }) if error == "NothingToClaim" => {},
			Err(e) => return Err(e),
		}
		if std::time::Instant::now() > deadline {
			return Err(Error::Other("no node rewards to claim within 900 s".into()));
		}
		if claimed < 3 {
			tokio::time::sleep(std::time::Duration::from_secs(3)).await;
		}
	}
	progress("reward claims");
	let calls = (0..n)
		.map(|i| (tx.collateral().claim_rewards(args.hp.clone()), &accounts[i], 3))
		.collect();
	let batch = cx.client.sign_batch("Collateral", "claim_rewards", calls).await?;
	results.push(cx.client.run_batch(batch, args.concurrency, 3).await?);

	let base = results[0].per_full_block().max(f64::MIN_POSITIVE);
	for m in &results {
		let ratio = m.per_full_block() / base;
		if cx.out.json {
			println!(
				"{}",
				serde_json::json!({
					"call": m.name,
					"submitted": m.submitted,
					"included": m.included,
					"failed": m.failed,
					"rejected": m.rejected,
					"blocks": m.per_block.len(),
					"per_block": m.per_block,
					"per_full_block": m.per_full_block(),
					"max_per_block": m.max_per_block(),
					"per_second": m.per_second(),
					"vs_transfer": ratio,
				})
			);
		}
	}
	if !cx.out.json {
		println!(
			"{:<34} {:>9} {:>8} {:>6} {:>6} {:>14} {:>9} {:>8} {:>11}",
			"call",
			"submitted",
			"included",
			"failed",
			"blocks",
			"per full block",
			"max/block",
			"tx/s",
			"vs transfer"
		);
		for m in &results {
			println!(
				"{:<34} {:>9} {:>8} {:>6} {:>6} {:>14.1} {:>9} {:>8.1} {:>10.0}%",
				m.name,
				m.submitted,
				m.included,
				m.failed,
				m.per_block.len(),
				m.per_full_block(),
				m.max_per_block(),
				m.per_second(),
				100.0 * m.per_full_block() / base,
			);
		}
	}
	for m in &results {
		check(m)?;
	}
	Ok(())
}

/// A measurement only counts if everything submitted was included and succeeded.
fn check(m: &icn_client::bench::Measured) -> Result<(), Error> {
	if m.rejected > 0 || m.failed > 0 || m.included < m.submitted {
		return Err(Error::Other(format!(
			"{}: {} submitted, {} rejected by the pool, {} included, {} failed",
			m.name, m.submitted, m.rejected, m.included, m.failed
		)));
	}
	Ok(())
}

async fn hp(cx: &Context, command: HpCommand) -> Result<(), Error> {
	let tx = icn::tx();
	match command {
		HpCommand::Bond { amount } => cx.send(tx.collateral().bond(amount)).await,
		HpCommand::Unbond { amount } => cx.send(tx.collateral().unbond(amount)).await,
		HpCommand::WithdrawUnbonded => cx.send(tx.collateral().withdraw_unbonded()).await,
		HpCommand::SetCommission { percent } => {
			cx.send(tx.collateral().set_commission(Perbill(percent))).await
		},
		HpCommand::RegisterNode(r) => {
			cx.send(tx.capacity_market().register_node(
				r.passport,
				r.cluster,
				r.class.into(),
				r.capacity,
				r.price,
				r.commitment_eras,
				r.endpoint.into_bytes(),
				r.plot.proof_root,
				r.plot.plot(),
			))
			.await
		},
		HpCommand::SetPrice { node, price } => {
			cx.send(tx.capacity_market().set_price(node, price)).await
		},
		HpCommand::SetEndpoint { node, endpoint, plot } => {
			cx.send(tx.capacity_market().set_endpoint(
				node,
				endpoint.into_bytes(),
				plot.proof_root,
				plot.plot(),
			))
			.await
		},
		HpCommand::AddCapacity { node, added } => {
			cx.send(tx.capacity_market().add_capacity(node, added)).await
		},
		HpCommand::ExtendCommitment { node, until } => {
			cx.send(tx.capacity_market().extend_commitment(node, until)).await
		},
		HpCommand::Exit { node } => cx.send(tx.capacity_market().exit_node(node)).await,
		HpCommand::RetireUnderAnomaly { node } => {
			cx.send(tx.sla_oracle().retire_under_anomaly(node)).await
		},
		HpCommand::ClaimNodeRewards { node } => {
			cx.send(tx.cluster_rewards().claim_node_rewards(node)).await
		},
		HpCommand::Claim => {
			let me = cx.me()?;
			cx.send(tx.collateral().claim_rewards(me)).await
		},
	}
}

async fn sp(cx: &Context, command: SpCommand) -> Result<(), Error> {
	let tx = icn::tx();
	match command {
		SpCommand::Quote(a) => {
			let prefs = Value::named_composite([
				("price", Value::u128(u128::from(a.weight_price))),
				("reliability", Value::u128(u128::from(a.weight_reliability))),
				("commitment", Value::u128(u128::from(a.weight_commitment))),
			]);
			let quote = cx
				.api(
					"CapacityMarketApi",
					"quote",
					vec![
						Value::u128(u128::from(a.cluster)),
						class_value(a.class),
						Value::u128(u128::from(a.amount)),
						Value::u128(u128::from(a.duration)),
						Value::u128(a.max_price),
						prefs,
					],
				)
				.await?;
			cx.show("quote", &quote).await?;
			Ok(())
		},
		SpCommand::Request { args, allow_partial } => {
			cx.send(tx.capacity_market().request_capacity(
				args.cluster,
				args.class.into(),
				args.amount,
				args.duration,
				args.max_price,
				args.preferences(),
				allow_partial,
			))
			.await
		},
		SpCommand::Cancel { lease } => cx.send(tx.capacity_market().cancel_lease(lease)).await,
		SpCommand::Renew { lease, duration, max_price } => {
			cx.send(tx.capacity_market().renew_lease(lease, duration, max_price)).await
		},
		SpCommand::Settle { lease } => cx.send(tx.capacity_market().settle_lease(lease)).await,
	}
}

async fn delegator(cx: &Context, command: DelegatorCommand) -> Result<(), Error> {
	let tx = icn::tx();
	match command {
		DelegatorCommand::Delegate { hp, amount } => {
			cx.send(tx.collateral().delegate(hp, amount)).await
		},
		DelegatorCommand::Undelegate { hp, amount } => {
			cx.send(tx.collateral().undelegate(hp, amount)).await
		},
		DelegatorCommand::Withdraw { hp } => cx.send(tx.collateral().withdraw_delegation(hp)).await,
		DelegatorCommand::Claim { hp } => cx.send(tx.collateral().claim_rewards(hp)).await,
	}
}

async fn oracle(cx: &Context, command: OracleCommand) -> Result<(), Error> {
	use icn::runtime_types::icn_primitives::oracle::crypto::{Public, Signature};
	use subxt::ext::codec::Encode;
	let tx = icn::tx();
	match command {
		OracleCommand::Register { passport, oracle_suri } => {
			let key = signer_from_suri(&oracle_suri)?;
			let me = cx.me()?;
			let message = (b"icn/oracle-key".as_slice(), me.0).encode();
			let proof = key.sign(&message);
			cx.send(tx.sla_oracle().register_oracle(
				passport,
				Public(key.public_key().0),
				Signature(proof.0),
			))
			.await
		},
		OracleCommand::Deregister => cx.send(tx.sla_oracle().deregister_oracle()).await,
		OracleCommand::ClaimRewards => cx.send(tx.cluster_rewards().claim_oracle_rewards()).await,
		OracleCommand::Status { who } => {
			let round = cx.api("SlaOracleApi", "round", vec![]).await?;
			cx.show("round", &round).await?;
			let oracles = cx.api("SlaOracleApi", "oracles", vec![]).await?;
			cx.show("oracles", &oracles).await?;
			let who = match who {
				Some(w) => Some(w),
				None => cx.signer.as_ref().map(account_of),
			};
			if let Some(who) = who {
				let duties = cx.api("SlaOracleApi", "assignments", vec![acct(&who)]).await?;
				cx.show("assignments", &duties).await?;
			}
			Ok(())
		},
	}
}

async fn gov(cx: &Context, command: GovCommand) -> Result<(), Error> {
	use icn::runtime_types::{
		icn_runtime::RuntimeCall,
		pallet_capacity_market::pallet::Call as MarketCall,
		pallet_cluster_rewards::{pallet::Call as RewardsCall, GroupParameters},
		pallet_passports::pallet::Call as PassportsCall,
		sp_arithmetic::fixed_point::FixedU128,
	};
	match command {
		GovCommand::CreateCluster { region, classes } => {
			cx.sudo(RuntimeCall::CapacityMarket(MarketCall::create_cluster {
				region: region.into_bytes(),
				classes: classes.into_iter().map(Into::into).collect(),
			}))
			.await
		},
		GovCommand::MintPassport { owner, kind, metadata } => {
			cx.sudo(RuntimeCall::Passports(PassportsCall::mint {
				owner: subxt::utils::MultiAddress::Id(owner),
				kind: match kind {
					PassportArg::HardwareProvider => PassportKind::HardwareProvider,
					PassportArg::Oracle => PassportKind::Oracle,
				},
				metadata: icn::runtime_types::bounded_collections::bounded_vec::BoundedVec(
					metadata.into_bytes(),
				),
			}))
			.await
		},
		GovCommand::SetGroupParams {
			cluster,
			class,
			base_subsidy,
			subsidy_cap,
			usage_multiplier,
		} => {
			cx.sudo(RuntimeCall::ClusterRewards(RewardsCall::set_group_params {
				cluster,
				class: class.into(),
				params: GroupParameters {
					base_subsidy,
					subsidy_cap,
					// ICNT has 18 decimals, like FixedU128: the parsed amount is its inner value.
					usage_multiplier: FixedU128(usage_multiplier),
				},
			}))
			.await
		},
	}
}

async fn show(cx: &Context, command: ShowCommand) -> Result<(), Error> {
	let default = |who: Option<AccountId>| -> Result<AccountId, Error> {
		match who {
			Some(w) => Ok(w),
			None => cx.me().map_err(|_| {
				Error::BadInput("name the account (--hp/--sp/--who) or pass --suri".into())
			}),
		}
	};
	match command {
		ShowCommand::Nodes { node: Some(node), .. } => {
			let info =
				cx.api("CapacityMarketApi", "node", vec![Value::u128(u128::from(node))]).await?;
			cx.show(&format!("node {node}"), &info).await?;
			Ok(())
		},
		ShowCommand::Nodes { node: None, hp } => {
			let hp = default(hp)?;
			let at = cx.client.at_best().await?;
			let address =
				subxt::storage::dynamic::<Vec<Value>, Value>("CapacityMarket", "NodesByHp");
			let mut entries = at
				.storage()
				.iter(address, vec![acct(&hp)])
				.await
				.map_err(|e| Error::Other(e.to_string()))?;
			let mut ids = Vec::new();
			while let Some(entry) = entries.next().await {
				let entry = entry.map_err(|e| Error::Other(e.to_string()))?;
				let key = entry.key().map_err(|e| Error::Other(e.to_string()))?;
				if let Some(part) = key.part(1) {
					if let Some(Ok(id)) = part.decode_as::<u64>().transpose() {
						ids.push(id);
					}
				}
			}
			ids.sort_unstable();
			for id in ids {
				let info =
					cx.api("CapacityMarketApi", "node", vec![Value::u128(u128::from(id))]).await?;
				cx.show(&format!("node {id}"), &info).await?;
			}
			Ok(())
		},
		ShowCommand::Leases { sp } => {
			let sp = default(sp)?;
			let leases = cx.api("CapacityMarketApi", "leases_of", vec![acct(&sp)]).await?;
			cx.show("leases", &leases).await?;
			Ok(())
		},
		ShowCommand::Pool { hp } => {
			let hp = default(hp)?;
			let info = cx.api("CollateralApi", "collateral_of", vec![acct(&hp)]).await?;
			cx.show("collateral", &info).await?;
			Ok(())
		},
		ShowCommand::PendingRewards { who } => {
			let who = default(who)?;
			let pending = cx.api("RewardsApi", "pending_rewards", vec![acct(&who)]).await?;
			cx.show("pending rewards", &pending).await?;
			let hp_share =
				cx.api("CollateralApi", "pending_rewards", vec![acct(&who), acct(&who)]).await?;
			cx.show("claimable from own pool", &hp_share).await?;
			Ok(())
		},
		ShowCommand::Round => {
			let round = cx.api("SlaOracleApi", "round", vec![]).await?;
			cx.show("round", &round).await?;
			Ok(())
		},
		ShowCommand::Rates { cluster } => {
			let rates = match cluster {
				Some(c) => {
					cx.api("RewardsApi", "cluster_rates", vec![Value::u128(u128::from(c))]).await?
				},
				None => cx.api("RewardsApi", "all_rates", vec![]).await?,
			};
			cx.show("rates", &rates).await?;
			Ok(())
		},
		ShowCommand::FreeCapacity { cluster, class } => {
			let free = cx
				.api(
					"CapacityMarketApi",
					"free_capacity",
					vec![Value::u128(u128::from(cluster)), class_value(class)],
				)
				.await?;
			cx.show("free capacity", &free).await?;
			Ok(())
		},
		ShowCommand::Balance { who } => {
			let who = default(who)?;
			let account = cx
				.client
				.fetch(icn::storage().system().account(), (who.clone(),))
				.await?
				.ok_or_else(|| Error::Other("no such account".into()))?;
			if cx.out.json {
				println!(
					"{}",
					serde_json::json!({
						"account": ss58(&who),
						"free": account.data.free.to_string(),
						"held": account.data.reserved.to_string(),
					})
				);
			} else {
				println!(
					"{}: free {}, held {}",
					ss58(&who),
					format_icnt(account.data.free),
					format_icnt(account.data.reserved)
				);
			}
			Ok(())
		},
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = match Cli::try_parse() {
		Ok(cli) => cli,
		Err(e) => {
			// Help and version go to stdout with success; usage errors are exit code 2.
			let _ = e.print();
			return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
		},
	};
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::from(match e {
				Error::BadInput(_) => 2,
				Error::Connect { .. } => 3,
				_ => 1,
			})
		},
	}
}
