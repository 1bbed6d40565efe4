//! # `icn-client`: the ICN Chain client library (SPEC §8)
//!
//! A thin layer over [`subxt`] with the chain's interface generated at compile time from the
//! committed metadata (`client/artifacts/icn.scale`, refreshed by `client/refresh-metadata.sh`;
//! the test `metadata_is_current` fails when it no longer matches the runtime). The `icn` CLI is
//! built on it, and so can any other tool:
//!
//! ```no_run
//! # async fn run() -> Result<(), icn_client::Error> {
//! use icn_client::{icn, Client, Wait};
//! let client = Client::connect("ws://127.0.0.1:9944").await?;
//! let alice = icn_client::signer_from_suri("//Alice")?;
//! let call = icn::tx().collateral().bond(100 * icn_client::ICNT);
//! let outcome = client.submit(&call, &alice, Wait::InBlock, |_| {}).await?;
//! for event in outcome.events {
//!     println!("{event}");
//! }
//! # Ok(()) }
//! ```
//!
//! Errors are [`Error`]s with one clear line each: a failed extrinsic becomes
//! [`Error::Dispatch`] with the pallet error's name and its doc comment from the metadata.

use std::fmt;

use scale_info::{PortableRegistry, TypeDef, TypeDefPrimitive};
use subxt::{
	config::{DefaultExtrinsicParamsBuilder, RpcConfigFor},
	ext::scale_value::{self, Composite, Value, ValueDef},
	rpcs::{LegacyRpcMethods, RpcClient},
	tx::{Payload, TransactionStatus},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The chain's interface, generated from `artifacts/icn.scale`.
#[subxt::subxt(
	runtime_metadata_path = "artifacts/icn.scale",
	derive_for_all_types = "Clone, Debug, PartialEq, Eq"
)]
pub mod icn {}

pub use subxt;
pub use subxt_signer;

pub mod bench;

/// ICN Chain's transaction and block format is Polkadot's: `AccountId32`, `MultiAddress`,
/// `MultiSignature`, BLAKE2-256, `u32` block numbers.
pub type IcnConfig = PolkadotConfig;
/// An account on the chain.
pub type AccountId = subxt::utils::AccountId32;
/// One ICNT in its smallest unit (18 decimals).
pub const ICNT: u128 = 1_000_000_000_000_000_000;
/// The SS58 prefix of ICN Chain addresses.
pub const SS58_PREFIX: u16 = 42;

/// How long [`Client::submit`] waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
	/// Until the transaction pool accepted it.
	Submitted,
	/// Until it is in a best block (its events are known).
	InBlock,
	/// Until its block is finalized.
	Finalized,
}

/// What went wrong, in one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
	/// No connection to the node's RPC endpoint.
	Connect {
		/// The endpoint.
		url: String,
		/// Why.
		reason: String,
	},
	/// The extrinsic ran and failed with a pallet error.
	Dispatch {
		/// The pallet, as named in the runtime (`CapacityMarket`).
		pallet: String,
		/// The error variant (`ZeroCapacity`).
		error: String,
		/// Its doc comment from the metadata.
		docs: String,
	},
	/// The extrinsic ran and failed with a non-pallet error (bad origin, arithmetic, …).
	Failed(String),
	/// The transaction pool refused the transaction (bad nonce, cannot pay fees, invalid call).
	Rejected(String),
	/// Bad input, caught before anything was sent.
	BadInput(String),
	/// Anything else the node or the decoding reported.
	Other(String),
}

impl fmt::Display for Error {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Error::Connect { url, reason } => write!(f, "cannot connect to {url}: {reason}"),
			Error::Dispatch { pallet, error, docs } if docs.is_empty() => {
				write!(f, "{pallet}.{error}")
			},
			Error::Dispatch { pallet, error, docs } => write!(f, "{pallet}.{error}: {docs}"),
			Error::Failed(e) => write!(f, "the extrinsic failed: {e}"),
			Error::Rejected(e) => write!(f, "the node rejected the transaction: {e}"),
			Error::BadInput(e) => write!(f, "{e}"),
			Error::Other(e) => write!(f, "{e}"),
		}
	}
}

impl std::error::Error for Error {}

fn one_line(e: impl fmt::Display) -> String {
	e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
}

impl From<subxt::error::DispatchError> for Error {
	fn from(e: subxt::error::DispatchError) -> Self {
		match &e {
			subxt::error::DispatchError::Module(module) => match module.details() {
				Ok(details) => Error::Dispatch {
					pallet: details.pallet.name().to_string(),
					error: details.variant.name.clone(),
					docs: details.variant.docs.join(" ").trim().to_string(),
				},
				Err(_) => Error::Failed(one_line(&e)),
			},
			_ => Error::Failed(one_line(&e)),
		}
	}
}

/// An sr25519 signer from a secret URI: `//Alice`, a mnemonic with optional `//hard/soft`
/// derivations and `///password`, or a `0x…` seed.
pub fn signer_from_suri(suri: &str) -> Result<Keypair, Error> {
	let uri: SecretUri = suri
		.parse()
		.map_err(|e| Error::BadInput(format!("bad secret URI: {}", one_line(e))))?;
	Keypair::from_uri(&uri).map_err(|e| Error::BadInput(format!("bad secret URI: {}", one_line(e))))
}

/// An sr25519 signer from a Substrate keystore directory (`icn-node key insert` writes one): the
/// one file of key type `key_type` (`acco` for account keys) whose content is its secret URI.
pub fn signer_from_keystore(dir: &std::path::Path, key_type: &str) -> Result<Keypair, Error> {
	if key_type.len() != 4 {
		return Err(Error::BadInput(format!("key type {key_type:?} must have four characters")));
	}
	let prefix = hex::encode(key_type.as_bytes());
	let entries = std::fs::read_dir(dir)
		.map_err(|e| Error::BadInput(format!("keystore {}: {}", dir.display(), one_line(e))))?;
	let mut found = Vec::new();
	for entry in entries.flatten() {
		let name = entry.file_name().to_string_lossy().to_string();
		if name.starts_with(&prefix) {
			found.push(entry.path());
		}
	}
	match found.as_slice() {
		[path] => {
			let text = std::fs::read_to_string(path)
				.map_err(|e| Error::BadInput(format!("{}: {}", path.display(), one_line(e))))?;
			let suri: String = serde_json::from_str(&text).map_err(|_| {
				Error::BadInput(format!("{}: not a keystore entry", path.display()))
			})?;
			signer_from_suri(&suri)
		},
		[] => Err(Error::BadInput(format!("keystore {} has no {key_type} key", dir.display()))),
		_ => Err(Error::BadInput(format!(
			"keystore {} has {} {key_type} keys; pass --suri instead",
			dir.display(),
			found.len()
		))),
	}
}

/// The account of a signer.
pub fn account_of(signer: &Keypair) -> AccountId {
	signer.public_key().to_account_id()
}

/// Parses an account: SS58 (any prefix) or `0x` + 32 bytes hex, or a dev name (`alice` … `ferdie`).
pub fn parse_account(text: &str) -> Result<AccountId, Error> {
	let dev = match text.to_ascii_lowercase().as_str() {
		"alice" => Some("//Alice"),
		"bob" => Some("//Bob"),
		"charlie" => Some("//Charlie"),
		"dave" => Some("//Dave"),
		"eve" => Some("//Eve"),
		"ferdie" => Some("//Ferdie"),
		_ => None,
	};
	if let Some(suri) = dev {
		return signer_from_suri(suri).map(|k| account_of(&k));
	}
	if let Some(hex_text) = text.strip_prefix("0x") {
		let bytes =
			hex::decode(hex_text).map_err(|_| Error::BadInput(format!("{text:?} is not hex")))?;
		let raw: [u8; 32] = bytes
			.try_into()
			.map_err(|_| Error::BadInput(format!("{text:?} is not 32 bytes")))?;
		return Ok(AccountId::from(raw));
	}
	text.parse::<AccountId>()
		.map_err(|_| Error::BadInput(format!("{text:?} is not an SS58 address or 0x account id")))
}

/// An account as SS58 with ICN Chain's prefix.
pub fn ss58(account: &AccountId) -> String {
	account.to_string()
}

/// Parses an ICNT amount with up to 18 decimals (`12`, `0.5`, `1_000`) into the smallest unit.
pub fn parse_icnt(text: &str) -> Result<u128, Error> {
	let bad = || Error::BadInput(format!("{text:?} is not an ICNT amount (e.g. 12 or 0.5)"));
	let clean: String = text.chars().filter(|c| *c != '_').collect();
	let (whole, fraction) = clean.split_once('.').unwrap_or((&clean, ""));
	if whole.is_empty() && fraction.is_empty() {
		return Err(bad());
	}
	if fraction.len() > 18 || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
		return Err(bad());
	}
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
	let padded = format!("{fraction:0<18}");
	let fraction: u128 = padded.parse().map_err(|_| bad())?;
	whole.checked_mul(ICNT).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)
}

/// An amount in the smallest unit as ICNT, without trailing zeros (`12.5 ICNT`).
pub fn format_icnt(amount: u128) -> String {
	let whole = amount / ICNT;
	let fraction = amount % ICNT;
	if fraction == 0 {
		format!("{whole} ICNT")
	} else {
		let digits = format!("{fraction:018}");
		format!("{whole}.{} ICNT", digits.trim_end_matches('0'))
	}
}

/// One event of a submitted extrinsic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSummary {
	/// Its pallet (`CapacityMarket`).
	pub pallet: String,
	/// Its name (`NodeRegistered`).
	pub name: String,
	/// Its fields, rendered (`{ node: 0, … }`).
	pub fields: String,
	/// Its fields as JSON.
	pub json: serde_json::Value,
}

impl fmt::Display for EventSummary {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "{}.{} {}", self.pallet, self.name, self.fields)
	}
}

/// What a submitted extrinsic did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
	/// Its hash.
	pub hash: String,
	/// The block it is in (`None` with [`Wait::Submitted`]).
	pub block: Option<String>,
	/// Its events (empty with [`Wait::Submitted`]).
	pub events: Vec<EventSummary>,
}

/// Renders a decoded value as text and JSON, using the metadata's `types`: accounts as SS58, other
/// byte strings and arrays (proof roots, hashes) as hex, sequences as lists,
/// single-field wrappers (account ids, bounded vecs, `Perbill`) as their content, `Option`s as
/// their content or null, structs and enums as Rust-like text. Integers are JSON strings
/// (balances exceed JSON's safe integers).
pub fn render_value(value: &Value<u32>, types: &PortableRegistry) -> (String, serde_json::Value) {
	let ty = types.resolve(value.context);
	let sequence = matches!(
		ty.map(|t| &t.type_def),
		Some(TypeDef::Sequence(_) | TypeDef::Array(_) | TypeDef::Tuple(_))
	);
	if ty
		.and_then(|t| t.path.segments.last())
		.is_some_and(|name| name == "AccountId32")
	{
		let hex_form = render_value_bytes(value);
		if let Some(bytes) = hex_form.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
			let text = ss58(&AccountId::from(bytes));
			return (text.clone(), serde_json::Value::String(text));
		}
	}
	match &value.value {
		ValueDef::Composite(c) => render_composite(c, types, sequence),
		ValueDef::Variant(v) if v.name == "None" && v.values.is_empty() => {
			("None".into(), serde_json::Value::Null)
		},
		ValueDef::Variant(v) if v.name == "Some" => render_composite(&v.values, types, false),
		ValueDef::Variant(v) if v.values.is_empty() => {
			(v.name.clone(), serde_json::Value::String(v.name.clone()))
		},
		ValueDef::Variant(v) => {
			let (t, j) = render_composite(&v.values, types, false);
			let text = if t.starts_with('{') {
				format!("{} {t}", v.name)
			} else {
				format!("{}({t})", v.name)
			};
			let mut m = serde_json::Map::new();
			m.insert(v.name.clone(), j);
			(text, serde_json::Value::Object(m))
		},
		ValueDef::Primitive(p) => {
			let text = p.to_string();
			let json = match p {
				scale_value::Primitive::Bool(b) => serde_json::Value::Bool(*b),
				scale_value::Primitive::String(s) => serde_json::Value::String(s.clone()),
				_ => serde_json::Value::String(text.clone()),
			};
			(text, json)
		},
		ValueDef::BitSequence(_) => {
			(value.to_string(), serde_json::Value::String(value.to_string()))
		},
	}
}

/// The bytes inside an `AccountId32([u8; 32])` value.
fn render_value_bytes(value: &Value<u32>) -> Option<Vec<u8>> {
	match &value.value {
		ValueDef::Composite(Composite::Unnamed(values)) if values.len() == 1 => {
			render_value_bytes(&values[0])
		},
		ValueDef::Composite(Composite::Unnamed(values)) => values
			.iter()
			.map(|v| match &v.value {
				ValueDef::Primitive(scale_value::Primitive::U128(b)) => u8::try_from(*b).ok(),
				_ => None,
			})
			.collect(),
		_ => None,
	}
}

/// Renders fields; `sequence` when they are the items of a list, array or tuple (never unwrapped).
fn render_composite(
	c: &Composite<u32>,
	types: &PortableRegistry,
	sequence: bool,
) -> (String, serde_json::Value) {
	let is_u8 = |v: &Value<u32>| {
		matches!(
			types.resolve(v.context).map(|t| &t.type_def),
			Some(TypeDef::Primitive(TypeDefPrimitive::U8))
		)
	};
	match c {
		Composite::Named(fields) => {
			let mut text = Vec::new();
			let mut json = serde_json::Map::new();
			for (name, v) in fields {
				let (t, j) = render_value(v, types);
				text.push(format!("{name}: {t}"));
				json.insert(name.clone(), j);
			}
			(format!("{{ {} }}", text.join(", ")), serde_json::Value::Object(json))
		},
		Composite::Unnamed(values) => {
			if sequence && !values.is_empty() && values.iter().all(is_u8) {
				let bytes: Vec<u8> = values
					.iter()
					.filter_map(|v| match &v.value {
						ValueDef::Primitive(scale_value::Primitive::U128(b)) => {
							u8::try_from(*b).ok()
						},
						_ => None,
					})
					.collect();
				let text = format!("0x{}", hex::encode(&bytes));
				return (text.clone(), serde_json::Value::String(text));
			}
			if !sequence && values.len() == 1 {
				return render_value(&values[0], types);
			}
			let parts: Vec<_> = values.iter().map(|v| render_value(v, types)).collect();
			let text = parts.iter().map(|p| p.0.clone()).collect::<Vec<_>>().join(", ");
			(
				format!("[{text}]"),
				serde_json::Value::Array(parts.into_iter().map(|p| p.1).collect()),
			)
		},
	}
}

/// A connection to an ICN Chain node.
#[derive(Clone)]
pub struct Client {
	api: OnlineClient<IcnConfig>,
	rpc: LegacyRpcMethods<RpcConfigFor<IcnConfig>>,
}

impl Client {
	/// Connects to `url` (`ws://` or `wss://`) and checks the node runs ICN Chain.
	pub async fn connect(url: &str) -> Result<Client, Error> {
		if !(url.starts_with("ws://") || url.starts_with("wss://")) {
			return Err(Error::BadInput(format!("--url {url:?} must start with ws:// or wss://")));
		}
		let connect = async {
			let rpc = RpcClient::from_insecure_url(url).await.map_err(one_line)?;
			let api = OnlineClient::<IcnConfig>::from_rpc_client(rpc.clone())
				.await
				.map_err(one_line)?;
			Ok::<_, String>(Client { api, rpc: LegacyRpcMethods::new(rpc) })
		};
		let client = tokio::time::timeout(std::time::Duration::from_secs(10), connect)
			.await
			.map_err(|_| Error::Connect { url: url.to_string(), reason: "timed out".into() })?
			.map_err(|reason| Error::Connect { url: url.to_string(), reason })?;
		if client.metadata().await?.pallet_by_name("CapacityMarket").is_none() {
			return Err(Error::Connect {
				url: url.to_string(),
				reason: "the node does not run ICN Chain (no CapacityMarket pallet)".into(),
			});
		}
		Ok(client)
	}

	/// The underlying subxt client.
	pub fn api(&self) -> &OnlineClient<IcnConfig> {
		&self.api
	}

	/// A view of the chain at the best block (what the node's pool and RPC reads see; the
	/// finalized block may lag a few blocks behind).
	pub async fn at_best(&self) -> Result<subxt::client::OnlineClientAtBlock<IcnConfig>, Error> {
		self.at_height(None).await
	}

	/// A view of the chain at block `number` of the best chain (the best block if `None`).
	pub async fn at_height(
		&self,
		number: Option<u32>,
	) -> Result<subxt::client::OnlineClientAtBlock<IcnConfig>, Error> {
		let hash = self
			.rpc
			.chain_get_block_hash(number.map(Into::into))
			.await
			.map_err(|e| Error::Other(one_line(e)))?
			.ok_or_else(|| match number {
				Some(n) => Error::Other(format!("no block #{n}")),
				None => Error::Other("the node has no best block".into()),
			})?;
		self.api
			.at_block(subxt::backend::BlockRef::from_hash(hash))
			.await
			.map_err(|e| Error::Other(one_line(e)))
	}

	/// The next nonce of `who`, counting its transactions in the pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Result<u64, Error> {
		self.rpc
			.system_account_next_index(who)
			.await
			.map_err(|e| Error::Other(one_line(e)))
	}

	/// The metadata at the best block.
	pub async fn metadata(&self) -> Result<subxt::ArcMetadata, Error> {
		let at = self.at_best().await?;
		Ok(at.metadata())
	}

	/// Calls runtime API `api_name.method` with `args` encoded by the metadata's input types, and
	/// decodes the answer by its output type (so [`render_value`] can tell bytes from numbers).
	pub async fn call_api(
		&self,
		api_name: &str,
		method: &str,
		args: Vec<Value>,
	) -> Result<Value<u32>, Error> {
		let at = self.at_best().await?;
		let metadata = at.metadata();
		let api = metadata
			.runtime_api_trait_by_name(api_name)
			.ok_or_else(|| Error::Other(format!("the runtime has no {api_name}")))?;
		let m = api
			.method_by_name(method)
			.ok_or_else(|| Error::Other(format!("{api_name} has no method {method}")))?;
		let inputs: Vec<u32> = m.inputs().map(|i| i.id).collect();
		if inputs.len() != args.len() {
			return Err(Error::BadInput(format!(
				"{api_name}.{method} takes {} arguments",
				inputs.len()
			)));
		}
		let mut encoded = Vec::new();
		for (arg, ty) in args.iter().zip(inputs) {
			scale_value::scale::encode_as_type(arg, ty, metadata.types(), &mut encoded)
				.map_err(|e| Error::BadInput(format!("{api_name}.{method}: {}", one_line(e))))?;
		}
		let bytes = at
			.runtime_apis()
			.call_raw(&format!("{api_name}_{method}"), Some(&encoded))
			.await
			.map_err(|e| Error::Other(one_line(e)))?;
		scale_value::scale::decode_as_type(&mut &bytes[..], m.output_ty(), metadata.types())
			.map_err(|e| Error::Other(format!("{api_name}.{method}: {}", one_line(e))))
	}

	/// Signs `call` with `signer`, submits it, and waits as `wait` says, reporting progress
	/// ("submitted", "in block 0x…", "finalized") to `progress`. A failed extrinsic is an
	/// [`Error::Dispatch`] (or [`Error::Failed`]).
	pub async fn submit<P: Payload>(
		&self,
		call: &P,
		signer: &Keypair,
		wait: Wait,
		mut progress: impl FnMut(&str),
	) -> Result<Outcome, Error> {
		let at = self.at_best().await?;
		let mut txs = at.transactions();
		txs.validate(call).map_err(|e| Error::BadInput(one_line(e)))?;
		// The pool's next nonce: counts transactions not yet in a finalized block, so several
		// transactions in a row from one account do not collide.
		let nonce = self
			.rpc
			.system_account_next_index(&account_of(signer))
			.await
			.map_err(|e| Error::Other(one_line(e)))?;
		let params = DefaultExtrinsicParamsBuilder::<IcnConfig>::new().nonce(nonce).build();
		let mut watch = txs
			.sign_and_submit_then_watch(call, signer, params)
			.await
			.map_err(|e| Error::Rejected(one_line(e)))?;
		let hash = format!("{:?}", watch.extrinsic_hash());
		progress("submitted");
		if wait == Wait::Submitted {
			return Ok(Outcome { hash, block: None, events: vec![] });
		}
		loop {
			let status = match watch.next().await {
				Some(status) => status.map_err(|e| Error::Other(one_line(e)))?,
				None => {
					return Err(Error::Other("the node stopped reporting the transaction".into()))
				},
			};
			let in_block = match status {
				TransactionStatus::Validated | TransactionStatus::Broadcasted => {
					progress("in the pool");
					continue;
				},
				TransactionStatus::NoLongerInBestBlock => {
					progress("retracted, waiting for another block");
					continue;
				},
				TransactionStatus::InBestBlock(b) => {
					progress(&format!("in block {:?}", b.block_hash()));
					if wait == Wait::Finalized {
						continue;
					}
					b
				},
				TransactionStatus::InFinalizedBlock(b) => {
					progress(&format!("finalized in block {:?}", b.block_hash()));
					b
				},
				TransactionStatus::Error { message } => return Err(Error::Other(message)),
				TransactionStatus::Invalid { message } => return Err(Error::Rejected(message)),
				TransactionStatus::Dropped { message } => return Err(Error::Rejected(message)),
			};
			let block = Some(format!("{:?}", in_block.block_hash()));
			let events = match in_block.wait_for_success().await {
				Ok(events) => events,
				Err(subxt::error::TransactionEventsError::ExtrinsicFailed(e)) => {
					return Err(e.into())
				},
				Err(e) => return Err(Error::Other(one_line(e))),
			};
			// The metadata the call was built with: one RPC round trip fewer per transaction. (A
			// runtime upgrade landing between submission and inclusion would make decoding fail
			// with an error, never a wrong reading: events are checked against their variants.)
			let metadata = at.metadata();
			let types = metadata.types();
			let mut summaries = Vec::new();
			for event in events.iter() {
				let event = event.map_err(|e| Error::Other(one_line(e)))?;
				let variant = metadata
					.pallet_by_event_index(event.pallet_index())
					.and_then(|p| p.event_variant_by_index(event.event_index()))
					.ok_or_else(|| Error::Other("an event not in the metadata".into()))?;
				let mut bytes = event.field_bytes();
				let mut named = Vec::new();
				let mut unnamed = Vec::new();
				for field in &variant.fields {
					let value = scale_value::scale::decode_as_type(&mut bytes, field.ty.id, types)
						.map_err(|e| Error::Other(one_line(e)))?;
					match &field.name {
						Some(name) => named.push((name.clone(), value)),
						None => unnamed.push(value),
					}
				}
				let fields = if named.is_empty() {
					Composite::Unnamed(unnamed)
				} else {
					Composite::Named(named)
				};
				let (text, json) = render_composite(&fields, types, false);
				summaries.push(EventSummary {
					pallet: event.pallet_name().to_string(),
					name: event.event_name().to_string(),
					fields: text,
					json,
				});
			}
			return Ok(Outcome { hash, block, events: summaries });
		}
	}

	/// Calls a runtime API at the best block.
	pub async fn call<P: subxt::runtime_apis::Payload>(
		&self,
		payload: P,
	) -> Result<P::ReturnType, Error> {
		let at = self.at_best().await?;
		at.runtime_apis().call(payload).await.map_err(|e| Error::Other(one_line(e)))
	}

	/// Reads a storage value at the best block (`None` if absent).
	pub async fn fetch<A: subxt::storage::Address>(
		&self,
		address: A,
		keys: A::KeyParts,
	) -> Result<Option<A::Value>, Error>
	where
		A::Value: subxt::ext::scale_decode::DecodeAsType,
	{
		let at = self.at_best().await?;
		let value = at
			.storage()
			.try_fetch(address, keys)
			.await
			.map_err(|e| Error::Other(one_line(e)))?;
		match value {
			Some(v) => v.decode().map(Some).map_err(|e| Error::Other(one_line(e))),
			None => Ok(None),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn icnt_amounts_parse_exactly_and_reject_garbage() {
		assert_eq!(parse_icnt("12"), Ok(12 * ICNT));
		assert_eq!(parse_icnt("0.5"), Ok(ICNT / 2));
		assert_eq!(parse_icnt("1_000.000000000000000001"), Ok(1_000 * ICNT + 1));
		assert_eq!(parse_icnt(".25"), Ok(ICNT / 4));
		for bad in ["", ".", "1.2.3", "-1", "1e5", "0.0000000000000000001", "abc", "1 000"] {
			assert!(parse_icnt(bad).is_err(), "{bad:?} accepted");
		}
		assert!(parse_icnt("340282366920938463463374607431768211455").is_err(), "overflow");
		assert_eq!(format_icnt(12 * ICNT + ICNT / 2), "12.5 ICNT");
		assert_eq!(format_icnt(3 * ICNT), "3 ICNT");
	}

	#[test]
	fn accounts_parse_from_ss58_hex_and_dev_names() {
		let alice = parse_account("alice").expect("dev name");
		assert_eq!(parse_account(&ss58(&alice)), Ok(alice.clone()));
		let hex_form = format!("0x{}", hex::encode(alice.0));
		assert_eq!(parse_account(&hex_form), Ok(alice));
		assert!(parse_account("0x1234").is_err());
		assert!(parse_account("not-an-address").is_err());
	}

	#[test]
	fn values_render_by_their_metadata_types() {
		use codec::Encode;
		use scale_info::TypeInfo;
		#[derive(Encode, TypeInfo)]
		struct Lease {
			sp: AccountId,
			proof_root: [u8; 32],
			nodes: Vec<u64>,
			small: Vec<u8>,
			pairs: Vec<(u64, u128)>,
			reliability: Option<u32>,
			none: Option<u32>,
		}
		let alice = parse_account("alice").expect("alice");
		let lease = Lease {
			sp: alice.clone(),
			proof_root: [7; 32],
			nodes: vec![1],
			small: vec![1, 2],
			pairs: vec![(3, 4)],
			reliability: Some(5),
			none: None,
		};
		let mut registry = scale_info::Registry::new();
		let id = registry.register_type(&scale_info::meta_type::<Lease>()).id;
		let types: PortableRegistry = registry.into();
		let value = scale_value::scale::decode_as_type(&mut &lease.encode()[..], id, &types)
			.expect("decodes");
		let (text, json) = render_value(&value, &types);
		assert_eq!(
			json,
			serde_json::json!({
				"sp": ss58(&alice),
				"proof_root": format!("0x{}", "07".repeat(32)),
				"nodes": ["1"],
				"small": "0x0102",
				"pairs": [["3", "4"]],
				"reliability": "5",
				"none": null,
			})
		);
		assert!(
			text.starts_with(&format!("{{ sp: {}, proof_root: 0x0707", ss58(&alice))),
			"{text}"
		);
	}

	#[test]
	fn secret_uris_and_keystores() {
		let alice = signer_from_suri("//Alice").expect("dev suri");
		assert_eq!(account_of(&alice), parse_account("alice").expect("alice"));
		assert!(signer_from_suri("not a phrase at all").is_err());
		let dir = std::env::temp_dir().join(format!("icn-keystore-{}", std::process::id()));
		std::fs::create_dir_all(&dir).expect("temp dir");
		assert!(signer_from_keystore(&dir, "acco").is_err(), "empty keystore");
		let file =
			dir.join(format!("{}{}", hex::encode(b"acco"), hex::encode(alice.public_key().0)));
		std::fs::write(&file, "\"//Alice\"").expect("write key");
		let loaded = signer_from_keystore(&dir, "acco").expect("one key");
		assert_eq!(account_of(&loaded), account_of(&alice));
		std::fs::remove_dir_all(&dir).expect("clean up");
	}
}
