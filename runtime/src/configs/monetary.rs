//! ICNT balances and transaction fees.
//!
//! SPEC §9: no ICNT is created or destroyed outside the reward pool's emission and slashing. So
//! fees and tips are not burned: they go to the treasury account, and so does the dust of reaped
//! accounts. Total issuance stays constant under transfers and fees (tested in `tests.rs`).

use polkadot_sdk::*;

use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU8, VariantCountOf},
	weights::ConstantMultiplier,
	PalletId,
};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{
	traits::{AccountIdConversion, Bounded},
	FixedPointNumber, Perquintill,
};

use crate::{
	AccountId, Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	System, EXISTENTIAL_DEPOSIT, MICRO_ICNT,
};

/// Seed of the treasury account: receives fees, dust, and (later) slashed collateral.
pub const TREASURY_PALLET_ID: PalletId = PalletId(*b"icn/trsy");
/// Seed of the reward pool account that pays protocol rewards (SPEC §6.1); funded at genesis.
pub const REWARD_POOL_PALLET_ID: PalletId = PalletId(*b"icn/rwds");

parameter_types! {
	pub TreasuryAccount: AccountId = TREASURY_PALLET_ID.into_account_truncating();
	pub RewardPoolAccount: AccountId = REWARD_POOL_PALLET_ID.into_account_truncating();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<0>;
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ResolveTo<TreasuryAccount, Balances>;
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = crate::weights::pallet_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// Fee per picosecond of reference weight: 10^-11 ICNT. A plain transfer (about 10^8 ps of weight
/// plus the base extrinsic weight) thus costs on the order of 0.001-0.002 ICNT, and a full block of
/// normal transactions on the order of 15 ICNT — cheap for users, expensive for spam.
pub const WEIGHT_FEE_PER_PICOSECOND: Balance = 10_000_000;
/// Fee per byte of an extrinsic: 10^-5 ICNT, so block space is paid for separately from compute.
pub const TRANSACTION_BYTE_FEE: Balance = 10 * MICRO_ICNT;

parameter_types! {
	/// Blocks are targeted at a quarter full; fees rise above that and fall below it.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_rational(1, 10u128);
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ResolveTo<TreasuryAccount, Balances>>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = ConstantMultiplier<Balance, ConstU128<WEIGHT_FEE_PER_PICOSECOND>>;
	type LengthToFee = ConstantMultiplier<Balance, ConstU128<TRANSACTION_BYTE_FEE>>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = crate::weights::pallet_transaction_payment::WeightInfo<Runtime>;
}
