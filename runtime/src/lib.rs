//! # ICN Chain runtime
//!
//! The state transition function of ICN Chain: the Impossible Cloud Network protocol as FRAME
//! pallets. This foundation carries the chain's base layer — system, timestamp, Aura block
//! authoring, GRANDPA finality, ICNT balances, transaction payment, sudo and utility. The protocol
//! pallets (passports, collateral and delegation, capacity market, SLA oracle, cluster rewards)
//! plug into the seams left for them: one module per pallet group under [`configs`], the cross-pallet
//! traits in `icn-primitives`, and the genesis presets in [`genesis_config_presets`].
//!
//! Layout follows the polkadot-sdk solochain template: this file holds versions, types and the
//! pallet list; [`configs`] the pallet configurations; [`apis`] the runtime APIs.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` expand to large items.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

/// The wasm of this runtime built with `next-spec-version` (see [`VERSION`]), for the upgrade
/// test; `None` when the build skipped it (`SKIP_WASM_BUILD`, `runtime-benchmarks`).
#[cfg(feature = "std")]
pub mod next_spec_version {
	include!(concat!(env!("OUT_DIR"), "/wasm_binary_next_spec_version.rs"));
}

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

#[cfg(test)]
mod tests;

use alloc::{borrow::Cow, vec::Vec};
// The umbrella re-exports every polkadot-sdk crate this runtime enables under its usual name.
use polkadot_sdk::*;
use sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256, MultiAddress};
use sp_version::RuntimeVersion;

pub use icn_primitives::{
	AccountId, Balance, BlockNumber, Hash, Nonce, Signature, DAYS, HOURS, ICNT, MICRO_ICNT,
	MILLISECS_PER_BLOCK, MILLI_ICNT, MINUTES, SLOT_DURATION,
};
#[cfg(feature = "std")]
pub use polkadot_sdk::sp_runtime::BuildStorage;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;

/// Opaque types: what the node needs to know of blocks without knowing the runtime's extrinsic
/// format, so it keeps syncing across runtime upgrades that change that format.
pub mod opaque {
	use super::*;
	pub use polkadot_sdk::sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as polkadot_sdk::sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The keys a validator holds: Aura to author blocks, GRANDPA to vote on finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` on every runtime change that ships; bump
/// `transaction_version` when calls or transaction extensions change their encoding.
#[cfg(not(feature = "next-spec-version"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("icn"),
	impl_name: Cow::Borrowed("icn-node"),
	authoring_version: 1,
	spec_version: 103,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 3,
	system_version: 1,
};

/// This runtime with `spec_version` one higher and nothing else changed (feature
/// `next-spec-version`): the upgrade the runtime-upgrade test applies to a running chain. The
/// build script compiles it to wasm beside the real one ([`next_spec_version::WASM_BINARY`]).
#[cfg(feature = "next-spec-version")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("icn"),
	impl_name: Cow::Borrowed("icn-node"),
	authoring_version: 1,
	spec_version: 104,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 3,
	system_version: 1,
};

/// The smallest balance an account may hold: 0.001 ICNT. Accounts below it are reaped, which keeps
/// the state from filling with dust accounts.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_ICNT;

/// Number of recent block hashes kept by `frame_system` (mortal transactions reference them).
pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block with its justifications.
pub type SignedBlock = generic::SignedBlock<Block>;

/// The transaction extensions, in the order they are checked. `AuthorizeCall` comes first so that
/// calls with a `#[pallet::authorize]` rule (the SLA oracle's feeless reports) are accepted or
/// rejected before any fee is charged. `CheckMetadataHash` lets offline signers prove the metadata
/// they decoded the call with.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Building signed transactions off-chain: tests, the node's tools and Rust clients sign with
/// these so that every one of them agrees with [`TxExtension`].
pub mod signing {
	use super::*;
	use sp_runtime::{generic::Era, traits::TransactionExtension};

	/// What [`TxExtension`] adds to the signed payload without sending it.
	pub type Implicit = <TxExtension as TransactionExtension<RuntimeCall>>::Implicit;

	/// The extensions of an immortal transaction with `nonce` and `tip`, without the metadata
	/// hash (`CheckMetadataHash` disabled).
	pub fn immortal_extensions(nonce: Nonce, tip: Balance) -> TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}

	/// The implicit part of [`immortal_extensions`] on the chain whose genesis hash is `genesis`:
	/// this runtime's spec and transaction versions, the genesis hash (for `CheckGenesis`, and
	/// again as the immortal era's birth block), no metadata hash.
	pub fn immortal_implicit(genesis: Hash) -> Implicit {
		(
			(),
			(),
			VERSION.spec_version,
			VERSION.transaction_version,
			genesis,
			genesis,
			(),
			(),
			(),
			None,
			(),
		)
	}

	/// `call`, signed by `signer` as an immortal transaction with `nonce` and no tip, for the
	/// chain whose genesis hash is `genesis`.
	#[cfg(feature = "std")]
	pub fn sign_immortal(
		signer: &sp_core::sr25519::Pair,
		nonce: Nonce,
		genesis: Hash,
		call: RuntimeCall,
	) -> UncheckedExtrinsic {
		use codec::Encode;
		use sp_core::Pair;
		let extensions = immortal_extensions(nonce, 0);
		let payload =
			SignedPayload::from_raw(call.clone(), extensions.clone(), immortal_implicit(genesis));
		let signature = payload.using_encoded(|bytes| signer.sign(bytes));
		let signer = AccountId::from(signer.public());
		UncheckedExtrinsic::new_signed(call, MultiAddress::Id(signer), signature.into(), extensions)
	}
}

/// Storage migrations run on a runtime upgrade. Each is version-checked: on a chain whose pallet
/// is already at the migration's target version (every chain started from this runtime's
/// genesis) it does nothing.
type Migrations = (
	pallet_capacity_market::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_capacity_market::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_capacity_market::migrations::v4::MigrateV3ToV4<Runtime>,
	pallet_sla_oracle::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_cluster_rewards::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_cluster_rewards::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_cluster_rewards::migrations::v4::MigrateV3ToV4<Runtime>,
);

/// Executive: dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;
	// Indices 20.. are the ICN protocol pallets.
	#[runtime::pallet_index(20)]
	pub type Passports = pallet_passports;
	#[runtime::pallet_index(21)]
	pub type Collateral = pallet_collateral_delegation;
	#[runtime::pallet_index(22)]
	pub type CapacityMarket = pallet_capacity_market;
	#[runtime::pallet_index(23)]
	pub type SlaOracle = pallet_sla_oracle;
	#[runtime::pallet_index(24)]
	pub type ClusterRewards = pallet_cluster_rewards;
}
