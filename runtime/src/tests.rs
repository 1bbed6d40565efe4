//! Runtime tests in the native runtime: genesis presets, a signed transfer through `Executive`,
//! and every pallet's `integrity_test`.

use super::*;
use frame_support::traits::IntegrityTest;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Header as _;

use crate::{
	configs::{RewardPoolAccount, TreasuryAccount},
	genesis_config_presets::{
		get_preset, preset_names, DEV_ACCOUNT_ENDOWMENT, REWARD_POOL_ENDOWMENT, TREASURY_ENDOWMENT,
	},
};

/// Externalities whose state is the genesis of preset `name`, as the node builds it.
fn preset_ext(name: &str) -> sp_io::TestExternalities {
	genesis_config_presets::preset_externalities(&PresetId::from(name))
		.unwrap_or_else(|| panic!("preset {name} builds"))
}

#[test]
fn both_presets_are_listed_and_unknown_ones_are_not() {
	let names: Vec<String> = preset_names()
		.iter()
		.map(|p| {
			let name: &str = p.as_ref();
			name.to_owned()
		})
		.collect();
	assert_eq!(names, [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET]);
	assert!(get_preset(&PresetId::from("mainnet")).is_none());
}

#[test]
fn development_preset_has_alice_as_sole_authority_and_sudo() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice;
		assert_eq!(
			pallet_aura::Authorities::<Runtime>::get().into_inner(),
			[alice.public().into()]
		);
		assert_eq!(Grandpa::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice.to_account_id()));
		assert_eq!(Balances::free_balance(alice.to_account_id()), DEV_ACCOUNT_ENDOWMENT);
		assert_eq!(Balances::free_balance(RewardPoolAccount::get()), REWARD_POOL_ENDOWMENT);
		assert_eq!(Balances::free_balance(TreasuryAccount::get()), TREASURY_ENDOWMENT);
	});
}

#[test]
fn local_testnet_preset_has_four_validators_and_endows_dev_accounts() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let expected: Vec<sp_consensus_aura::sr25519::AuthorityId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.public().into())
		.collect();
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), expected);
		assert_eq!(Grandpa::grandpa_authorities().len(), 4);
		for who in [Sr25519Keyring::Eve, Sr25519Keyring::Ferdie, Sr25519Keyring::DaveStash] {
			assert_eq!(Balances::free_balance(who.to_account_id()), DEV_ACCOUNT_ENDOWMENT);
		}
		assert_eq!(Balances::free_balance(RewardPoolAccount::get()), REWARD_POOL_ENDOWMENT);
		// 12 dev accounts (6 keys and their stashes), the reward pool, the treasury, and the
		// collateral pallet's rewards pot (created with the existential deposit).
		assert_eq!(
			Balances::total_issuance(),
			12 * DEV_ACCOUNT_ENDOWMENT
				+ REWARD_POOL_ENDOWMENT
				+ TREASURY_ENDOWMENT
				+ EXISTENTIAL_DEPOSIT
		);
	});
}

#[test]
fn pool_and_treasury_accounts_are_distinct_and_not_dev_keys() {
	assert_ne!(RewardPoolAccount::get(), TreasuryAccount::get());
	assert!(Sr25519Keyring::iter().all(|k| k.to_account_id() != RewardPoolAccount::get()));
}

/// A transaction signed by `signer` as a wallet builds it, for the chain in the externalities.
fn signed_extrinsic(signer: Sr25519Keyring, nonce: Nonce, call: RuntimeCall) -> UncheckedExtrinsic {
	let genesis = frame_system::BlockHash::<Runtime>::get(0);
	crate::signing::sign_immortal(&signer.pair(), nonce, genesis, call)
}

/// Starts block 1 on top of genesis, as the block author does.
fn start_block_one() {
	let header = Header::new(
		1,
		Default::default(),
		Default::default(),
		frame_system::BlockHash::<Runtime>::get(0),
		Default::default(),
	);
	Executive::initialize_block(&header);
}

#[test]
fn signed_transfer_through_executive_moves_funds_and_conserves_issuance() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let issuance_before = Balances::total_issuance();
		let treasury_before = Balances::free_balance(TreasuryAccount::get());

		start_block_one();

		let amount = 42 * ICNT;
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(bob.clone()),
			value: amount,
		});
		let outcome = Executive::apply_extrinsic(signed_extrinsic(Sr25519Keyring::Alice, 0, call));
		assert_eq!(outcome, Ok(Ok(())));

		assert_eq!(Balances::free_balance(&bob), DEV_ACCOUNT_ENDOWMENT + amount);
		let fee = Balances::free_balance(TreasuryAccount::get()) - treasury_before;
		assert!(fee > 0, "the transfer paid a fee");
		assert_eq!(Balances::free_balance(&alice), DEV_ACCOUNT_ENDOWMENT - amount - fee);
		// SPEC §9: fees move to the treasury; they are never burned.
		assert_eq!(Balances::total_issuance(), issuance_before);
		assert_eq!(System::account_nonce(&alice), 1);
		assert!(System::events().iter().any(|record| record.event
			== RuntimeEvent::Balances(pallet_balances::Event::Transfer {
				from: alice.clone(),
				to: bob.clone(),
				amount,
			})));

		// The same transaction again is stale: nothing changes.
		let replay = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(bob.clone()),
			value: amount,
		});
		assert!(
			Executive::apply_extrinsic(signed_extrinsic(Sr25519Keyring::Alice, 0, replay)).is_err()
		);
		assert_eq!(Balances::free_balance(&bob), DEV_ACCOUNT_ENDOWMENT + amount);
	});
}

#[test]
fn transfer_signed_by_the_wrong_key_is_rejected() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block_one();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(bob.clone()),
			value: ICNT,
		});
		let mut xt = signed_extrinsic(Sr25519Keyring::Alice, 0, call);
		// Claim the transaction is from Charlie while it carries Alice's signature.
		if let sp_runtime::generic::Preamble::Signed(ref mut address, _, _) = xt.preamble {
			*address = MultiAddress::Id(Sr25519Keyring::Charlie.to_account_id());
		}
		assert!(Executive::apply_extrinsic(xt).is_err());
		assert_eq!(Balances::free_balance(&bob), DEV_ACCOUNT_ENDOWMENT);
	});
}

#[test]
fn integrity_test_of_every_pallet_passes() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		<AllPalletsWithSystem as IntegrityTest>::integrity_test();
	});
}

#[test]
fn runtime_constants_agree_with_primitives() {
	use frame_support::traits::Get;
	assert_eq!(<Runtime as frame_system::Config>::SS58Prefix::get(), icn_primitives::SS58_PREFIX);
	assert_eq!(<Runtime as pallet_aura::Config>::SlotDuration::get(), SLOT_DURATION);
	assert_eq!(VERSION.spec_name, "icn");
}

#[test]
fn presets_give_each_authority_an_hp_and_an_oracle_passport() {
	use icn_primitives::passport::{PassportInspect, PassportKind};
	let alice = Sr25519Keyring::Alice.to_account_id();
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(Passports::owner_of(0), Some(alice.clone()));
		assert_eq!(Passports::kind_of(0), Some(PassportKind::HardwareProvider));
		assert_eq!(Passports::owner_of(1), Some(alice.clone()));
		assert_eq!(Passports::kind_of(1), Some(PassportKind::Oracle));
		assert_eq!(Passports::owner_of(2), None);
	});
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let authorities = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		];
		for (i, who) in authorities.iter().enumerate() {
			let hp = 2 * i as u32;
			assert_eq!(Passports::owner_of(hp), Some(who.to_account_id()));
			assert_eq!(Passports::kind_of(hp), Some(PassportKind::HardwareProvider));
			assert_eq!(Passports::owner_of(hp + 1), Some(who.to_account_id()));
			assert_eq!(Passports::kind_of(hp + 1), Some(PassportKind::Oracle));
			assert_eq!(Passports::use_of(hp), None, "genesis passports are not staked");
		}
		assert_eq!(Passports::owner_of(8), None);
	});
}

#[test]
fn collateral_through_executive_holds_funds_and_slashes_to_the_treasury() {
	use frame_support::traits::fungible::InspectHold;
	use icn_primitives::{
		collateral::{CoverageStatus, NodeCollateral},
		HardwareClass,
	};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		start_block_one();
		let bond = RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond {
			amount: 20_000 * ICNT,
		});
		assert_eq!(
			Executive::apply_extrinsic(signed_extrinsic(Sr25519Keyring::Alice, 0, bond)),
			Ok(Ok(()))
		);
		let delegate = RuntimeCall::Collateral(pallet_collateral_delegation::Call::delegate {
			hp: alice.clone(),
			amount: 5_000 * ICNT,
		});
		assert_eq!(
			Executive::apply_extrinsic(signed_extrinsic(Sr25519Keyring::Bob, 0, delegate)),
			Ok(Ok(()))
		);
		// Held on the owners' accounts, under the pallet's hold reasons.
		let self_reason: RuntimeHoldReason =
			pallet_collateral_delegation::HoldReason::SelfCollateral.into();
		let delegation_reason: RuntimeHoldReason =
			pallet_collateral_delegation::HoldReason::Delegation.into();
		assert_eq!(Balances::balance_on_hold(&self_reason, &alice), 20_000 * ICNT);
		assert_eq!(Balances::balance_on_hold(&delegation_reason, &bob), 5_000 * ICNT);

		// A 1 TiB storage node fits the dev chain's parameters (S = 1,024 ICNT; N ≈ 10,800 ICNT).
		assert_eq!(Collateral::commit(&alice, HardwareClass::Storage, 1_024), Ok(()));
		let info = Collateral::collateral_info(&alice).expect("Alice bonded");
		assert_eq!(info.requirement.self_component, 1_024 * ICNT);
		assert!(info.requirement.network_component > 10_000 * ICNT);
		assert_eq!((info.shortfall, info.status), (0, CoverageStatus::Covered));

		// A slash beyond the bond reaches the pool; slashed ICNT goes to the treasury, so total
		// issuance does not change (SPEC §9).
		let issuance = Balances::total_issuance();
		let treasury = Balances::free_balance(TreasuryAccount::get());
		assert_eq!(Collateral::slash(&alice, 21_000 * ICNT), 21_000 * ICNT);
		let apply =
			RuntimeCall::Collateral(pallet_collateral_delegation::Call::apply_pending_slash {
				hp: alice.clone(),
				delegator: bob.clone(),
			});
		assert_eq!(
			Executive::apply_extrinsic(signed_extrinsic(Sr25519Keyring::Charlie, 0, apply)),
			Ok(Ok(()))
		);
		assert_eq!(Balances::balance_on_hold(&delegation_reason, &bob), 4_000 * ICNT);
		let fees_and_slash = Balances::free_balance(TreasuryAccount::get()) - treasury;
		assert!(fees_and_slash >= 21_000 * ICNT);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

/// Alice bonds 20,000 ICNT and registers node 0 through `Executive` (nonces 0 and 1): her preset
/// HP passport 0, in preset cluster 0, a 1 TiB storage node at 0.01 ICNT per GiB per era.
fn alice_registers_a_storage_node() {
	let bond =
		RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond { amount: 20_000 * ICNT });
	let applied = Executive::apply_extrinsic(signed_extrinsic(Sr25519Keyring::Alice, 0, bond));
	assert_eq!(applied, Ok(Ok(())));
	let (plot, proof_root) = icn_primitives::pos::declared_plot(
		&codec::Encode::encode(&Sr25519Keyring::Alice.to_account_id()),
		0,
		1_024 << 30,
	);
	let register = RuntimeCall::CapacityMarket(pallet_capacity_market::Call::register_node {
		passport: 0,
		cluster: 0,
		class: icn_primitives::HardwareClass::Storage,
		capacity: 1_024,
		price: ICNT / 100,
		commitment_eras: 30,
		endpoint: b"http://127.0.0.1:7100".to_vec(),
		proof_root,
		plot,
	});
	let applied = Executive::apply_extrinsic(signed_extrinsic(Sr25519Keyring::Alice, 1, register));
	assert_eq!(applied, Ok(Ok(())));
}

#[test]
fn capacity_market_quote_through_the_runtime_api_equals_the_request_through_executive() {
	use frame_support::traits::fungible::InspectHold;
	use icn_primitives::{
		market::{
			runtime_decl_for_capacity_market_api::CapacityMarketApiV1 as MarketApi, Allocation,
			NodeHealth, NodeStatus, Preferences,
		},
		HardwareClass,
	};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		start_block_one();
		let apply = |who: Sr25519Keyring, nonce: Nonce, call: RuntimeCall| {
			Executive::apply_extrinsic(signed_extrinsic(who, nonce, call))
		};
		alice_registers_a_storage_node();
		let info = <Runtime as MarketApi<Block, AccountId>>::node(0).expect("node 0");
		assert_eq!(
			(info.hp.clone(), info.status, info.capacity),
			(alice, NodeStatus::Pending, 1_024)
		);
		// The SLA oracle's first passed round (its trait, as the oracle will call it).
		assert_eq!(CapacityMarket::set_status(0, NodeStatus::Active), Ok(()));
		assert_eq!(
			<Runtime as MarketApi<Block, AccountId>>::free_capacity(0, HardwareClass::Storage),
			1_024
		);

		let prefs = Preferences::default();
		let quote = <Runtime as MarketApi<Block, AccountId>>::quote(
			0,
			HardwareClass::Storage,
			100,
			5,
			ICNT,
			prefs,
		)
		.expect("quotes");
		assert_eq!(quote.allocations, vec![Allocation { node: 0, units: 100, price: ICNT / 100 }]);
		assert_eq!(quote.cost, 100 * 5 * (ICNT / 100));

		let request = RuntimeCall::CapacityMarket(pallet_capacity_market::Call::request_capacity {
			cluster: 0,
			class: HardwareClass::Storage,
			amount: 100,
			duration: 5,
			max_price: ICNT,
			preferences: prefs,
			allow_partial: false,
		});
		assert_eq!(apply(Sr25519Keyring::Bob, 0, request), Ok(Ok(())));
		let leases = <Runtime as MarketApi<Block, AccountId>>::leases_of(bob.clone());
		let got: Vec<Allocation> = leases
			.iter()
			.map(|(_, l)| Allocation { node: l.node, units: l.units, price: l.price })
			.collect();
		assert_eq!(got, quote.allocations);
		let escrow: RuntimeHoldReason = pallet_capacity_market::HoldReason::Escrow.into();
		assert_eq!(Balances::balance_on_hold(&escrow, &bob), quote.cost);
		assert_eq!(
			<Runtime as MarketApi<Block, AccountId>>::free_capacity(0, HardwareClass::Storage),
			1_024 - 100
		);
		// Errors come back as the request's errors.
		assert!(<Runtime as MarketApi<Block, AccountId>>::quote(
			7,
			HardwareClass::Storage,
			1,
			1,
			1,
			prefs
		)
		.is_err());
	});
}

#[test]
fn presets_open_two_clusters_accepting_every_class() {
	use icn_primitives::HardwareClass;
	for preset in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET] {
		preset_ext(preset).execute_with(|| {
			assert_eq!(pallet_capacity_market::NextClusterId::<Runtime>::get(), 2);
			for (id, region) in [(0, b"eu-central-1".as_slice()), (1, b"us-east-1".as_slice())] {
				let cluster =
					pallet_capacity_market::Clusters::<Runtime>::get(id).expect("preset cluster");
				assert_eq!(cluster.region.as_slice(), region);
				assert_eq!(cluster.classes.to_vec(), HardwareClass::ALL.to_vec());
			}
		});
	}
}

#[test]
fn presets_give_every_dev_group_reward_parameters() {
	use icn_primitives::HardwareClass;
	for preset in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET] {
		preset_ext(preset).execute_with(|| {
			assert_eq!(pallet_cluster_rewards::GroupParams::<Runtime>::count(), 6);
			for cluster in 0..2 {
				for class in HardwareClass::ALL {
					let params =
						pallet_cluster_rewards::GroupParams::<Runtime>::get((cluster, class))
							.expect("preset group");
					// Storage is subsidized per proven GiB; compute classes, which nothing
					// proves yet, are not (issue 24's review).
					assert!(params.subsidy_cap > 0);
					assert_eq!(params.base_subsidy > 0, class == HardwareClass::Storage);
				}
			}
			// The subsidy is a rate per unit (SPEC §6.1): with every storage group half full,
			// where its subsidy peaks, the subsidies add up to 40% of the cap (less the rates'
			// rounding), the rest left to usage rewards.
			let total: Balance = pallet_cluster_rewards::GroupParams::<Runtime>::iter()
				.map(|(_, p)| ClusterRewards::group_reward(&p, p.subsidy_cap / 2, 0, 0).0)
				.sum();
			let cap = <Runtime as pallet_cluster_rewards::Config>::MaxEmissionPerEra::get();
			let storage = cap / 5 * 2;
			assert!(total <= storage && total > storage - cap / 1_000_000, "{total} of {cap}");
		});
	}
}

#[test]
fn rewards_accrue_to_an_active_node_and_its_claim_reaches_the_hp_pool() {
	use frame_support::traits::Hooks;
	use icn_primitives::{
		market::{NodeHealth, NodeStatus},
		rewards::runtime_decl_for_rewards_api::RewardsApiV1 as RewardsApi,
		HardwareClass,
	};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		start_block_one();
		let apply = |who: Sr25519Keyring, nonce: Nonce, call: RuntimeCall| {
			Executive::apply_extrinsic(signed_extrinsic(who, nonce, call))
		};
		alice_registers_a_storage_node();
		// Pending nodes weigh nothing; the oracle's first pass makes it rewardable through the
		// market's hooks.
		assert_eq!(
			<Runtime as RewardsApi<Block, AccountId>>::pending_rewards(alice.clone()).nodes,
			vec![]
		);
		assert_eq!(CapacityMarket::set_status(0, NodeStatus::Active), Ok(()));
		let rates = <Runtime as RewardsApi<Block, AccountId>>::cluster_rates(0);
		let storage = rates.iter().find(|r| r.class == HardwareClass::Storage).expect("group");
		assert_eq!(storage.capacity, 1_024);
		assert_eq!(storage.utilization, sp_runtime::Perbill::zero());
		// Its plot proves all of it (at the dev chain's coverage).
		assert_eq!(storage.proven, 1_024);
		// A rate per proven GiB (SPEC §6.1) on the era's average units: active from block 1 of
		// the era's 20, its 1,024 GiB average ⌊1,024 × 19 / 20⌋ = 972.
		let params =
			pallet_cluster_rewards::GroupParams::<Runtime>::get((0, HardwareClass::Storage))
				.expect("preset group");
		assert_eq!(
			storage.subsidy_per_era,
			ClusterRewards::group_reward(&params, 1_024 * 19 / 20, 0, 0).0,
			"the node's blocks at the rate"
		);

		// The era ends (20 blocks on the dev chain): the transition allocates it.
		let issuance = Balances::total_issuance();
		System::set_block_number(genesis_config_presets::DEV_ERA_LENGTH.into());
		ClusterRewards::on_initialize(genesis_config_presets::DEV_ERA_LENGTH.into());
		assert_eq!(<Runtime as RewardsApi<Block, AccountId>>::processed_era(), 1);
		let pending = <Runtime as RewardsApi<Block, AccountId>>::pending_rewards(alice.clone());
		assert_eq!(pending.nodes.len(), 1);
		let (node, amount) = pending.nodes[0];
		assert_eq!(node, 0);
		// The only rewardable node takes its group's whole subsidy, up to rounding dust.
		assert!(storage.subsidy_per_era - amount <= 1, "{amount}");

		let claim = RuntimeCall::ClusterRewards(pallet_cluster_rewards::Call::claim_node_rewards {
			node: 0,
		});
		assert_eq!(apply(Sr25519Keyring::Bob, 0, claim), Ok(Ok(())));
		// Credited to Alice's pool split (no delegators: all hers), paid from the reward pool:
		// ICNT moves, none is minted.
		assert_eq!(Collateral::pending_rewards(&alice, &alice), amount);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(
			<Runtime as RewardsApi<Block, AccountId>>::pending_rewards(alice.clone()).nodes,
			vec![(0, 0)]
		);
		// A faulty node's earlier rewards are held.
		assert_eq!(CapacityMarket::set_status(0, NodeStatus::Faulty), Ok(()));
		assert!(pallet_cluster_rewards::Shares::<Runtime>::get(0).is_some_and(|s| s.held));
		assert_eq!(ClusterRewards::do_try_state(), Ok(()));
	});
}

/// `try_state` of every pallet and the runtime-upgrade checks (`pre_upgrade`/`post_upgrade`, and
/// every pallet's on-chain storage version equal to its in-code one) on a real chain's state: the
/// JSON object of hex keys and values at `ICN_STATE_SNAPSHOT`. `scripts/test.sh` runs it on the
/// state the CLI's end-to-end test leaves; `scripts/try-state.sh` on a live chain's.
#[cfg(feature = "try-runtime")]
#[test]
#[ignore = "needs a state snapshot in ICN_STATE_SNAPSHOT (scripts/test.sh, scripts/try-state.sh)"]
fn try_state_and_upgrade_checks_pass_on_a_chain_state_snapshot() {
	use frame_support::traits::{TryState, TryStateSelect, UpgradeCheckSelect};
	let path = std::env::var("ICN_STATE_SNAPSHOT").expect("ICN_STATE_SNAPSHOT: a state snapshot");
	let json = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
	let pairs: std::collections::BTreeMap<String, String> =
		serde_json::from_slice(&json).expect("a JSON object of hex keys and values");
	let hex = |s: &str| -> Vec<u8> {
		let digits = s.trim_start_matches("0x");
		(0..digits.len())
			.step_by(2)
			.map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"))
			.collect()
	};
	let top = pairs.iter().map(|(k, v)| (hex(k), hex(v))).collect();
	let storage = sp_runtime::Storage { top, children_default: Default::default() };
	sp_io::TestExternalities::new(storage).execute_with(|| {
		let number = System::block_number();
		assert!(number > 0, "a snapshot of a chain that has produced blocks");
		// The flow left protocol state to check, not an empty chain.
		assert!(pallet_capacity_market::Nodes::<Runtime>::iter().count() > 0, "no node");
		assert!(pallet_collateral_delegation::Hps::<Runtime>::iter().count() > 0, "no HP");
		assert!(pallet_sla_oracle::Oracles::<Runtime>::iter().count() > 0, "no oracle");
		AllPalletsWithSystem::try_state(number, TryStateSelect::All)
			.unwrap_or_else(|e| panic!("try_state at block {number}: {e:?}"));
		let weight = Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
			.unwrap_or_else(|e| panic!("runtime upgrade checks at block {number}: {e:?}"));
		assert!(weight.all_lte(configs::RuntimeBlockWeights::get().max_block), "{weight:?}");
	});
}

/// SPEC §4.10, issue 24's wash-trading attack through the real pallets: an HP leases its own
/// node (it is the SP too) to generate usage rewards. Whatever the price, units, duration and
/// usage multiplier, it ends no richer than the same chain without the self-lease: it pays
/// `LeaseTake` on every payment and the usage reward those payments generate is capped by it.
/// (At a multiplier of 10% or more the usage reward equals the take: the self-lease breaks even
/// before transaction fees, which are not counted here — dispatched directly — and make it a
/// loss on a real chain.)
mod wash_trading {
	use super::*;
	use frame_support::traits::{fungible::Inspect, Hooks};
	use icn_primitives::{
		market::{NodeHealth, NodeStatus},
		HardwareClass,
	};
	use proptest::prelude::*;
	use sp_runtime::FixedU128;

	/// What a run ended with: Alice's wealth (her balance, free and held, and her credited
	/// rewards), the takes her lease paid, and the usage rewards the chain emitted.
	struct Outcome {
		wealth: Balance,
		takes: Balance,
		usage: Balance,
	}

	fn run(
		price: Balance,
		units: u64,
		duration: u32,
		multiplier: u32,
		self_lease: bool,
	) -> Outcome {
		preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
			let alice = Sr25519Keyring::Alice.to_account_id();
			let origin = || RuntimeOrigin::signed(alice.clone());
			start_block_one();
			alice_registers_a_storage_node();
			assert_eq!(CapacityMarket::set_price(origin(), 0, price), Ok(()));
			assert_eq!(CapacityMarket::set_status(0, NodeStatus::Active), Ok(()));
			let params = pallet_cluster_rewards::GroupParameters {
				// Tenths: 0.0 to 20.0, below and above the take's 10%.
				usage_multiplier: FixedU128::from_rational(multiplier.into(), 10),
				..pallet_cluster_rewards::GroupParams::<Runtime>::get((0, HardwareClass::Storage))
					.expect("preset group")
			};
			assert_eq!(
				ClusterRewards::set_group_params(
					RuntimeOrigin::root(),
					0,
					HardwareClass::Storage,
					params
				),
				Ok(())
			);
			if self_lease {
				let request = CapacityMarket::request_capacity(
					origin(),
					0,
					HardwareClass::Storage,
					units,
					duration,
					price,
					Default::default(),
					false,
				);
				assert!(request.is_ok(), "{request:?}");
			}
			let era_length = genesis_config_presets::DEV_ERA_LENGTH;
			for era in 1..=duration + 2 {
				let block = era * era_length;
				System::set_block_number(block);
				ClusterRewards::on_initialize(block);
				// The lease (eras 1..=duration) is settled once it ended; its fees are
				// rewarded at the next era's transition, the loop's last.
				if self_lease && era == duration + 1 {
					assert_eq!(CapacityMarket::settle_lease(origin(), 0), Ok(()));
				}
			}
			let _ = ClusterRewards::claim_node_rewards(origin(), 0);
			assert_eq!(ClusterRewards::do_try_state(), Ok(()));
			let (mut takes, mut usage) = (0, 0);
			for record in System::events() {
				match record.event {
					RuntimeEvent::CapacityMarket(pallet_capacity_market::Event::LeaseSettled {
						take,
						..
					}) => takes += take,
					RuntimeEvent::ClusterRewards(
						pallet_cluster_rewards::Event::GroupRewarded { usage: u, .. },
					) => usage += u,
					_ => {},
				}
			}
			let wealth =
				Balances::total_balance(&alice) + Collateral::pending_rewards(&alice, &alice);
			Outcome { wealth, takes, usage }
		})
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(24))]
		#[test]
		fn attack_wash_trading_for_usage_rewards_never_profits(
			price in 1..(ICNT / 10),
			units in 1u64..=1_024,
			duration in 1u32..=4,
			multiplier in 0u32..=200,
		) {
			let honest = run(price, units, duration, multiplier, false);
			let washing = run(price, units, duration, multiplier, true);
			// The payer's loss (the take: the rest of what it paid came back as HP income) is
			// at least the usage reward its payments generated, exactly.
			prop_assert!(
				washing.takes >= washing.usage,
				"usage {} over the takes {} (price {price}, {units} units, {duration} eras, \
				 multiplier {multiplier})",
				washing.usage,
				washing.takes
			);
			// So it ends no richer than without the self-lease, but for the reward
			// accumulator's rounding, which moves at most one planck per era either way.
			let rounding = Balance::from(duration) + 2;
			prop_assert!(
				washing.wealth <= honest.wealth + rounding,
				"self-leasing gained {} (price {price}, {units} units, {duration} eras, \
				 multiplier {multiplier})",
				washing.wealth - honest.wealth
			);
		}
	}
}
