//! Time-weighted accrual of one reward component (SPEC §6.2, issue 24 item 6): a group's era
//! reward is shared by **weight × blocks** in the era, not by the weights at its end, so a node
//! that becomes rewardable in an era's last block earns one block's share, not the era's.
//!
//! Each component of a group (its subsidy, its usage reward) is a [`Pot`]; each node holds a
//! [`Stake`] in it. Everything is O(1) and lazy: an era is closed once per group (O(groups)), a
//! stake is brought up to date when its node is touched.
//!
//! * A weight set with `left` blocks to go in the era counts `weight × left` **weight-blocks**
//!   (the current block included). The pot keeps `era_time = Σ weight-blocks` of the era in
//!   progress, each weight projected to the era's end; changing a weight from `a` to `b` moves it
//!   by `(b − a) × left`. So at the era's end `era_time = W`, the era's exact weight-time.
//! * Closing the era with `reward` adds `increment = ⌊reward × SCALE × L / W⌋` to the pot's
//!   `per_weight` (`L` the era length): what one unit of weight present the whole era earned,
//!   × SCALE.
//! * A stake remembers the era it was last touched in, its weight-blocks `era_time` in it, and
//!   the pot's `per_weight` at that era's start (`paid`). In a later era it has earned
//!   `⌊era_time × increment / (L × SCALE)⌋` of that era (its own weight-blocks at the era's rate)
//!   plus `⌊weight × (per_weight_now − after) / SCALE⌋` of the full eras since, `after` being
//!   the pot's `per_weight` once that era closed. The increment and `after` of an era are kept
//!   ([`EraRate`]) while some stake still refers to it, no longer (reference-counted), so that
//!   storage is bounded by the number of nodes.
//!
//! Rounding: every term rounds down, and `Σ era_time ≤ W` over the stakes of an era (equal,
//! exactly, while no share left), so the stakes of an era never earn more than its reward; the
//! dust stays in the pool. Overflow: `reward × SCALE × L / W` is computed in 256 bits and fails
//! only if the increment exceeds `u128` (a group with almost no weight), when the era's reward
//! of that pot is not emitted (`Event::GroupNotRewarded`).

use super::*;

/// One reward component of a group.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Pot {
	/// Σ weights of the group's nodes now.
	pub total: u128,
	/// Σ weight-blocks of the era in progress, each weight counted until the era's end.
	pub era_time: u128,
	/// What one unit of weight present for every block of every era since genesis earned,
	/// × [`ACCUMULATOR_SCALE`].
	pub per_weight: u128,
}

/// A node's stake in a [`Pot`].
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Stake {
	/// Its weight now.
	pub weight: u128,
	/// Its weight-blocks in the era it was last touched in, counted until that era's end.
	pub era_time: u128,
	/// The pot's `per_weight` when that era began.
	pub paid: u128,
}

/// How an era closed for one pot.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Closed {
	/// What a unit of weight present the whole era earned, × [`ACCUMULATOR_SCALE`].
	pub increment: u128,
	/// The pot's `per_weight` after the era.
	pub after: u128,
}

/// An era of a group as its stakes need it: how it closed, and how many shares still refer to it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct EraRate {
	/// Shares whose stakes were last touched in this era.
	pub refs: u32,
	/// `None` until the era is closed; an era closed without rewards (no parameters, nobody to
	/// pay) stays `None`: it added nothing to `per_weight`.
	pub usage: Option<Closed>,
	/// See `usage`.
	pub subsidy: Option<Closed>,
}

impl Pot {
	/// A member's weight goes from `old` to `new` with `left` blocks of the era to go.
	pub fn reweigh(&mut self, old: u128, new: u128, left: u32) {
		self.total = self.total.saturating_sub(old).saturating_add(new);
		self.era_time = retime(self.era_time, old, new, left);
	}

	/// Starts an era in which no weight has changed yet: every weight counts `length` blocks.
	pub fn start_era(&mut self, length: u32) {
		self.era_time = self.total.saturating_mul(u128::from(length));
	}

	/// What one unit of weight present the whole era of `length` blocks earns of `reward`
	/// shared over this pot's `era_time`, × SCALE; `None` if nobody is in it or it overflows.
	pub fn increment(&self, reward: Balance, length: u32) -> Option<u128> {
		if self.era_time == 0 {
			return None;
		}
		multiply_by_rational_with_rounding(
			reward,
			ACCUMULATOR_SCALE.saturating_mul(u128::from(length)),
			self.era_time,
			Rounding::Down,
		)
	}

	/// Closes the era with `reward`: the increment is added to `per_weight`. `None` (nothing
	/// changed) if it cannot be represented.
	pub fn close(&mut self, reward: Balance, length: u32) -> Option<Closed> {
		let increment = self.increment(reward, length)?;
		let after = self.per_weight.checked_add(increment)?;
		self.per_weight = after;
		Some(Closed { increment, after })
	}
}

impl Stake {
	/// What the stake earned since it was touched in an earlier era that closed as `closed`
	/// (`None`: it added nothing), up to the pot's `per_weight` now, for eras of `length`.
	pub fn earned(&self, closed: Option<Closed>, length: u32, per_weight: u128) -> Balance {
		let (own, after) = match closed {
			Some(c) => (
				multiply_by_rational_with_rounding(
					self.era_time,
					c.increment,
					ACCUMULATOR_SCALE.saturating_mul(u128::from(length)),
					Rounding::Down,
				)
				.unwrap_or(0),
				c.after,
			),
			None => (0, self.paid),
		};
		let full = multiply_by_rational_with_rounding(
			self.weight,
			per_weight.saturating_sub(after),
			ACCUMULATOR_SCALE,
			Rounding::Down,
		)
		.unwrap_or(0);
		own.saturating_add(full)
	}

	/// Moves a stake touched in an earlier era (whose earnings were credited with
	/// [`Self::earned`]) to the era in progress: its weight counts every block of it, from the
	/// pot's `per_weight` now.
	pub fn roll(&mut self, per_weight: u128, length: u32) {
		self.era_time = self.weight.saturating_mul(u128::from(length));
		self.paid = per_weight;
	}

	/// Its weight becomes `new` with `left` blocks of the era to go.
	pub fn reweigh(&mut self, new: u128, left: u32) {
		self.era_time = retime(self.era_time, self.weight, new, left);
		self.weight = new;
	}
}

/// `era_time` (weight × blocks this era) after a weight goes from `old` to `new` with `left`
/// blocks of the era to go: the old weight no longer counts them, the new one does.
pub fn retime(era_time: u128, old: u128, new: u128, left: u32) -> u128 {
	let left = u128::from(left);
	era_time
		.saturating_sub(old.saturating_mul(left))
		.saturating_add(new.saturating_mul(left))
}

#[cfg(test)]
mod tests {
	use super::*;

	const L: u32 = 10;
	const SCALE: u128 = ACCUMULATOR_SCALE;

	/// A stake joined with `weight` when `left` blocks were to go.
	fn joined(pot: &mut Pot, weight: u128, left: u32) -> Stake {
		let mut stake = Stake { weight: 0, era_time: 0, paid: pot.per_weight };
		pot.reweigh(0, weight, left);
		stake.reweigh(weight, left);
		stake
	}

	#[test]
	fn an_era_is_shared_by_weight_times_blocks() {
		let mut pot = Pot::default();
		// `a` is there all era, `b` joins for its last block with the same weight.
		let a = joined(&mut pot, 100, L);
		let b = joined(&mut pot, 100, 1);
		assert_eq!(pot.era_time, 100 * 10 + 100);
		let closed = pot.close(1_100, L);
		assert_eq!(a.earned(closed, L, pot.per_weight), 1_000);
		assert_eq!(b.earned(closed, L, pot.per_weight), 100);
	}

	#[test]
	fn full_eras_after_the_touch_count_the_weight_at_their_rate() {
		let mut pot = Pot::default();
		let a = joined(&mut pot, 3, 5);
		let first = pot.close(30, L);
		pot.start_era(L);
		assert_eq!(pot.era_time, 30);
		pot.close(60, L);
		// First era: alone, all 30. Second: alone, all 60.
		assert_eq!(a.earned(first, L, pot.per_weight), 90);
	}

	#[test]
	fn a_weight_that_leaves_keeps_the_blocks_it_served() {
		let mut pot = Pot::default();
		let mut a = joined(&mut pot, 10, L);
		let b = joined(&mut pot, 10, L);
		// `a` leaves with 4 blocks to go: it served 6.
		pot.reweigh(10, 0, 4);
		a.reweigh(0, 4);
		assert_eq!(a.era_time, 60);
		let closed = pot.close(160, L);
		assert_eq!(a.earned(closed, L, pot.per_weight), 60);
		assert_eq!(b.earned(closed, L, pot.per_weight), 100);
	}

	#[test]
	fn an_era_without_a_closing_pays_nothing_for_it() {
		let pot = Pot { total: 5, era_time: 50, per_weight: 7 * SCALE };
		let stake = Stake { weight: 5, era_time: 50, paid: 7 * SCALE };
		assert_eq!(stake.earned(None, L, pot.per_weight), 0);
		assert_eq!(stake.earned(None, L, 9 * SCALE), 10, "the full eras after it still count");
	}

	#[test]
	fn rounding_never_pays_more_than_the_reward() {
		let mut pot = Pot::default();
		let stakes: Vec<Stake> =
			(1..=7).map(|i| joined(&mut pot, i * 3, (i as u32) % L + 1)).collect();
		let closed = pot.close(1_000_003, L);
		let paid: Balance = stakes.iter().map(|s| s.earned(closed, L, pot.per_weight)).sum();
		assert!(paid <= 1_000_003 && paid >= 1_000_003 - 7, "{paid}");
	}

	#[test]
	fn nobody_in_the_pot_is_not_a_closing() {
		let mut pot = Pot::default();
		assert_eq!(pot.close(100, L), None);
		assert_eq!(pot.per_weight, 0);
	}
}
