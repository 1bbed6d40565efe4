//! # ICN primitives
//!
//! Types every part of ICN Chain agrees on: the runtime, its pallets, the node, the hardware agent
//! and the client. Nothing here holds storage. Cross-pallet traits (passport staking, collateral,
//! node health, reward crediting) are added here as the pallets that need them land, so that no
//! pallet ever names another pallet's crate (see `CONVENTIONS.md`).
//!
//! * [`Balance`] and the ICNT units ([`ICNT`], [`MILLI_ICNT`], [`MICRO_ICNT`]); 18 decimals
//!   (SPEC §1).
//! * Chain-wide account, signature and block types.
//! * [`ClusterId`], [`NodeId`], [`EraIndex`] and [`HardwareClass`] with its [`CapacityUnit`].
//! * Block time and era length (SPEC §1: a 6 s block, an era of one day = 14,400 blocks).
//! * [`passport`]: passport kinds and the `PassportStaking` trait (SPEC §2).
//! * [`collateral`]: the collateral traits (`NodeCollateral`, `RewardCrediting`), eras and the
//!   `CollateralApi` runtime API (SPEC §3).
//! * [`market`]: the node state machine and the `NodeHealth` / `NodeReliability` traits shared by
//!   the capacity market and the SLA oracle, the market's request/lease types and the
//!   `CapacityMarketApi` runtime API (SPEC §4, §5).
//! * [`merkle`]: the challenge data's Merkle tree, proof format and challenge index derivation,
//!   shared by the hardware agent and the SLA oracle's off-chain worker (SPEC §5.3).
//! * [`oracle`]: the oracle key type `icno`, challenge outcomes, oracle assignment and the
//!   `SlaOracleApi` runtime API (SPEC §5).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};
use scale_info::TypeInfo;

/// The native token's smallest unit. ICNT has 18 decimals, like most EVM-side tokens, so amounts
/// bridged from the ICNT ERC-20 map one to one.
pub type Balance = u128;

pub mod collateral;
pub mod market;
pub mod merkle;
pub mod oracle;
pub mod passport;
pub mod pos;
pub mod rewards;
mod token;
pub use token::{TOKEN_DECIMALS, TOKEN_SYMBOL};

/// One ICNT in the smallest unit (10^18).
pub const ICNT: Balance = 1_000_000_000_000_000_000;
/// One thousandth of an ICNT.
pub const MILLI_ICNT: Balance = ICNT / 1_000;
/// One millionth of an ICNT.
pub const MICRO_ICNT: Balance = ICNT / 1_000_000;

/// SS58 address prefix of ICN Chain. 42 is the generic Substrate prefix: every wallet and tool
/// renders it without configuration. It is kept until ICN registers a prefix of its own in the
/// SS58 registry; the runtime and the chain spec both read it from here.
pub const SS58_PREFIX: u16 = 42;

/// Signature of a transaction: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account on the chain: the public key of the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// The number of transactions an account has sent.
pub type Nonce = u32;
/// Block number.
pub type BlockNumber = u32;
/// Block and state hash.
pub type Hash = polkadot_sdk::sp_core::H256;

/// Identifier of a cluster: a region created by governance (SPEC §4.1).
pub type ClusterId = u32;
/// Identifier of a hardware node (SPEC §4.2). Never reused.
pub type NodeId = u64;
/// Index of an era, the protocol's accounting period (SPEC §1).
pub type EraIndex = u32;

/// Target block time. Aura slots have this length; it cannot change once a chain has started.
pub const MILLISECS_PER_BLOCK: u64 = 6_000;
/// Aura slot duration, equal to the block time.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

/// Blocks per minute at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;
/// Length of an era in production (SPEC §1: one day, 14,400 blocks). Dev and test runtimes may
/// configure shorter eras in their pallets' `Config`.
pub const BLOCKS_PER_ERA: BlockNumber = DAYS;

/// Hardware class of a node (SPEC §1). New classes are appended with the next codec index so that
/// existing encodings stay valid.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum HardwareClass {
	/// Object or block storage, sold per GiB.
	#[codec(index = 0)]
	Storage,
	/// Graphics accelerators, sold per device.
	#[codec(index = 1)]
	Gpu,
	/// General compute, sold per virtual CPU.
	#[codec(index = 2)]
	Cpu,
}

/// The unit in which a node's capacity, leases and prices of a [`HardwareClass`] are counted.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub enum CapacityUnit {
	/// 2^30 bytes of storage.
	GiB,
	/// One accelerator device.
	Device,
	/// One virtual CPU.
	VCpu,
}

impl HardwareClass {
	/// Every class, in codec order. Lets era processing and runtime APIs iterate classes without
	/// a hand-maintained list elsewhere.
	pub const ALL: [HardwareClass; 3] =
		[HardwareClass::Storage, HardwareClass::Gpu, HardwareClass::Cpu];

	/// The unit capacity of this class is counted in.
	pub const fn unit(self) -> CapacityUnit {
		match self {
			HardwareClass::Storage => CapacityUnit::GiB,
			HardwareClass::Gpu => CapacityUnit::Device,
			HardwareClass::Cpu => CapacityUnit::VCpu,
		}
	}
}

impl CapacityUnit {
	/// Short human-readable name of the unit, as the client prints it.
	pub const fn symbol(self) -> &'static str {
		match self {
			CapacityUnit::GiB => "GiB",
			CapacityUnit::Device => "device",
			CapacityUnit::VCpu => "vCPU",
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn icnt_has_eighteen_decimals() {
		assert_eq!(ICNT, 10u128.pow(u32::from(TOKEN_DECIMALS)));
		assert_eq!(MILLI_ICNT * 1_000, ICNT);
		assert_eq!(MICRO_ICNT * 1_000_000, ICNT);
	}

	#[test]
	fn an_era_is_one_day_of_six_second_blocks() {
		assert_eq!(MINUTES, 10);
		assert_eq!(BLOCKS_PER_ERA, 14_400);
		assert_eq!(u64::from(BLOCKS_PER_ERA) * MILLISECS_PER_BLOCK, 24 * 60 * 60 * 1_000);
	}

	#[test]
	fn hardware_class_encoding_is_stable() {
		// Stored on chain: these bytes must never change for existing classes.
		assert_eq!(HardwareClass::Storage.encode(), vec![0]);
		assert_eq!(HardwareClass::Gpu.encode(), vec![1]);
		assert_eq!(HardwareClass::Cpu.encode(), vec![2]);
		assert_eq!(HardwareClass::decode(&mut &[3u8][..]).ok(), None);
		assert_eq!(HardwareClass::max_encoded_len(), 1);
	}

	#[test]
	fn every_class_has_its_unit() {
		let units: Vec<_> = HardwareClass::ALL.iter().map(|c| c.unit().symbol()).collect();
		assert_eq!(units, ["GiB", "device", "vCPU"]);
	}

	#[test]
	fn hardware_class_serde_round_trip() {
		let json = serde_json::to_string(&HardwareClass::Gpu).unwrap_or_default();
		assert_eq!(json, "\"Gpu\"");
		let back: Result<HardwareClass, _> = serde_json::from_str(&json);
		assert_eq!(back.ok(), Some(HardwareClass::Gpu));
	}
}
