//! Throughput measurement: many pre-signed transactions of one kind submitted at once, their
//! inclusion read back from the chain's blocks (`icn bench`).
//!
//! A [`Batch`] is a set of signed, encoded transactions of one call (`pallet.call`), from many
//! accounts, built offline with explicit nonces. [`Client::run_batch`] submits them all
//! concurrently to the node's pool (`author_submitExtrinsic`), then walks the best chain from the
//! block it started at and counts, per block, the extrinsics of that call and which of them
//! failed (`System.ExtrinsicFailed`), with each block's `Timestamp.Now`. Rates come from the
//! chain itself: included per block, and per second between the parent of the first block that
//! included one and the last such block.

use std::time::{Duration, Instant};

use subxt::{events::Phase, tx::Payload};
use subxt_signer::sr25519::Keypair;

use crate::{icn, one_line, Client, Error, IcnConfig};

/// Pre-signed transactions of one call.
pub struct Batch {
	/// What the transactions call, as the metadata names it (`Balances`, `transfer_keep_alive`).
	pub pallet: &'static str,
	/// See `pallet`.
	pub call: &'static str,
	/// The signed transactions, SCALE-encoded.
	pub encoded: Vec<Vec<u8>>,
}

/// What the chain included of a [`Batch`].
#[derive(Clone, Debug)]
pub struct Measured {
	/// `pallet.call`.
	pub name: String,
	/// Transactions submitted.
	pub submitted: usize,
	/// Refused by the pool at submission.
	pub rejected: usize,
	/// Included in blocks.
	pub included: usize,
	/// Included and failed (`System.ExtrinsicFailed`).
	pub failed: usize,
	/// Included per block, in chain order, from the first block with one to the last.
	pub per_block: Vec<usize>,
	/// Chain time (ms, from `Timestamp.Now`) from the parent of the first block to the last.
	pub millis: u64,
}

impl Measured {
	/// Included per second of chain time.
	pub fn per_second(&self) -> f64 {
		if self.millis == 0 {
			return 0.0;
		}
		self.included as f64 * 1_000.0 / self.millis as f64
	}

	/// Included per block over the full blocks: every block but the last (which got what was
	/// left); all of them if there is one.
	pub fn per_full_block(&self) -> f64 {
		let full = if self.per_block.len() > 1 {
			&self.per_block[..self.per_block.len() - 1]
		} else {
			&self.per_block[..]
		};
		if full.is_empty() {
			return 0.0;
		}
		full.iter().sum::<usize>() as f64 / full.len() as f64
	}

	/// The most included in one block.
	pub fn max_per_block(&self) -> usize {
		self.per_block.iter().copied().max().unwrap_or(0)
	}
}

impl Client {
	/// Signs `calls[i]` with `signers[i]` at `nonces[i]`, offline (immortal, at the chain's
	/// current genesis and runtime version).
	pub async fn sign_batch<P: Payload>(
		&self,
		pallet: &'static str,
		call: &'static str,
		txs: Vec<(P, &Keypair, u64)>,
	) -> Result<Batch, Error> {
		let at = self.at_best().await?;
		let transactions = at.transactions();
		let mut encoded = Vec::with_capacity(txs.len());
		for (payload, signer, nonce) in txs {
			let params = subxt::config::DefaultExtrinsicParamsBuilder::<IcnConfig>::new()
				.nonce(nonce)
				.build();
			let mut signable = transactions
				.create_signable_offline(&payload, params)
				.map_err(|e| Error::Other(one_line(e)))?;
			let signed = signable.sign(signer).map_err(|e| Error::Other(one_line(e)))?;
			encoded.push(signed.into_encoded());
		}
		Ok(Batch { pallet, call, encoded })
	}

	/// The best block's number.
	pub async fn best_number(&self) -> Result<u32, Error> {
		let header = self
			.rpc
			.chain_get_header(None)
			.await
			.map_err(|e| Error::Other(one_line(e)))?
			.ok_or_else(|| Error::Other("the node has no best block".into()))?;
		u32::try_from(header.number).map_err(|_| Error::Other("a block number over u32".into()))
	}

	/// Submits every transaction of `batch` (`concurrency` requests in flight) and follows the
	/// best chain until all of them that the pool accepted are included, or `idle` blocks pass
	/// without one. See the [module docs](self).
	pub async fn run_batch(
		&self,
		batch: Batch,
		concurrency: usize,
		idle: u32,
	) -> Result<Measured, Error> {
		let name = format!("{}.{}", batch.pallet, batch.call);
		let submitted = batch.encoded.len();
		let start = self.best_number().await?;
		let mut chunks: Vec<Vec<Vec<u8>>> = (0..concurrency.max(1)).map(|_| Vec::new()).collect();
		for (i, tx) in batch.encoded.into_iter().enumerate() {
			chunks[i % concurrency.max(1)].push(tx);
		}
		let mut tasks = Vec::new();
		for chunk in chunks {
			let rpc = self.rpc.clone();
			tasks.push(tokio::spawn(async move {
				let mut rejected = 0usize;
				let mut first_error = None;
				for tx in chunk {
					if let Err(e) = rpc.author_submit_extrinsic(&tx).await {
						rejected += 1;
						first_error.get_or_insert_with(|| one_line(e));
					}
				}
				(rejected, first_error)
			}));
		}
		let mut rejected = 0;
		let mut first_error = None;
		for task in tasks {
			let (r, e) = task.await.map_err(|e| Error::Other(one_line(e)))?;
			rejected += r;
			if first_error.is_none() {
				first_error = e;
			}
		}
		if rejected == submitted {
			return Err(Error::Rejected(first_error.unwrap_or_default()));
		}
		let expected = submitted - rejected;

		let mut included = 0;
		let mut failed = 0;
		let mut per_block = Vec::new();
		let mut first_ts = None;
		let mut last_ts = 0;
		let mut quiet = 0;
		let mut number = start;
		let deadline = Instant::now() + Duration::from_secs(600);
		while included < expected && quiet < idle {
			if Instant::now() > deadline {
				return Err(Error::Other(format!("{name}: blocks stopped coming")));
			}
			if self.best_number().await? <= number {
				tokio::time::sleep(Duration::from_millis(250)).await;
				continue;
			}
			number += 1;
			let at = self.at_height(Some(number)).await?;
			let (count, fails) = count_in_block(&at, batch.pallet, batch.call).await?;
			if count == 0 {
				if per_block.is_empty() {
					continue;
				}
				quiet += 1;
				continue;
			}
			quiet = 0;
			if first_ts.is_none() {
				let parent = self.at_height(Some(number.saturating_sub(1))).await?;
				first_ts = Some(timestamp(&parent).await?);
			}
			last_ts = timestamp(&at).await?;
			included += count;
			failed += fails;
			per_block.push(count);
		}
		let millis = last_ts.saturating_sub(first_ts.unwrap_or(last_ts));
		Ok(Measured { name, submitted, rejected, included, failed, per_block, millis })
	}
}

/// A view of the chain at one block.
type AtBlock = subxt::client::OnlineClientAtBlock<IcnConfig>;

/// Extrinsics of `pallet.call` in the block `at`, and how many of them failed.
async fn count_in_block(at: &AtBlock, pallet: &str, call: &str) -> Result<(usize, usize), Error> {
	let extrinsics = at.extrinsics().fetch().await.map_err(|e| Error::Other(one_line(e)))?;
	let mut ours = Vec::new();
	for ext in extrinsics.iter() {
		let ext = ext.map_err(|e| Error::Other(one_line(e)))?;
		if ext.pallet_name() == pallet && ext.call_name() == call {
			ours.push(ext.index() as u32);
		}
	}
	if ours.is_empty() {
		return Ok((0, 0));
	}
	let events = at.events().fetch().await.map_err(|e| Error::Other(one_line(e)))?;
	let mut failed = 0;
	for event in events.iter() {
		let event = event.map_err(|e| Error::Other(one_line(e)))?;
		if let Phase::ApplyExtrinsic(i) = event.phase() {
			if event.pallet_name() == "System"
				&& event.event_name() == "ExtrinsicFailed"
				&& ours.contains(&i)
			{
				failed += 1;
			}
		}
	}
	Ok((ours.len(), failed))
}

/// `Timestamp.Now` at the block `at` (ms).
async fn timestamp(at: &AtBlock) -> Result<u64, Error> {
	let now = at
		.storage()
		.try_fetch(icn::storage().timestamp().now(), ())
		.await
		.map_err(|e| Error::Other(one_line(e)))?;
	match now {
		Some(v) => v.decode().map_err(|e| Error::Other(one_line(e))),
		None => Ok(0),
	}
}
