//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (four validators,
//! Alice, Bob, Charlie and Dave). Both endow the well-known dev accounts, the treasury and the
//! protocol's reward pool (SPEC §6.1), and make Alice the sudo key.
//!
//! Later issues add the protocol's genesis here (passports for each dev authority, clusters).

use alloc::{vec, vec::Vec};
use polkadot_sdk::*;

use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
	configs::{RewardPoolAccount, TreasuryAccount},
	AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, SudoConfig, ICNT,
};

/// What each dev account starts with: enough to stake, delegate and pay for capacity in tests.
pub const DEV_ACCOUNT_ENDOWMENT: Balance = 1_000_000 * ICNT;
/// What the reward pool starts with: the source of protocol emission (SPEC §6.1).
pub const REWARD_POOL_ENDOWMENT: Balance = 100_000_000 * ICNT;
/// What the treasury starts with: enough to exist, so fees and dust can always be credited to it.
pub const TREASURY_ENDOWMENT: Balance = ICNT;

/// The Aura and GRANDPA keys of a well-known dev validator.
fn authority_keys(who: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(who.public().into(), grandpa.public().into())
}

fn genesis(
	initial_authorities: Vec<(AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	let mut balances: Vec<(AccountId, Balance)> = endowed_accounts
		.into_iter()
		.map(|account| (account, DEV_ACCOUNT_ENDOWMENT))
		.collect();
	balances.push((RewardPoolAccount::get(), REWARD_POOL_ENDOWMENT));
	balances.push((TreasuryAccount::get(), TREASURY_ENDOWMENT));

	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		aura: pallet_aura::GenesisConfig {
			authorities: initial_authorities.iter().map(|(aura, _)| aura.clone()).collect(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: initial_authorities
				.iter()
				.map(|(_, grandpa)| (grandpa.clone(), 1))
				.collect(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// A single-validator chain for development: Alice authors and finalizes every block.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		vec![
			Sr25519Keyring::Alice.to_account_id(),
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
			Sr25519Keyring::Dave.to_account_id(),
			Sr25519Keyring::Eve.to_account_id(),
			Sr25519Keyring::Ferdie.to_account_id(),
			Sr25519Keyring::AliceStash.to_account_id(),
			Sr25519Keyring::BobStash.to_account_id(),
		],
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The four validators of the local test network. GRANDPA needs 3 of 4 to finalize.
pub fn local_testnet_authorities() -> Vec<(AuraId, GrandpaId)> {
	vec![
		authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		authority_keys(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		authority_keys(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	]
}

/// A four-validator local network (Alice, Bob, Charlie, Dave), every dev account endowed.
pub fn local_testnet_config_genesis() -> Value {
	genesis(
		local_testnet_authorities(),
		Sr25519Keyring::iter()
			.filter(|k| k != &Sr25519Keyring::One && k != &Sr25519Keyring::Two)
			.map(|k| k.to_account_id())
			.collect(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The JSON patch of the preset `id`, or `None` for an unknown preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development_config_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_config_genesis(),
		_ => return None,
	};
	// Serializing a `serde_json::Value` cannot fail (no non-string map keys, no I/O).
	serde_json::to_vec(&patch).ok()
}

/// The presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
}
