//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (four validators,
//! Alice, Bob, Charlie and Dave). Both endow the well-known dev accounts, the treasury and the
//! protocol's reward pool (SPEC §6.1), and make Alice the sudo key.
//!
//! Each authority also gets one `HardwareProvider` and one `Oracle` passport (SPEC §2), so the whole
//! flow (register a node, register as an oracle) can be tried on a fresh chain: on `development`
//! Alice holds passports 0 (HP) and 1 (oracle); on `local_testnet` Alice, Bob, Charlie and Dave
//! hold 0/1, 2/3, 4/5 and 6/7.
//!
//! Both presets run a fast protocol clock so the whole node life cycle can be watched in minutes:
//! eras of [`DEV_ERA_LENGTH`] blocks (2 minutes instead of a day) and challenge rounds every
//! [`DEV_CHALLENGE_PERIOD`] blocks (30 s instead of an hour).
//!
//! Both presets also open two clusters (SPEC §4.1), `eu-central-1` (id 0) and `us-east-1` (id 1),
//! each accepting every hardware class, so nodes can be registered without a governance step, and
//! give every `(cluster, class)` reward parameters (SPEC §6.1, [`dev_reward_groups`]).

use alloc::{vec, vec::Vec};
use polkadot_sdk::*;

use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use icn_primitives::{passport::PassportKind, ClusterId, HardwareClass};
use pallet_cluster_rewards::GroupParameters;
use sp_runtime::{FixedU128, Perbill};

use crate::{
	configs::{RewardPoolAccount, TreasuryAccount},
	AccountId, Balance, BalancesConfig, CapacityMarketConfig, ClusterRewardsConfig,
	CollateralConfig, PassportsConfig, RuntimeGenesisConfig, SlaOracleConfig, SudoConfig, ICNT,
};

/// Era length of the dev and local presets: 20 blocks of 6 s.
pub const DEV_ERA_LENGTH: u32 = 20;
/// Challenge period of the dev and local presets: 5 blocks of 6 s.
pub const DEV_CHALLENGE_PERIOD: u32 = 5;

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

/// `self_per_unit` of SPEC §3.1 on dev and test chains: 1 ICNT per GiB of storage, 5,000 ICNT
/// per GPU, 50 ICNT per vCPU.
pub fn dev_self_per_unit() -> Vec<(HardwareClass, Balance)> {
	vec![
		(HardwareClass::Storage, ICNT),
		(HardwareClass::Gpu, 5_000 * ICNT),
		(HardwareClass::Cpu, 50 * ICNT),
	]
}

/// The network ratio of dev and test chains.
///
/// With SPEC §3.1's `class_share` (the runtime's 50% storage, 30% GPU, 20% vCPU) the classes
/// together ask for `network_ratio` of the circulating supply, no longer `classes ×
/// network_ratio` — before it the presets used 0.01% (0.03% in all; 0.02% now). What
/// still keeps a dev chain far below SPEC's 50% is that the *first* node of a class is all of its
/// class's capacity and carries the class's whole part, `network_ratio × class_share ×
/// circulating` (at 50%, 27 million ICNT for the first storage node of this 108-million-ICNT
/// chain, where a dev account holds 1 million). At 0.02% the first storage node needs about
/// 10,800 ICNT of network collateral (a GPU about 6,500, a vCPU node about 4,300), so a dev HP
/// can bond it alone and delegators can be tried with a few accounts; a production network,
/// whose classes hold thousands of nodes, uses the runtime's 50%.
pub const DEV_NETWORK_RATIO: Perbill = Perbill::from_parts(200_000);
/// `ProofCoverage` of the dev and local chains (SPEC §5.8): just under 2⁻²⁰ (953 parts per
/// billion; 954 would be just over), so a `Storage` node's plot covers about 1 MiB per TiB of free
/// capacity and the smallest plot (256 chunks of 4 KiB) covers a node of up to 1 TiB — tests
/// plot in a second. Production chains keep 100%.
pub const DEV_PROOF_COVERAGE: Perbill = Perbill::from_parts(953);

/// One `HardwareProvider` and one `Oracle` passport for each authority account, in that order.
fn authority_passports(authorities: &[AccountId]) -> Vec<(AccountId, PassportKind, Vec<u8>)> {
	authorities
		.iter()
		.flat_map(|who| {
			[
				(who.clone(), PassportKind::HardwareProvider, b"dev hardware provider".to_vec()),
				(who.clone(), PassportKind::Oracle, b"dev oracle".to_vec()),
			]
		})
		.collect()
}

/// The clusters of the dev and local presets: region code and accepted classes.
pub fn dev_clusters() -> Vec<(Vec<u8>, Vec<HardwareClass>)> {
	[b"eu-central-1".as_slice(), b"us-east-1".as_slice()]
		.iter()
		.map(|region| (region.to_vec(), HardwareClass::ALL.to_vec()))
		.collect()
}

/// Reward parameters of every `(cluster, class)` of [`dev_clusters`] (SPEC §6.1): a usage
/// reward equal to the fees SPs pay (capped at the take) everywhere, and a subsidy for storage
/// only, paid per proven GiB at a rate that falls to zero at 1 PiB per cluster: about 0.076 ICNT
/// per GiB per era for the first units, peaking at 20,000 ICNT half full (both clusters at their
/// peaks: 40,000 of the runtime's `MaxEmissionPerEra`, 100,000 ICNT). `Gpu` and `Cpu` groups
/// have no subsidy: their plots prove availability, not capacity, and a rate per unit would pay
/// every unit nothing proves (issue 24's review); their caps (1,000 GPUs, 20,000 vCPUs) stay
/// for governance to set a rate once compute proofs exist.
pub fn dev_reward_groups() -> Vec<((ClusterId, HardwareClass), GroupParameters)> {
	let per_class = [
		(HardwareClass::Storage, 20_000 * ICNT, 1_048_576),
		(HardwareClass::Gpu, 0, 1_000),
		(HardwareClass::Cpu, 0, 20_000),
	];
	(0..dev_clusters().len() as ClusterId)
		.flat_map(|cluster| {
			per_class.iter().map(move |(class, peak, subsidy_cap)| {
				(
					(cluster, *class),
					GroupParameters {
						base_subsidy: pallet_cluster_rewards::migrations::v3::rate_for_lump_sum(
							*peak,
							*subsidy_cap,
						),
						subsidy_cap: *subsidy_cap,
						usage_multiplier: FixedU128::from_u32(1),
					},
				)
			})
		})
		.collect()
}

fn genesis(
	initial_authorities: Vec<(AuraId, GrandpaId)>,
	authority_accounts: Vec<AccountId>,
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
		passports: PassportsConfig { passports: authority_passports(&authority_accounts) },
		collateral: CollateralConfig {
			self_per_unit: dev_self_per_unit(),
			network_ratio: Some(DEV_NETWORK_RATIO),
		},
		capacity_market: CapacityMarketConfig {
			clusters: dev_clusters(),
			proof_coverage: Some(DEV_PROOF_COVERAGE),
		},
		cluster_rewards: ClusterRewardsConfig { groups: dev_reward_groups() },
		sla_oracle: SlaOracleConfig {
			era_length: Some(DEV_ERA_LENGTH),
			challenge_period: Some(DEV_CHALLENGE_PERIOD),
		},
	})
}

/// A single-validator chain for development: Alice authors and finalizes every block.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		vec![Sr25519Keyring::Alice.to_account_id()],
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
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
			.iter()
			.map(|k| k.to_account_id())
			.collect(),
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

/// RFC 7386 JSON merge patch: how the node applies a preset's patch to the default genesis
/// config.
#[cfg(feature = "std")]
pub fn merge_patch(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				if value.is_null() {
					base.remove(&key);
				} else {
					merge_patch(base.entry(key).or_insert(Value::Null), value);
				}
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Externalities whose state is the genesis of preset `id`, built the way the node builds it:
/// the default config, the preset's patch merged on top, then `GenesisBuilder::build_state`.
/// For native tests and the fuzzer; `None` for an unknown preset.
#[cfg(feature = "std")]
pub fn preset_externalities(id: &PresetId) -> Option<sp_io::TestExternalities> {
	let patch: Value = serde_json::from_slice(&get_preset(id)?).ok()?;
	let mut config = serde_json::to_value(crate::RuntimeGenesisConfig::default()).ok()?;
	merge_patch(&mut config, patch);
	let json = serde_json::to_vec(&config).ok()?;
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<crate::RuntimeGenesisConfig>(json)
	})
	.ok()?;
	Some(ext)
}
