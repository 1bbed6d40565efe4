//! Passports (SPEC §2): minted by root (the sudo key on dev and test chains, governance later);
//! staked, released and revoked only by the protocol pallets through `PassportStaking`.

use polkadot_sdk::*;

use frame_support::parameter_types;
use frame_system::EnsureRoot;

use crate::{AccountId, Runtime};

parameter_types! {
	/// A passport's metadata holds a short document or a content id (an IPFS CID is < 100 bytes).
	pub const MaxPassportMetadataLen: u32 = 256;
}

impl pallet_passports::Config for Runtime {
	type MintOrigin = EnsureRoot<AccountId>;
	type MaxMetadataLen = MaxPassportMetadataLen;
	type WeightInfo = pallet_passports::weights::SubstrateWeight<Runtime>;
}
