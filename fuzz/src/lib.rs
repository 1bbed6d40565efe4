//! A fuzzer over the ICN runtime, compiled natively with `try-runtime`: sequences of the five
//! protocol pallets' calls from the dev accounts, applied as real extrinsics through `Executive`
//! in real blocks (Aura slot digest, timestamp inherent, era and round hooks), with the checks of
//! issues 9 and 24:
//!
//! * after every step, `try_state` of every pallet (`AllPalletsWithSystem`, SPEC §9: held =
//!   accounted, indexes, accumulators);
//! * total issuance never changes: emission is paid out of the pre-funded reward pool and
//!   slashes and fees go to the treasury (`runtime/src/configs/monetary.rs`), so no ICNT is minted
//!   or burned;
//! * no block weighs more than its limit (hooks included), and no call reports more weight after
//!   dispatch than it declared before (checked on the raw `PostDispatchInfo`, which `Executive`
//!   would clamp);
//! * no panic.
//!
//! For speed (docs/reliability.md) the state lives in the overlay of an empty trie and no block
//! computes a storage root ([`rootless`]): the blocks are never imported, so the root would check
//! nothing here.
//!
//! A [`Step`] is either a structured call (arguments drawn from small domains so the fuzzer
//! reaches bonded HPs, active nodes, leases, faults and slashes quickly), raw bytes decoded as a
//! `RuntimeCall` (any call of the five pallets with any arguments), the round's oracle reports
//! (signed by the oracles' keys, applied as authorized transactions; the fuzzer picks which
//! outcomes fail), or blocks passing.

mod rootless;

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use codec::{DecodeLimit, Encode};
use icn_primitives::{
	market::Preferences,
	oracle::{FailReason, Outcome},
	passport::PassportKind,
	HardwareClass, ICNT, SLOT_DURATION,
};
use icn_runtime::{
	genesis_config_presets, AllPalletsWithSystem, Balances, Executive, Header, Runtime,
	RuntimeCall, SlaOracle, System, UncheckedExtrinsic,
};
use polkadot_sdk::{
	frame_support::{
		dispatch::{DispatchInfo, GetDispatchInfo},
		storage::{with_transaction, TransactionOutcome},
		traits::{TryState, TryStateSelect, UnfilteredDispatchable},
	},
	frame_system::{self, offchain::CreateAuthorizedTransaction},
	sp_consensus_aura::{Slot, AURA_ENGINE_ID},
	sp_core::{sr25519, Pair},
	sp_genesis_builder::DEV_RUNTIME_PRESET,
	sp_io,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{
		traits::Header as _, BoundedVec, Digest, DigestItem, DispatchError, MultiAddress, Perbill,
		Storage,
	},
};

/// The actors: Alice, Bob and Charlie are HPs with a node each, Alice, Dave and Eve oracles,
/// Ferdie (and everyone) an SP or delegator.
const ACCOUNTS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
];
/// At most this many steps per input, and blocks per `Blocks` step.
const MAX_STEPS: usize = 64;
const MAX_BLOCKS_PER_STEP: u32 = 48;

/// An amount of ICNT in thousandths: up to ~4.3 million ICNT.
fn amount(milli: u32) -> u128 {
	u128::from(milli).saturating_mul(ICNT / 1_000)
}

/// A price per unit per era: up to 6.5 ICNT in ten-thousandths.
fn price(p: u16) -> u128 {
	u128::from(p).saturating_mul(ICNT / 10_000)
}

fn class(c: u8) -> HardwareClass {
	HardwareClass::ALL[usize::from(c) % HardwareClass::ALL.len()]
}

fn account(i: u8) -> polkadot_sdk::sp_runtime::AccountId32 {
	ACCOUNTS[usize::from(i) % ACCOUNTS.len()].to_account_id()
}

/// One step of a fuzz input.
#[derive(Arbitrary, Debug)]
pub enum Step {
	/// A structured call from dev account `who`.
	Call { who: u8, call: Call },
	/// Raw bytes decoded as a `RuntimeCall` from dev account `who`; applied only if it is a call
	/// of the five protocol pallets.
	Raw { who: u8, bytes: Vec<u8> },
	/// Every oracle of the current round reports on its assignments; bit `i` of `fails` (cycling)
	/// makes its `i`-th outcome a failure.
	Reports { fails: u32 },
	/// `1 + n % 48` blocks pass.
	Blocks { n: u8 },
	/// Issue 24's attackers, as whole moves (each asserts its attack fails):
	/// the node's oracles fail it for up to three rounds until it is `Faulty`, then its HP
	/// tries to exit (item 1: refused while the anomaly is open).
	ExitWhileFaulty { node: u8 },
	/// An HP leases its own node: it requests its node's free capacity in its cluster at its
	/// price (item 4; the take and the usage cap keep it from profiting).
	SelfLease { hp: u8, amount: u16, duration: u8 },
	/// An HP sets its commission and, in the same block, claims every node's rewards and its
	/// own (item 5: a raise must not apply to what is credited now).
	CommissionAroundClaims { hp: u8, percent: u8 },
	/// `who` registers a one-unit node at a price of one planck, committed one era, on every
	/// HP passport it holds and has not staked (item 8).
	CheapNodeFlood { who: u8 },
}

/// The protocol pallets' signed calls with arguments from small domains.
#[derive(Arbitrary, Debug)]
pub enum Call {
	TransferPassport {
		passport: u8,
		to: u8,
	},
	Bond {
		milli: u32,
	},
	Unbond {
		milli: u32,
	},
	WithdrawUnbonded,
	SetCommission {
		percent: u8,
	},
	Delegate {
		hp: u8,
		milli: u32,
	},
	Undelegate {
		hp: u8,
		milli: u32,
	},
	WithdrawDelegation {
		hp: u8,
	},
	ClaimRewards {
		hp: u8,
	},
	ApplyPendingSlash {
		hp: u8,
		delegator: u8,
	},
	RegisterNode {
		passport: u8,
		cluster: u8,
		class: u8,
		capacity: u16,
		price: u16,
		eras: u8,
	},
	SetPrice {
		node: u8,
		price: u16,
	},
	SetEndpoint {
		node: u8,
		valid: bool,
	},
	AddCapacity {
		node: u8,
		added: u16,
	},
	ExtendCommitment {
		node: u8,
		end: u16,
	},
	ExitNode {
		node: u8,
	},
	Request {
		cluster: u8,
		class: u8,
		amount: u16,
		duration: u8,
		max_price: u16,
		prefs: (u8, u8, u8),
		partial: bool,
	},
	Settle {
		lease: u8,
	},
	Cancel {
		lease: u8,
	},
	Renew {
		lease: u8,
		duration: u8,
		/// The SP's limit (issue 24: an HP may raise its price first).
		max_price: u16,
	},
	DeregisterOracle,
	/// Registers (again) as an oracle with passport `passport` and the account's oracle key:
	/// with `DeregisterOracle`, the oracle churn of issue 24 (records must survive it).
	RegisterOracle {
		passport: u8,
	},
	ClaimNodeRewards {
		node: u8,
	},
	ClaimOracleRewards,
}

impl Call {
	/// The runtime call `who` makes (read inside the chain's externalities: a node's passport
	/// decides its plot's binding).
	fn into_runtime_call(self, who: u8) -> RuntimeCall {
		use pallet_capacity_market::Call as Market;
		use pallet_cluster_rewards::Call as Rewards;
		use pallet_collateral_delegation::Call as Collateral;
		use pallet_passports::Call as Passports;
		use pallet_sla_oracle::Call as Oracle;
		let percent = |p: u8| Perbill::from_percent(u32::from(p % 101));
		match self {
			Call::TransferPassport { passport, to } => {
				RuntimeCall::Passports(Passports::transfer {
					passport: u32::from(passport % 8),
					dest: MultiAddress::Id(account(to)),
				})
			},
			Call::Bond { milli } => {
				RuntimeCall::Collateral(Collateral::bond { amount: amount(milli) })
			},
			Call::Unbond { milli } => {
				RuntimeCall::Collateral(Collateral::unbond { amount: amount(milli) })
			},
			Call::WithdrawUnbonded => RuntimeCall::Collateral(Collateral::withdraw_unbonded {}),
			Call::SetCommission { percent: p } => {
				RuntimeCall::Collateral(Collateral::set_commission { commission: percent(p) })
			},
			Call::Delegate { hp, milli } => RuntimeCall::Collateral(Collateral::delegate {
				hp: account(hp),
				amount: amount(milli),
			}),
			Call::Undelegate { hp, milli } => RuntimeCall::Collateral(Collateral::undelegate {
				hp: account(hp),
				amount: amount(milli),
			}),
			Call::WithdrawDelegation { hp } => {
				RuntimeCall::Collateral(Collateral::withdraw_delegation { hp: account(hp) })
			},
			Call::ClaimRewards { hp } => {
				RuntimeCall::Collateral(Collateral::claim_rewards { hp: account(hp) })
			},
			Call::ApplyPendingSlash { hp, delegator } => {
				RuntimeCall::Collateral(Collateral::apply_pending_slash {
					hp: account(hp),
					delegator: account(delegator),
				})
			},
			Call::RegisterNode { passport, cluster, class: c, capacity, price: p, eras } => {
				let passport = u32::from(passport % 8);
				let (plot, proof_root) = icn_primitives::pos::declared_plot(
					&account(who).encode(),
					passport,
					u128::from(capacity) << 30,
				);
				RuntimeCall::CapacityMarket(Market::register_node {
					passport,
					cluster: u32::from(cluster % 3),
					class: class(c),
					capacity: u64::from(capacity),
					price: price(p),
					commitment_eras: u32::from(eras),
					endpoint: b"http://127.0.0.1:7100".to_vec(),
					proof_root,
					plot,
				})
			},
			Call::SetPrice { node, price: p } => RuntimeCall::CapacityMarket(Market::set_price {
				node: node.into(),
				price: price(p),
			}),
			Call::SetEndpoint { node, valid } => {
				let passport = pallet_capacity_market::Nodes::<Runtime>::get(u64::from(node))
					.map_or(0, |n| n.passport);
				let (mut plot, _) =
					icn_primitives::pos::declared_plot(&account(who).encode(), passport, u128::MAX);
				plot.nonce = 1;
				let proof_root = plot.bound_root(&account(who).encode(), passport);
				RuntimeCall::CapacityMarket(Market::set_endpoint {
					node: node.into(),
					endpoint: if valid {
						b"https://node.example".to_vec()
					} else {
						b"ftp://x".to_vec()
					},
					proof_root,
					plot,
				})
			},
			Call::AddCapacity { node, added } => {
				RuntimeCall::CapacityMarket(Market::add_capacity {
					node: node.into(),
					added: u64::from(added),
				})
			},
			Call::ExtendCommitment { node, end } => {
				RuntimeCall::CapacityMarket(Market::extend_commitment {
					node: node.into(),
					commitment_end: u32::from(end),
				})
			},
			Call::ExitNode { node } => {
				RuntimeCall::CapacityMarket(Market::exit_node { node: node.into() })
			},
			Call::Request { cluster, class: c, amount: a, duration, max_price, prefs, partial } => {
				RuntimeCall::CapacityMarket(Market::request_capacity {
					cluster: u32::from(cluster % 3),
					class: class(c),
					amount: u64::from(a),
					duration: u32::from(duration % 16),
					max_price: price(max_price),
					preferences: Preferences {
						price: percent(prefs.0),
						reliability: percent(prefs.1),
						commitment: percent(prefs.2),
					},
					allow_partial: partial,
				})
			},
			Call::Settle { lease } => {
				RuntimeCall::CapacityMarket(Market::settle_lease { lease: lease.into() })
			},
			Call::Cancel { lease } => {
				RuntimeCall::CapacityMarket(Market::cancel_lease { lease: lease.into() })
			},
			Call::Renew { lease, duration, max_price } => {
				RuntimeCall::CapacityMarket(Market::renew_lease {
					lease: lease.into(),
					duration: u32::from(duration % 16),
					max_price: price(max_price),
				})
			},
			Call::DeregisterOracle => RuntimeCall::SlaOracle(Oracle::deregister_oracle {}),
			Call::RegisterOracle { passport } => {
				let key = oracle_pair(usize::from(who));
				let proof = (pallet_sla_oracle::POSSESSION_CONTEXT, account(who))
					.using_encoded(|message| key.sign(message));
				RuntimeCall::SlaOracle(Oracle::register_oracle {
					passport: u32::from(passport % 8),
					key: key.public(),
					proof,
				})
			},
			Call::ClaimNodeRewards { node } => {
				RuntimeCall::ClusterRewards(Rewards::claim_node_rewards { node: node.into() })
			},
			Call::ClaimOracleRewards => {
				RuntimeCall::ClusterRewards(Rewards::claim_oracle_rewards {})
			},
		}
	}
}

/// Whether `call` belongs to one of the five protocol pallets.
fn is_protocol_call(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::Passports(_)
			| RuntimeCall::Collateral(_)
			| RuntimeCall::CapacityMarket(_)
			| RuntimeCall::SlaOracle(_)
			| RuntimeCall::ClusterRewards(_)
	)
}

/// The account key of dev account `i` (derived once: derivation costs more than signing).
fn pair(i: usize) -> &'static sr25519::Pair {
	static PAIRS: OnceLock<Vec<sr25519::Pair>> = OnceLock::new();
	&PAIRS.get_or_init(|| ACCOUNTS.iter().map(|k| k.pair()).collect())[i % ACCOUNTS.len()]
}

/// The oracle key of dev account `i`.
fn oracle_pair(i: usize) -> &'static icn_primitives::oracle::crypto::Pair {
	static PAIRS: OnceLock<Vec<icn_primitives::oracle::crypto::Pair>> = OnceLock::new();
	&PAIRS.get_or_init(|| {
		ACCOUNTS
			.iter()
			.map(|k| {
				let seed = format!("//{k}//oracle");
				icn_primitives::oracle::crypto::Pair::from_string(&seed, None)
					.unwrap_or_else(|e| panic!("oracle seed {seed}: {e:?}"))
			})
			.collect()
	})[i % ACCOUNTS.len()]
}

/// The chain the fuzzer drives: the block being built and what the checks compare against.
pub struct Chain {
	number: u32,
	issuance: u128,
	genesis: polkadot_sdk::sp_core::H256,
}

impl Chain {
	fn start_block(&mut self, parent: polkadot_sdk::sp_core::H256) {
		self.number = self.number.saturating_add(1);
		// Slot = block number: Aura wants increasing slots and the timestamp on the slot.
		let slot = u64::from(self.number);
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())],
		};
		let header =
			Header::new(self.number, Default::default(), Default::default(), parent, digest);
		Executive::initialize_block(&header);
		let now = RuntimeCall::Timestamp(polkadot_sdk::pallet_timestamp::Call::set {
			now: slot.saturating_mul(SLOT_DURATION),
		});
		let applied = Executive::apply_extrinsic(UncheckedExtrinsic::new_bare(now));
		assert!(matches!(applied, Ok(Ok(()))), "timestamp inherent: {applied:?}");
	}

	/// Every pallet's `try_state` (SPEC §9) on the state now: after every step, not every block
	/// (it reads all of the state, and was most of a step's time).
	fn check_state(&self) {
		if let Err(e) = AllPalletsWithSystem::try_state(self.number, TryStateSelect::All) {
			panic!("try_state failed in block {}: {e:?}", self.number);
		}
	}

	/// Finalizes the block and checks its weight and the issuance.
	fn end_block(&mut self) -> polkadot_sdk::sp_core::H256 {
		let header = Executive::finalize_block();
		check_block_weight();
		assert_eq!(
			Balances::total_issuance(),
			self.issuance,
			"total issuance changed in block {}",
			self.number
		);
		header.hash()
	}

	fn next_block(&mut self) {
		let parent = self.end_block();
		self.start_block(parent);
	}

	/// Applies `call` signed by dev account `who`, as the block author would: a call that does
	/// not fit the block goes into the next one.
	fn apply_signed(&mut self, who: usize, call: RuntimeCall) {
		let keyring = ACCOUNTS[who % ACCOUNTS.len()];
		check_declared_weight(&call, keyring.to_account_id());
		for _ in 0..2 {
			let nonce = System::account_nonce(keyring.to_account_id());
			let xt =
				icn_runtime::signing::sign_immortal(pair(who), nonce, self.genesis, call.clone());
			match Executive::apply_extrinsic(xt) {
				Err(e) if e.exhausted_resources() => self.next_block(),
				_ => return,
			}
		}
	}

	/// Every oracle of the round reports on its assignments, signed by its key.
	fn reports(&mut self, fails: u32) {
		let round = pallet_sla_oracle::CurrentRound::<Runtime>::get();
		let mut bit = 0u32;
		// Every dev account that is an oracle of the round (the fuzzer may register more).
		for i in 0..ACCOUNTS.len() {
			let oracle = ACCOUNTS[i].to_account_id();
			let assigned = SlaOracle::assignments(&oracle);
			if assigned.is_empty() {
				continue;
			}
			let mut outcomes = Vec::new();
			for node in assigned {
				let failed = fails.rotate_right(bit) & 1 == 1;
				bit = bit.wrapping_add(1);
				let outcome = if failed {
					Outcome::Fail(FailReason::Timeout)
				} else {
					Outcome::Pass { latency_ms: 20 }
				};
				outcomes.push((node, outcome));
			}
			let Ok(outcomes) = BoundedVec::try_from(outcomes) else { continue };
			// Honest beacons (issue 24 item 10): reveal what was committed, commit to the next.
			let secret =
				|r: u32| sp_io::hashing::blake2_256(&(b"fuzz secret", i as u32, r).encode());
			let due = pallet_sla_oracle::Commitments::<Runtime>::get(&oracle)
				.is_some_and(|(r, _)| r == round.info.index);
			let beacon = pallet_sla_oracle::Beacon {
				reveal: due.then(|| secret(round.info.index)),
				commit: pallet_sla_oracle::commitment(&secret(round.info.index + 1)),
			};
			let report =
				pallet_sla_oracle::Report { round: round.info.index, oracle, outcomes, beacon };
			let signature = report.using_encoded(|bytes| oracle_pair(i).sign(bytes));
			let call = RuntimeCall::SlaOracle(pallet_sla_oracle::Call::submit_reports {
				report,
				signature,
			});
			let xt = <Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_authorized_transaction(call);
			if let Err(e) = Executive::apply_extrinsic(xt) {
				if e.exhausted_resources() {
					self.next_block();
				}
			}
		}
	}
}

/// The raw post-dispatch weight of `call` from `who` (dispatched in a storage transaction that is
/// rolled back) is at most what it declared before dispatch.
fn check_declared_weight(call: &RuntimeCall, who: polkadot_sdk::sp_runtime::AccountId32) {
	let declared: DispatchInfo = call.get_dispatch_info();
	let origin = frame_system::RawOrigin::Signed(who);
	let _ = with_transaction(|| -> TransactionOutcome<Result<(), DispatchError>> {
		let post = match call.clone().dispatch_bypass_filter(origin.into()) {
			Ok(post) => post,
			Err(e) => e.post_info,
		};
		if let Some(actual) = post.actual_weight {
			assert!(
				actual.all_lte(declared.call_weight),
				"{call:?} reported {actual:?} after dispatch, declared {:?}",
				declared.call_weight
			);
		}
		TransactionOutcome::Rollback(Ok(()))
	});
}

/// The block (inherents, extrinsics and hooks) fits the runtime's limits.
fn check_block_weight() {
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let consumed = frame_system::BlockWeight::<Runtime>::get();
	assert!(
		consumed.total().all_lte(limits.max_block),
		"block weighs {:?}, the limit is {:?}",
		consumed.total(),
		limits.max_block
	);
}

/// The dev chain after the fuzzer's setup (in blocks 1–2): passports for Bob and Charlie (HP)
/// and Dave and Eve (oracle); oracles Alice, Dave and Eve registered with their keys; Alice, Bob
/// and Charlie bonded with one 1,024-unit storage node each in cluster 0.
fn setup_state() -> &'static Storage {
	static STATE: OnceLock<Storage> = OnceLock::new();
	STATE.get_or_init(|| {
		let mut ext = genesis();
		ext.execute_with(|| {
			let mut chain = Chain::new();
			chain.start_block(frame_system::BlockHash::<Runtime>::get(0));
			let sudo = |call: RuntimeCall| {
				RuntimeCall::Sudo(polkadot_sdk::pallet_sudo::Call::sudo { call: Box::new(call) })
			};
			// Passports 2, 3 (HP) and 4, 5 (oracle); the dev preset gave Alice 0 (HP), 1 (oracle).
			for (who, kind) in [
				(1, PassportKind::HardwareProvider),
				(2, PassportKind::HardwareProvider),
				(3, PassportKind::Oracle),
				(4, PassportKind::Oracle),
			] {
				let mint = RuntimeCall::Passports(pallet_passports::Call::mint {
					owner: MultiAddress::Id(ACCOUNTS[who].to_account_id()),
					kind,
					metadata: BoundedVec::default(),
				});
				chain.apply_expecting_success(0, sudo(mint));
			}
			for (i, passport) in [(0usize, 1u32), (3, 4), (4, 5)] {
				let who = ACCOUNTS[i].to_account_id();
				let key = oracle_pair(i);
				let proof = (pallet_sla_oracle::POSSESSION_CONTEXT, &who)
					.using_encoded(|message| key.sign(message));
				let register = RuntimeCall::SlaOracle(pallet_sla_oracle::Call::register_oracle {
					passport,
					key: key.public(),
					proof,
				});
				chain.apply_expecting_success(i, register);
			}
			for (i, passport) in [(0usize, 0u32), (1, 2), (2, 3)] {
				let bond = RuntimeCall::Collateral(pallet_collateral_delegation::Call::bond {
					amount: 50_000 * ICNT,
				});
				chain.apply_expecting_success(i, bond);
				let (plot, proof_root) = icn_primitives::pos::declared_plot(
					&ACCOUNTS[i].to_account_id().encode(),
					passport,
					1_024 << 30,
				);
				let register =
					RuntimeCall::CapacityMarket(pallet_capacity_market::Call::register_node {
						passport,
						cluster: 0,
						class: HardwareClass::Storage,
						capacity: 1_024,
						price: ICNT / 100,
						commitment_eras: 30,
						endpoint: b"http://127.0.0.1:7100".to_vec(),
						proof_root,
						plot,
					});
				chain.apply_expecting_success(i, register);
			}
			chain.end_block();
		});
		snapshot(&mut ext)
	})
}

/// The dev preset's genesis, built as the node builds it.
fn genesis() -> sp_io::TestExternalities {
	genesis_config_presets::preset_externalities(&DEV_RUNTIME_PRESET.into())
		.expect("the dev preset builds")
}

/// Every key and value of `ext`'s state.
fn snapshot(ext: &mut sp_io::TestExternalities) -> Storage {
	ext.execute_with(|| {
		let mut top = std::collections::BTreeMap::new();
		let mut key = Vec::new();
		while let Some(next) = sp_io::storage::next_key(&key) {
			if let Some(value) = sp_io::storage::get(&next) {
				top.insert(next.clone(), value.to_vec());
			}
			key = next;
		}
		Storage { top, children_default: Default::default() }
	})
}

impl Chain {
	/// The chain at the state of the last finalized block.
	fn new() -> Self {
		Chain {
			number: System::block_number(),
			issuance: Balances::total_issuance(),
			genesis: frame_system::BlockHash::<Runtime>::get(0),
		}
	}

	fn apply_expecting_success(&mut self, who: usize, call: RuntimeCall) {
		let keyring = ACCOUNTS[who];
		let nonce = System::account_nonce(keyring.to_account_id());
		let xt = icn_runtime::signing::sign_immortal(pair(who), nonce, self.genesis, call);
		let applied = Executive::apply_extrinsic(xt);
		assert!(matches!(applied, Ok(Ok(()))), "setup call failed: {applied:?}");
	}
}

/// Runs one fuzz input: `steps` from the setup state, every block checked.
pub fn run(steps: Vec<Step>) {
	// The setup state goes into the overlay of an empty trie: every read is then a map lookup
	// (a trie read decodes a path of nodes; reads were half the time once no root was computed).
	let mut ext = sp_io::TestExternalities::new(Storage::default());
	rootless::execute_with(&mut ext, || {
		for (key, value) in &setup_state().top {
			sp_io::storage::set(key, value);
		}
		let mut chain = Chain::new();
		let parent = frame_system::BlockHash::<Runtime>::get(chain.number);
		chain.start_block(parent);
		for step in steps.into_iter().take(MAX_STEPS) {
			// A step that did nothing (raw bytes that are no protocol call) needs no check.
			if chain.step(step) {
				chain.check_state();
			}
		}
		chain.end_block();
	});
}

impl Chain {
	/// Applies `step`; `false` if it was raw bytes that decode to no protocol call.
	fn step(&mut self, step: Step) -> bool {
		match step {
			Step::Call { who, call } => {
				self.apply_signed(usize::from(who), call.into_runtime_call(who))
			},
			Step::Raw { who, bytes } => {
				let Ok(call) = RuntimeCall::decode_with_depth_limit(8, &mut bytes.as_slice())
				else {
					return false;
				};
				if !is_protocol_call(&call) {
					return false;
				}
				self.apply_signed(usize::from(who), call);
			},
			Step::Reports { fails } => self.reports(fails),
			Step::Blocks { n } => {
				for _ in 0..1 + u32::from(n) % MAX_BLOCKS_PER_STEP {
					self.next_block();
				}
			},
			Step::ExitWhileFaulty { node } => self.exit_while_faulty(node.into()),
			Step::SelfLease { hp, amount, duration } => self.self_lease(hp, amount, duration),
			Step::CommissionAroundClaims { hp, percent } => {
				self.commission_around_claims(hp, percent)
			},
			Step::CheapNodeFlood { who } => self.cheap_node_flood(who),
		}
		true
	}
}

/// The dev account index of `who`, if it is one.
fn index_of(who: &polkadot_sdk::sp_runtime::AccountId32) -> Option<usize> {
	ACCOUNTS.iter().position(|k| &k.to_account_id() == who)
}

impl Chain {
	/// Blocks pass until the next round starts.
	fn next_round(&mut self) {
		let round = pallet_sla_oracle::CurrentRound::<Runtime>::get().info.index;
		for _ in 0..64 {
			self.next_block();
			if pallet_sla_oracle::CurrentRound::<Runtime>::get().info.index != round {
				return;
			}
		}
	}

	fn exit_while_faulty(&mut self, node: u64) {
		use icn_primitives::market::NodeStatus;
		let Some(hp) = pallet_capacity_market::Nodes::<Runtime>::get(node).map(|n| n.hp) else {
			return;
		};
		let Some(who) = index_of(&hp) else { return };
		let status = || pallet_capacity_market::Nodes::<Runtime>::get(node).map(|n| n.status);
		for _ in 0..3 {
			if matches!(status(), Some(NodeStatus::Faulty | NodeStatus::Slashing)) {
				break;
			}
			self.reports(u32::MAX);
			if !matches!(status(), Some(NodeStatus::Faulty | NodeStatus::Slashing)) {
				self.next_round();
			}
		}
		let before = status();
		self.apply_signed(
			who,
			RuntimeCall::CapacityMarket(pallet_capacity_market::Call::exit_node { node }),
		);
		if matches!(before, Some(NodeStatus::Faulty | NodeStatus::Slashing)) {
			assert!(
				!matches!(status(), Some(NodeStatus::Retired) | None),
				"node {node} under an anomaly exited"
			);
		}
	}

	fn self_lease(&mut self, hp: u8, amount: u16, duration: u8) {
		use icn_primitives::market::NodeStatus;
		let who = account(hp);
		let Some(n) = pallet_capacity_market::Nodes::<Runtime>::iter_values()
			.find(|n| n.hp == who && n.status == NodeStatus::Active && n.free() > 0)
		else {
			return;
		};
		let call = RuntimeCall::CapacityMarket(pallet_capacity_market::Call::request_capacity {
			cluster: n.cluster,
			class: n.class,
			amount: u64::from(amount).clamp(1, n.free()),
			duration: 1 + u32::from(duration % 8),
			max_price: n.price,
			preferences: Preferences {
				price: Perbill::one(),
				reliability: Perbill::zero(),
				commitment: Perbill::zero(),
			},
			allow_partial: true,
		});
		self.apply_signed(usize::from(hp), call);
	}

	fn commission_around_claims(&mut self, hp: u8, percent: u8) {
		use pallet_collateral_delegation::Event as CollateralEvent;
		let who = account(hp);
		let Some(before) = icn_runtime::Collateral::collateral_info(&who).map(|i| i.commission)
		else {
			return;
		};
		let commission = Perbill::from_percent(u32::from(percent % 101));
		// Only this move's credits (a block may hold earlier moves' at other rates).
		let (block, first) = (self.number, System::event_count() as usize);
		self.apply_signed(
			usize::from(hp),
			RuntimeCall::Collateral(pallet_collateral_delegation::Call::set_commission {
				commission,
			}),
		);
		let nodes: Vec<u64> = pallet_capacity_market::Nodes::<Runtime>::iter()
			.filter(|(_, n)| n.hp == who)
			.map(|(id, _)| id)
			.collect();
		for node in nodes {
			self.apply_signed(
				usize::from(hp),
				RuntimeCall::ClusterRewards(pallet_cluster_rewards::Call::claim_node_rewards {
					node,
				}),
			);
		}
		// What was credited now was earned under the commission before: a raise waits out its
		// notice (SPEC §3.9), a cut applies at once (so the rate before bounds both).
		let rate = before;
		// (A move that spilled into another block may have crossed an era, where a raise set
		// eras ago applies: it is not judged.)
		let events = if self.number == block { System::events() } else { Vec::new() };
		for record in events.into_iter().skip(first) {
			if let icn_runtime::RuntimeEvent::Collateral(CollateralEvent::RewardCredited {
				hp: credited,
				amount,
				commission: taken,
				..
			}) = record.event
			{
				if credited == who {
					assert!(
						taken <= rate.mul_ceil(amount),
						"credited {amount} at {taken} commission, above the rate before ({rate:?})"
					);
				}
			}
		}
		self.apply_signed(
			usize::from(hp),
			RuntimeCall::Collateral(pallet_collateral_delegation::Call::claim_rewards { hp: who }),
		);
	}

	fn cheap_node_flood(&mut self, who: u8) {
		let owner = account(who);
		let passports: Vec<u32> = pallet_passports::Passports::<Runtime>::iter()
			.filter(|(_, p)| {
				p.owner == owner
					&& p.kind == PassportKind::HardwareProvider
					&& p.staked_for.is_none()
			})
			.map(|(id, _)| id)
			.collect();
		for passport in passports {
			let (plot, proof_root) =
				icn_primitives::pos::declared_plot(&owner.encode(), passport, 1 << 30);
			let call = RuntimeCall::CapacityMarket(pallet_capacity_market::Call::register_node {
				passport,
				cluster: 0,
				class: HardwareClass::Storage,
				capacity: 1,
				price: 1,
				commitment_eras: 1,
				endpoint: b"http://127.0.0.1:7100".to_vec(),
				proof_root,
				plot,
			});
			self.apply_signed(usize::from(who), call);
		}
	}
}
