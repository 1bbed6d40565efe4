//! What bounds the agent's resources beyond the connection cap: the bytes of answers in flight
//! ([`Budget`]) and how long a write may wait on a client that does not read ([`WriteDeadline`]).
//!
//! Without them, 1,024 connections each asking for 64 chunks of 1 MiB (and their parents) would
//! hold hundreds of GiB of answers in memory, and a client that stops reading would hold its
//! answer until the connection's 30 s cap.

use hyper::body::Bytes;
use std::{
	future::Future as _,
	io,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
	time::Duration,
};
use tokio::{
	io::{AsyncRead, AsyncWrite, ReadBuf},
	sync::{OwnedSemaphorePermit, Semaphore},
	time::Sleep,
};

/// The budget is kept in units of this many bytes (a semaphore's permits), rounding every
/// reservation up.
const UNIT: u64 = 1024;

/// Bytes of answers the agent holds at once, across all connections. An answer reserves its
/// size before its chunks are read and gives it back when its last byte has left the process
/// (the reservation lives inside the answer's buffer: see [`Budget::answer`]).
pub struct Budget {
	units: Arc<Semaphore>,
	total_units: u32,
	/// How long a request waits for room before it is answered `503`: an oracle's challenge has
	/// a 2 s deadline, so waiting longer serves nobody.
	wait: Duration,
}

/// Why an answer could not be reserved.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
	/// Larger than the whole budget: it can never be served with these settings.
	TooLarge { bytes: u64, max: u64 },
	/// No room within the wait.
	Busy,
}

/// Room reserved for one answer.
pub struct Reservation {
	_permit: OwnedSemaphorePermit,
}

/// An answer's bytes with its reservation: dropped (and the room given back) with the last
/// `Bytes` that refers to them, i.e. once hyper has written them out.
struct Reserved {
	data: Vec<u8>,
	_reservation: Reservation,
}

impl AsRef<[u8]> for Reserved {
	fn as_ref(&self) -> &[u8] {
		&self.data
	}
}

impl Budget {
	/// A budget of `max_bytes` (rounded up to whole KiB; at most 4 TiB).
	pub fn new(max_bytes: u64, wait: Duration) -> Budget {
		let total_units = u32::try_from(max_bytes.div_ceil(UNIT)).unwrap_or(u32::MAX);
		Budget { units: Arc::new(Semaphore::new(total_units as usize)), total_units, wait }
	}

	/// The budget in bytes.
	pub fn max_bytes(&self) -> u64 {
		u64::from(self.total_units) * UNIT
	}

	/// Bytes reserved now.
	pub fn in_flight(&self) -> u64 {
		let free = u64::try_from(self.units.available_permits()).unwrap_or(u64::MAX);
		u64::from(self.total_units).saturating_sub(free) * UNIT
	}

	/// Reserves room for an answer of at most `bytes`, waiting up to the budget's wait.
	pub async fn reserve(&self, bytes: u64) -> Result<Reservation, Refused> {
		let units = bytes.div_ceil(UNIT).max(1);
		let max = self.max_bytes();
		let Ok(units) = u32::try_from(units) else { return Err(Refused::TooLarge { bytes, max }) };
		if units > self.total_units {
			return Err(Refused::TooLarge { bytes, max });
		}
		match tokio::time::timeout(self.wait, self.units.clone().acquire_many_owned(units)).await {
			Ok(Ok(permit)) => Ok(Reservation { _permit: permit }),
			// Timed out, or the semaphore was closed (never: it lives as long as the budget).
			_ => Err(Refused::Busy),
		}
	}

	/// The answer's bytes, holding `reservation` until they are freed.
	pub fn answer(data: Vec<u8>, reservation: Reservation) -> Bytes {
		Bytes::from_owner(Reserved { data, _reservation: reservation })
	}
}

/// A stream whose writes fail with `TimedOut` once one of them has waited `limit` for the peer
/// to make room (a client that stopped reading its answer). Reads are passed through: waiting
/// for a request is the idle timeout's business (hyper's header read timeout).
pub struct WriteDeadline<S> {
	inner: S,
	limit: Duration,
	stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteDeadline<S> {
	pub fn new(inner: S, limit: Duration) -> Self {
		WriteDeadline { inner, limit, stalled: None }
	}

	/// Called when a write is pending: starts the stall timer, or fails if it has run out.
	fn poll_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
		let limit = self.limit;
		let sleep = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
		match sleep.as_mut().poll(cx) {
			Poll::Ready(()) => Poll::Ready(io::Error::new(
				io::ErrorKind::TimedOut,
				format!("the client read nothing for {} s", limit.as_secs_f64()),
			)),
			Poll::Pending => Poll::Pending,
		}
	}

	fn progress<T>(
		&mut self,
		cx: &mut Context<'_>,
		poll: Poll<io::Result<T>>,
	) -> Poll<io::Result<T>> {
		match poll {
			Poll::Ready(result) => {
				self.stalled = None;
				Poll::Ready(result)
			},
			Poll::Pending => self.poll_stall(cx).map(Err),
		}
	}
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
	fn poll_read(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &mut ReadBuf<'_>,
	) -> Poll<io::Result<()>> {
		Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
	}
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
	fn poll_write(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
		this.progress(cx, poll)
	}

	fn poll_write_vectored(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		bufs: &[io::IoSlice<'_>],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
		this.progress(cx, poll)
	}

	fn is_write_vectored(&self) -> bool {
		self.inner.is_write_vectored()
	}

	fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let this = self.get_mut();
		let poll = Pin::new(&mut this.inner).poll_flush(cx);
		this.progress(cx, poll)
	}

	fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::io::AsyncWriteExt;

	#[tokio::test]
	async fn answers_hold_their_room_until_their_bytes_are_freed() {
		let budget = Budget::new(10 * UNIT, Duration::from_millis(50));
		assert_eq!(budget.max_bytes(), 10 * 1024);
		assert_eq!(
			budget.reserve(10 * UNIT + 1).await.err(),
			Some(Refused::TooLarge { bytes: 10 * UNIT + 1, max: 10 * UNIT })
		);
		let first = budget.reserve(6 * UNIT).await.expect("room");
		assert_eq!(budget.in_flight(), 6 * UNIT);
		assert_eq!(budget.reserve(5 * UNIT).await.err(), Some(Refused::Busy), "4 KiB left");
		let bytes = Budget::answer(vec![7; 100], first);
		let copy = bytes.clone();
		drop(bytes);
		assert_eq!(budget.in_flight(), 6 * UNIT, "a copy still holds the answer");
		assert_eq!(&copy[..3], &[7, 7, 7]);
		drop(copy);
		assert_eq!(budget.in_flight(), 0, "freed with the last copy");
		let _second = budget.reserve(10 * UNIT).await.expect("all the room again");
		// A waiting reservation gets the room as soon as it is given back.
		let budget = Arc::new(Budget::new(2 * UNIT, Duration::from_secs(5)));
		let held = budget.reserve(2 * UNIT).await.expect("room");
		let waiter = {
			let budget = budget.clone();
			tokio::spawn(async move { budget.reserve(UNIT).await.is_ok() })
		};
		tokio::time::sleep(Duration::from_millis(20)).await;
		drop(held);
		assert!(waiter.await.expect("joined"));
	}

	#[tokio::test]
	async fn a_write_the_peer_never_reads_fails_after_the_limit() {
		// A pipe with a 64-byte buffer whose other end is never read.
		let (client, _unread) = tokio::io::duplex(64);
		let mut stream = WriteDeadline::new(client, Duration::from_millis(100));
		let started = std::time::Instant::now();
		let error = stream.write_all(&[0u8; 1024]).await.expect_err("stalls");
		assert_eq!(error.kind(), io::ErrorKind::TimedOut);
		assert!(started.elapsed() >= Duration::from_millis(100));
		assert!(started.elapsed() < Duration::from_secs(2));

		// A peer that reads, slowly but within the limit each time, is served in full.
		let (client, mut peer) = tokio::io::duplex(64);
		let mut stream = WriteDeadline::new(client, Duration::from_millis(200));
		let reader = tokio::spawn(async move {
			use tokio::io::AsyncReadExt;
			let mut got = Vec::new();
			let mut buf = [0u8; 64];
			loop {
				tokio::time::sleep(Duration::from_millis(20)).await;
				match peer.read(&mut buf).await {
					Ok(0) | Err(_) => break got,
					Ok(n) => got.extend_from_slice(&buf[..n]),
				}
			}
		});
		stream.write_all(&[1u8; 1024]).await.expect("written");
		stream.shutdown().await.expect("shut");
		drop(stream);
		assert_eq!(reader.await.expect("joined").len(), 1024);
	}
}
