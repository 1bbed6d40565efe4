//! Unit tests of clusters, node registration and management, the candidate index and the node
//! state machine. Every test ends by checking the pallet's invariants.

use crate::{mock::*, *};
use icn_primitives::passport::PassportInspect;
use polkadot_sdk::sp_runtime::{BuildStorage, DispatchResult, Perbill};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

const STORAGE: HardwareClass = HardwareClass::Storage;

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		assert_ok!(Market::do_try_state());
	});
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Market(e) => Some(e),
			_ => None,
		})
		.last()
		.expect("a market event")
}

/// Whether the market emitted `event` in this test.
fn emitted(event: Event<Test>) -> bool {
	System::events().iter().any(|r| r.event == RuntimeEvent::Market(event.clone()))
}

fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Cluster 0 (`eu-central-1`, storage and GPU) and HP bonded.
fn setup() {
	assert_ok!(Market::create_cluster(
		RuntimeOrigin::root(),
		b"eu-central-1".to_vec(),
		vec![HardwareClass::Storage, HardwareClass::Gpu],
	));
	assert_ok!(Collateral::bond(origin(HP), 1_000_000));
	assert_ok!(Collateral::bond(origin(HP2), 1_000_000));
}

/// A plot bound to `hp`'s `passport`, declared as large as the format allows (256 TiB), so
/// that coverage never decides a test that is not about it.
fn big_plot(hp: u64, passport: u32) -> (Plot, [u8; 32]) {
	icn_primitives::pos::declared_plot(&hp.encode(), passport, u128::MAX)
}

/// A plot bound to `hp`'s `passport` that covers exactly `capacity` GiB at the current coverage.
fn exact_plot(hp: u64, passport: u32, capacity: u64) -> (Plot, [u8; 32]) {
	let bytes = ProofCoverage::<Test>::get().mul_ceil(u128::from(capacity) * GIB);
	icn_primitives::pos::declared_plot(&hp.encode(), passport, bytes)
}

/// `plot` with another nonce (another plot for the same passport), and its root.
fn renonce((plot, _): (Plot, [u8; 32]), hp: u64, passport: u32, nonce: u64) -> (Plot, [u8; 32]) {
	let plot = Plot { nonce, ..plot };
	(plot, plot.bound_root(&hp.encode(), passport))
}

fn register(hp: u64, passport: u32, capacity: u64, price: Balance) -> NodeId {
	register_for(hp, passport, capacity, price, 10)
}

/// Registers a storage node in cluster 0 committed for `commitment` eras.
fn register_for(hp: u64, passport: u32, capacity: u64, price: Balance, commitment: u32) -> NodeId {
	let id = NextNodeId::<Test>::get();
	let (plot, root) = big_plot(hp, passport);
	assert_ok!(Market::register_node(
		origin(hp),
		passport,
		0,
		STORAGE,
		capacity,
		price,
		commitment,
		b"https://agent.example:8080".to_vec(),
		root,
		plot,
	));
	id
}

fn node(id: NodeId) -> NodeOf<Test> {
	Nodes::<Test>::get(id).expect("node exists")
}

#[test]
fn endpoints_must_be_http_urls_with_a_host() {
	for ok in [&b"http://1.2.3.4:9000"[..], b"https://agent.example/v1", b"http://h"] {
		assert!(valid_endpoint(ok), "{}", String::from_utf8_lossy(ok));
	}
	for bad in [
		&b""[..],
		b"http://",
		b"https://",
		b"ftp://host",
		b"http:/host",
		b"https:///path",
		b"http://host name",
		b"http://host\n",
		"http://h\u{f6}st".as_bytes(),
	] {
		assert!(!valid_endpoint(bad), "{}", String::from_utf8_lossy(bad));
	}
}

/// The subsidy pays proven units only (issue 24's review of the per-unit subsidy): a storage
/// plot proves what `plot_covers` would accept of it, at most the capacity; compute classes
/// prove nothing until their proofs exist; a plot of a shape no oracle can check proves nothing.
#[test]
fn a_plot_proves_the_units_it_covers_and_compute_classes_none() {
	let half = Perbill::from_percent(50);
	let (plot, _) = icn_primitives::pos::declared_plot(&1u64.encode(), 0, 5 * GIB);
	let proven = plot_proves(&plot, STORAGE, 1_000, half);
	assert_eq!(u128::from(proven), u128::from(plot.bytes()) * 2 / GIB);
	assert!(plot_covers(&plot, STORAGE, proven, half));
	assert!(!plot_covers(&plot, STORAGE, proven + 1, half), "the most it covers");
	assert_eq!(plot_proves(&plot, STORAGE, 3, half), 3, "never more than the capacity");
	assert_eq!(plot_proves(&plot, STORAGE, 1_000, Perbill::zero()), 1_000);
	for class in [HardwareClass::Gpu, HardwareClass::Cpu] {
		assert_eq!(plot_proves(&plot, class, 1_000, half), 0);
	}
	assert_eq!(plot_proves(&Plot::default(), STORAGE, 1_000, half), 0, "an unverifiable plot");
	// Through the directory the rewards pallet reads: a registered node's plot.
	test(|| {
		setup();
		let node = register(HP, 0, 100, 5);
		let proven = || {
			<Market as icn_primitives::market::NodeDirectory<u64>>::target(node).map(|t| t.proven)
		};
		assert_eq!(proven(), Some(100));
		// The review's attack: re-plot smaller (once leases hold capacity) after the node was
		// weighed on a large plot. The rewards pallet hears of every new plot, so the subsidy
		// follows the plot the node holds now.
		let _ = MockHooks::take();
		let (plot, root) = renonce(exact_plot(HP, 0, 100), HP, 0, 9);
		assert_ok!(Market::set_endpoint(origin(HP), node, b"http://h".to_vec(), root, plot));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(node)]);
		assert_eq!(proven(), Some(100));
	});
}

#[test]
fn sort_keys_order_by_price_then_node() {
	let keys = [
		SortKey::new(5, 9),
		SortKey::new(5, 10),
		SortKey::new(6, 0),
		SortKey::new(256, 1),
		SortKey::new(u128::MAX, 0),
	];
	let mut raw: Vec<[u8; 24]> = keys.iter().map(|k| k.0).collect();
	raw.sort();
	assert_eq!(raw, keys.iter().map(|k| k.0).collect::<Vec<_>>());
	assert_eq!(SortKey::new(256, 1).decode_parts(), (256, 1));
}

#[test]
fn governance_creates_clusters() {
	test(|| {
		assert_noop!(
			Market::create_cluster(origin(HP), b"eu".to_vec(), vec![STORAGE]),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Market::create_cluster(RuntimeOrigin::root(), vec![], vec![STORAGE]),
			Error::<Test>::BadRegion
		);
		assert_noop!(
			Market::create_cluster(RuntimeOrigin::root(), vec![b'x'; 17], vec![STORAGE]),
			Error::<Test>::BadRegion
		);
		assert_noop!(
			Market::create_cluster(RuntimeOrigin::root(), b"eu".to_vec(), vec![]),
			Error::<Test>::BadClasses
		);
		assert_noop!(
			Market::create_cluster(RuntimeOrigin::root(), b"eu".to_vec(), vec![STORAGE, STORAGE]),
			Error::<Test>::BadClasses
		);
		assert_ok!(Market::create_cluster(
			RuntimeOrigin::root(),
			b"us-east-1".to_vec(),
			vec![HardwareClass::Gpu, STORAGE]
		));
		let cluster = Clusters::<Test>::get(0).expect("created");
		assert_eq!(cluster.region.to_vec(), b"us-east-1".to_vec());
		assert_eq!(cluster.classes.to_vec(), vec![STORAGE, HardwareClass::Gpu]);
		assert_eq!(NextClusterId::<Test>::get(), 1);
		assert!(matches!(last_event(), Event::ClusterCreated { cluster: 0, .. }));
	});
}

#[test]
fn genesis_creates_the_listed_clusters_in_order() {
	let config = GenesisConfig::<Test> {
		clusters: vec![
			(b"eu-central-1".to_vec(), vec![HardwareClass::Gpu, STORAGE]),
			(b"us-east-1".to_vec(), vec![HardwareClass::Cpu]),
		],
		proof_coverage: Some(Perbill::from_percent(50)),
		_config: Default::default(),
	};
	let mut ext: polkadot_sdk::sp_io::TestExternalities =
		config.build_storage().expect("valid clusters build").into();
	ext.execute_with(|| {
		assert_eq!(NextClusterId::<Test>::get(), 2);
		let eu = Clusters::<Test>::get(0).expect("cluster 0");
		assert_eq!(eu.region.to_vec(), b"eu-central-1".to_vec());
		assert_eq!(eu.classes.to_vec(), vec![STORAGE, HardwareClass::Gpu]);
		assert!(Clusters::<Test>::get(1).is_some());
		assert_eq!(ProofCoverage::<Test>::get(), Perbill::from_percent(50));
	});
	// Without a coverage in the genesis, plots cover all of a node's free capacity.
	let mut full: polkadot_sdk::sp_io::TestExternalities =
		GenesisConfig::<Test>::default().build_storage().expect("builds").into();
	full.execute_with(|| assert_eq!(ProofCoverage::<Test>::get(), Perbill::one()));
}

#[test]
#[should_panic(expected = "genesis cluster")]
fn genesis_refuses_an_invalid_cluster() {
	let config = GenesisConfig::<Test> {
		clusters: vec![(b"eu".to_vec(), vec![])],
		proof_coverage: None,
		_config: Default::default(),
	};
	let _ = config.build_storage();
}

#[test]
fn register_node_stakes_the_passport_and_commits_collateral() {
	test(|| {
		setup();
		let id = register(HP, 0, 500, 3);
		let n = node(id);
		assert_eq!((n.hp, n.passport, n.capacity, n.price), (HP, 0, 500, 3));
		assert_eq!(n.status, NodeStatus::Pending);
		assert_eq!(n.commitment_end, 10);
		assert_eq!((n.proof_root, n.plot), (big_plot(HP, 0).1, big_plot(HP, 0).0));
		assert_eq!(PlotRoots::<Test>::get(n.proof_root), Some(id));
		assert_eq!(Passports::use_of(0), Some(PassportUse::HardwareNode(id)));
		assert_eq!(pallet_collateral_delegation::Committed::<Test>::get(HP, STORAGE), 500);
		assert!(NodesByHp::<Test>::contains_key(HP, id));
		// Pending nodes take no leases: not in the index.
		assert!(Market::candidates(0, STORAGE, 10).is_empty());
		assert_eq!(
			last_event(),
			Event::NodeRegistered { node: id, hp: HP, cluster: 0, class: STORAGE, capacity: 500 }
		);
	});
}

#[test]
fn register_node_rejects_bad_input_and_changes_nothing() {
	test(|| {
		setup();
		let call = |passport: u32,
		            cluster: ClusterId,
		            class: HardwareClass,
		            capacity: u64,
		            price: Balance,
		            commitment: u32,
		            endpoint: &[u8]| {
			let (plot, root) = big_plot(HP, passport);
			Market::register_node(
				origin(HP),
				passport,
				cluster,
				class,
				capacity,
				price,
				commitment,
				endpoint.to_vec(),
				root,
				plot,
			)
		};
		let url = b"http://agent:1";
		assert_noop!(call(0, 9, STORAGE, 1, 1, 10, url), Error::<Test>::UnknownCluster);
		assert_noop!(
			call(0, 0, HardwareClass::Cpu, 1, 1, 10, url),
			Error::<Test>::ClassNotAccepted
		);
		assert_noop!(call(0, 0, STORAGE, 0, 1, 10, url), Error::<Test>::ZeroCapacity);
		assert_noop!(call(0, 0, STORAGE, 1, 0, 10, url), Error::<Test>::ZeroPrice);
		assert_noop!(call(0, 0, STORAGE, 1, 1, 4, url), Error::<Test>::CommitmentTooShort);
		assert_noop!(call(0, 0, STORAGE, 1, 1, 10, &[b'h'; 65]), Error::<Test>::EndpointTooLong);
		assert_noop!(call(0, 0, STORAGE, 1, 1, 10, b"ftp://agent"), Error::<Test>::InvalidEndpoint);
		System::set_block_number(u64::from(ERA_LENGTH)); // era 1: era + u32::MAX overflows
		assert_noop!(call(0, 0, STORAGE, 1, 1, u32::MAX, url), Error::<Test>::Overflow);
		// Passport checks come from the passports pallet, through the trait.
		assert_noop!(call(4, 0, STORAGE, 1, 1, 10, url), pallet_passports::Error::<Test>::NotOwner);
		assert_noop!(
			call(3, 0, STORAGE, 1, 1, 10, url),
			pallet_passports::Error::<Test>::WrongKind
		);
		assert_noop!(
			call(99, 0, STORAGE, 1, 1, 10, url),
			pallet_passports::Error::<Test>::PassportNotFound
		);
		register(HP, 0, 10, 1);
		// Passport 0 backs node 0: another plot for it (nonce 1) is refused by the passports
		// pallet. (The same plot again is refused first: `plots::attack_reuse_of_a_registered_root`.)
		let (other, other_root) = renonce(big_plot(HP, 0), HP, 0, 1);
		assert_noop!(
			Market::register_node(
				origin(HP),
				0,
				0,
				STORAGE,
				1,
				1,
				10,
				url.to_vec(),
				other_root,
				other
			),
			pallet_passports::Error::<Test>::PassportStaked
		);
		// Collateral checks come from the collateral pallet: far more capacity than the bond
		// covers (S = 1 per GiB).
		assert_noop!(
			call(1, 0, STORAGE, 2_000_000, 1, 10, url),
			pallet_collateral_delegation::Error::<Test>::InsufficientCollateral
		);
	});
}

#[test]
fn the_index_lists_active_nodes_with_free_capacity_by_price_then_id() {
	test(|| {
		setup();
		let a = register(HP, 0, 100, 5);
		let b = register(HP, 1, 100, 3);
		let c = register(HP2, 4, 100, 5);
		let d = register(HP, 2, 100, 9);
		for id in [a, b, c, d] {
			assert_ok!(Market::set_status(id, NodeStatus::Active));
		}
		assert_eq!(Market::candidates(0, STORAGE, 10), vec![b, a, c, d]);
		assert_eq!(Market::candidates(0, STORAGE, 2), vec![b, a]);
		assert_eq!(FreeCapacity::<Test>::get((0, STORAGE)), 400);
		// A price change moves the node.
		assert_ok!(Market::set_price(origin(HP), d, 1));
		assert_eq!(Market::candidates(0, STORAGE, 10), vec![d, b, a, c]);
		assert_eq!(last_event(), Event::PriceSet { node: d, price: 1 });
		// A faulty node leaves the index; recovering brings it back.
		assert_ok!(Market::set_status(a, NodeStatus::Faulty));
		assert_eq!(Market::candidates(0, STORAGE, 10), vec![d, b, c]);
		assert_eq!(FreeCapacity::<Test>::get((0, STORAGE)), 300);
		assert_ok!(Market::set_status(a, NodeStatus::Active));
		assert_eq!(Market::candidates(0, STORAGE, 10), vec![d, b, a, c]);
		// Other classes and clusters have their own index.
		assert!(Market::candidates(0, HardwareClass::Gpu, 10).is_empty());
		assert!(Market::candidates(1, STORAGE, 10).is_empty());
	});
}

#[test]
fn the_state_machine_allows_only_spec_transitions() {
	test(|| {
		setup();
		let id = register(HP, 0, 100, 5);
		assert_noop!(Market::set_status(id, NodeStatus::Faulty), Error::<Test>::IllegalTransition);
		assert_noop!(
			Market::set_status(id, NodeStatus::Slashing),
			Error::<Test>::IllegalTransition
		);
		assert_noop!(Market::set_status(99, NodeStatus::Active), Error::<Test>::UnknownNode);
		assert_ok!(Market::set_status(id, NodeStatus::Active));
		assert_eq!(
			last_event(),
			Event::StatusChanged { node: id, from: NodeStatus::Pending, to: NodeStatus::Active }
		);
		assert_noop!(
			Market::set_status(id, NodeStatus::Slashing),
			Error::<Test>::IllegalTransition
		);
		assert_ok!(Market::set_status(id, NodeStatus::Faulty));
		assert_ok!(Market::set_status(id, NodeStatus::Slashing));
		assert_eq!(Market::status(id), Some(NodeStatus::Slashing));
		// Retiring (e.g. forced by the SLA oracle) releases collateral and the passport.
		assert_ok!(Market::set_status(id, NodeStatus::Retired));
		assert_eq!(Market::status(id), None);
		assert_eq!(Passports::use_of(0), None);
		assert_eq!(pallet_collateral_delegation::Committed::<Test>::get(HP, STORAGE), 0);
	});
}

#[test]
fn hps_manage_their_nodes() {
	test(|| {
		setup();
		let id = register(HP, 0, 100, 5);
		assert_ok!(Market::set_status(id, NodeStatus::Active));

		let old_root = node(id).proof_root;
		let (plot, root) = exact_plot(HP, 0, 100);
		assert_ok!(Market::set_endpoint(origin(HP), id, b"http://new:1".to_vec(), root, plot));
		assert_eq!(node(id).endpoint.to_vec(), b"http://new:1".to_vec());
		assert_eq!((node(id).proof_root, node(id).plot), (root, plot));
		assert_eq!(PlotRoots::<Test>::get(root), Some(id));
		assert_eq!(PlotRoots::<Test>::get(old_root), None);
		assert_eq!(last_event(), Event::EndpointSet { node: id, proof_root: root });
		let (plot, root) = big_plot(HP, 0);
		assert_ok!(Market::set_endpoint(origin(HP), id, b"http://new:1".to_vec(), root, plot));

		assert_ok!(Market::add_capacity(origin(HP), id, 50));
		assert_eq!(node(id).capacity, 150);
		assert_eq!(FreeCapacity::<Test>::get((0, STORAGE)), 150);
		assert_eq!(pallet_collateral_delegation::Committed::<Test>::get(HP, STORAGE), 150);
		assert_eq!(last_event(), Event::CapacityAdded { node: id, added: 50, capacity: 150 });

		assert_ok!(Market::extend_commitment(origin(HP), id, 20));
		assert_eq!(node(id).commitment_end, 20);
		assert_eq!(last_event(), Event::CommitmentExtended { node: id, commitment_end: 20 });
	});
}

#[test]
fn node_management_rejects_bad_input_and_changes_nothing() {
	test(|| {
		setup();
		let id = register(HP, 0, 100, 5);
		assert_noop!(Market::set_price(origin(HP2), id, 1), Error::<Test>::NotNodeOwner);
		assert_noop!(Market::set_price(origin(HP), 99, 1), Error::<Test>::UnknownNode);
		assert_noop!(Market::set_price(origin(HP), id, 0), Error::<Test>::ZeroPrice);
		assert_noop!(
			Market::set_endpoint(
				origin(HP),
				id,
				b"gopher://x".to_vec(),
				big_plot(HP, 0).1,
				big_plot(HP, 0).0
			),
			Error::<Test>::InvalidEndpoint
		);
		assert_noop!(
			Market::set_endpoint(
				origin(HP2),
				id,
				b"http://x".to_vec(),
				big_plot(HP2, 0).1,
				big_plot(HP2, 0).0
			),
			Error::<Test>::NotNodeOwner
		);
		assert_noop!(Market::add_capacity(origin(HP), id, 0), Error::<Test>::ZeroCapacity);
		assert_noop!(Market::add_capacity(origin(HP), id, u64::MAX), Error::<Test>::Overflow);
		assert_noop!(
			Market::add_capacity(origin(HP), id, 5_000_000),
			pallet_collateral_delegation::Error::<Test>::InsufficientCollateral
		);
		assert_noop!(
			Market::extend_commitment(origin(HP), id, 10),
			Error::<Test>::CommitmentNotExtended
		);
		assert_noop!(Market::exit_node(origin(HP2), id), Error::<Test>::NotNodeOwner);
		assert_noop!(Market::exit_node(origin(HP), 99), Error::<Test>::UnknownNode);
	});
}

#[test]
fn exiting_early_pays_the_penalty_and_on_time_does_not() {
	test(|| {
		setup();
		let early = register(HP, 0, 1_000, 5);
		let on_time = register(HP, 1, 1_000, 5);
		assert_ok!(Market::set_status(early, NodeStatus::Active));
		let issuance = Balances::total_issuance();
		// 10% of S = 1,000 GiB × 1.
		assert_ok!(Market::exit_node(origin(HP), early));
		assert_eq!(last_event(), Event::NodeRetired { node: early, penalty: 100 });
		assert_eq!(Balances::total_issuance(), issuance - 100);
		assert!(Nodes::<Test>::get(early).is_none());
		assert!(!NodesByHp::<Test>::contains_key(HP, early));
		assert_eq!(Passports::use_of(0), None);
		assert!(Market::candidates(0, STORAGE, 10).is_empty());

		System::set_block_number(u64::from(10 * ERA_LENGTH));
		assert_ok!(Market::exit_node(origin(HP), on_time));
		assert_eq!(last_event(), Event::NodeRetired { node: on_time, penalty: 0 });
		assert_eq!(pallet_collateral_delegation::Committed::<Test>::get(HP, STORAGE), 0);
		// The passport can back a new node.
		register(HP, 1, 10, 1);
	});
}

// ---------------------------------------------------------------------------------------------
// Requests and matching (SPEC §4.4, §4.5)

const PRICE_ONLY: Preferences = Preferences {
	price: Perbill::one(),
	reliability: Perbill::zero(),
	commitment: Perbill::zero(),
};

fn escrow(who: u64) -> Balance {
	use polkadot_sdk::frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::Escrow.into(), &who)
}

/// An active storage node of `capacity` at `price`, committed for `commitment` eras.
fn active_node(hp: u64, passport: u32, capacity: u64, price: Balance, commitment: u32) -> NodeId {
	let id = register_for(hp, passport, capacity, price, commitment);
	assert_ok!(Market::set_status(id, NodeStatus::Active));
	id
}

fn request(amount: u64, max_price: Balance, prefs: Preferences, partial: bool) -> DispatchResult {
	Market::request_capacity(origin(SP), 0, STORAGE, amount, 4, max_price, prefs, partial)
		.map(|_| ())
		.map_err(|e| e.error)
}

fn allocations() -> Vec<(NodeId, u64)> {
	let mut leases: Vec<(LeaseId, Lease<u64>)> = Leases::<Test>::iter().collect();
	leases.sort_by_key(|(id, _)| *id);
	leases.into_iter().map(|(_, l)| (l.node, l.units)).collect()
}

#[test]
fn price_only_requests_take_the_cheapest_nodes_and_split() {
	test(|| {
		setup();
		let a = active_node(HP, 0, 100, 5, 20);
		let b = active_node(HP, 1, 100, 3, 20);
		let c = active_node(HP2, 4, 100, 9, 20);
		let quote = Market::quote(0, STORAGE, 150, 4, 10, PRICE_ONLY).expect("quotes");
		assert_ok!(request(150, 10, PRICE_ONLY, false));
		// Node b (price 3) fully, then 50 of node a (price 5).
		assert_eq!(allocations(), vec![(b, 100), (a, 50)]);
		let cost = (100 * 3 + 50 * 5) * 4;
		assert_eq!(escrow(SP), cost);
		assert_eq!(Balances::free_balance(SP), ENDOWMENT - cost);
		assert_eq!(
			last_event(),
			Event::CapacityRequested { request: 0, sp: SP, requested: 150, allocated: 150, cost }
		);
		// The quote on the same state gave exactly this.
		assert_eq!(
			quote.allocations,
			vec![
				Allocation { node: b, units: 100, price: 3 },
				Allocation { node: a, units: 50, price: 5 }
			]
		);
		assert_eq!((quote.allocated, quote.cost), (150, cost));
		// b is full: out of the index; a has 50 left.
		assert_eq!(Market::candidates(0, STORAGE, 10), vec![a, c]);
		assert_eq!(FreeCapacity::<Test>::get((0, STORAGE)), 150);
		let lease = Leases::<Test>::get(0).expect("lease 0");
		assert_eq!((lease.start, lease.end, lease.price, lease.sp), (1, 5, 3, SP));
	});
}

#[test]
fn reliability_heavy_requests_prefer_reliable_nodes() {
	test(|| {
		setup();
		let cheap = active_node(HP, 0, 100, 3, 20);
		let reliable = active_node(HP, 1, 100, 5, 20);
		MockReliability::set(cheap, Perbill::from_percent(40));
		let prefs = Preferences {
			price: Perbill::from_percent(20),
			reliability: Perbill::from_percent(80),
			commitment: Perbill::zero(),
		};
		assert_ok!(request(100, 10, prefs, false));
		assert_eq!(allocations(), vec![(reliable, 100)]);
	});
}

#[test]
fn commitment_heavy_requests_prefer_long_commitments() {
	test(|| {
		setup();
		let short = active_node(HP, 0, 100, 3, 10);
		let long = active_node(HP, 1, 100, 5, 50);
		let prefs = Preferences {
			price: Perbill::from_percent(10),
			reliability: Perbill::zero(),
			commitment: Perbill::from_percent(90),
		};
		assert_ok!(request(120, 10, prefs, false));
		assert_eq!(allocations(), vec![(long, 100), (short, 20)]);
	});
}

#[test]
fn equal_scores_break_ties_by_node_id() {
	test(|| {
		setup();
		let first = active_node(HP, 0, 100, 4, 20);
		let second = active_node(HP2, 4, 100, 4, 20);
		assert_ok!(request(30, 10, PRICE_ONLY, false));
		assert_eq!(allocations(), vec![(first, 30)]);
		assert!(second > first);
	});
}

#[test]
fn partial_and_non_partial_requests() {
	test(|| {
		setup();
		let a = active_node(HP, 0, 100, 3, 20);
		// Not enough capacity: a non-partial request changes nothing.
		assert_noop!(request(150, 10, PRICE_ONLY, false), Error::<Test>::InsufficientCapacity);
		assert_eq!(escrow(SP), 0);
		// A partial one takes what there is and releases the rest of the escrow.
		assert_ok!(request(150, 10, PRICE_ONLY, true));
		assert_eq!(allocations(), vec![(a, 100)]);
		assert_eq!(escrow(SP), 100 * 3 * 4);
		// Now the cluster is exhausted.
		assert_noop!(request(1, 10, PRICE_ONLY, true), Error::<Test>::NoMatch);
	});
}

#[test]
fn matching_excludes_expensive_short_committed_and_uncovered_nodes() {
	test(|| {
		setup();
		let expensive = active_node(HP, 0, 100, 20, 50);
		let short = active_node(HP, 1, 100, 3, 5);
		let uncovered = active_node(HP2, 4, 100, 2, 50);
		let fine = active_node(HP, 2, 100, 6, 50);
		// HP2 falls out of cover (the network ratio jumps) and its top-up window runs out.
		assert_ok!(Collateral::set_network_ratio(RuntimeOrigin::root(), Perbill::from_percent(50)));
		assert_ok!(Collateral::bond(origin(HP), 8_000_000)); // HP stays covered
		assert!(pallet_collateral_delegation::Pallet::<Test>::accepts_new_leases(&HP2));
		System::set_block_number(u64::from(3 * ERA_LENGTH)); // era 3: window of 2 eras is over
													   // Lease of 4 eras from era 4 ends at 8: the node committed until 5 cannot serve it.
		assert_ok!(request(300, 10, PRICE_ONLY, true));
		assert_eq!(allocations(), vec![(fine, 100)]);
		let _ = (expensive, short, uncovered);
	});
}

/// SPEC §9's collateral coverage, as `try_state` checks it: a lease matched inside the top-up
/// window and its renewal after it are valid; a lease matched past the window is not.
#[test]
fn try_state_refuses_a_lease_matched_past_the_top_up_window() {
	test(|| {
		setup();
		let node = active_node(HP2, 4, 100, 2, 50);
		assert_ok!(Collateral::set_network_ratio(RuntimeOrigin::root(), Perbill::from_percent(50)));
		// Found uncovered in era 0: the window of 2 eras runs to era 2.
		assert!(pallet_collateral_delegation::Pallet::<Test>::accepts_new_leases(&HP2));
		assert_eq!(<Collateral as NodeCollateral<u64>>::top_up_window(&HP2), Some((0, 2)));
		System::set_block_number(u64::from(ERA_LENGTH)); // era 1: inside the window
		assert_ok!(request(10, 10, PRICE_ONLY, false));
		assert_eq!(allocations(), vec![(node, 10)]);
		assert_eq!(Market::do_try_state(), Ok(()));
		// Era 3: past it. No new lease, but the existing one may be renewed (SPEC §3.8).
		System::set_block_number(u64::from(3 * ERA_LENGTH));
		assert_noop!(request(10, 10, PRICE_ONLY, false), Error::<Test>::NoMatch);
		assert_ok!(Market::renew_lease(origin(SP), 0, 2, 10));
		let renewal = Leases::<Test>::get(1).expect("renewed");
		assert!(renewal.renewal);
		assert_eq!(Market::do_try_state(), Ok(()));
		// Had the renewal been a match (in era `start − 1` = 5, past era 2), the state is invalid.
		Leases::<Test>::mutate(1, |l| l.as_mut().map(|l| l.renewal = false));
		assert_eq!(
			Market::do_try_state(),
			Err("a lease was matched to an HP past its top-up window".into())
		);
		Leases::<Test>::mutate(1, |l| l.as_mut().map(|l| l.renewal = true));
	});
}

#[test]
fn a_request_considers_max_candidates_and_splits_over_max_allocations() {
	test(|| {
		setup();
		assert_ok!(Collateral::bond(origin(HP), 8_000_000));
		// MaxCandidates + 1 nodes; only the cheapest MaxCandidates are considered.
		for passport in 0..=MAX_CANDIDATES {
			if passport > 2 {
				assert_ok!(Passports::mint(
					RuntimeOrigin::root(),
					HP,
					icn_primitives::passport::PassportKind::HardwareProvider,
					Default::default()
				));
			}
		}
		let ids: Vec<u32> = pallet_passports::PassportsByOwner::<Test>::iter_key_prefix(HP)
			.filter(|p| *p != 3)
			.collect();
		assert!(ids.len() as u32 > MAX_CANDIDATES);
		for (i, passport) in ids.iter().enumerate() {
			active_node(HP, *passport, 10, 1 + i as u128, 20);
		}
		let (quote, read) =
			Market::do_quote(0, STORAGE, 1_000, 4, 1_000, PRICE_ONLY).expect("quotes");
		assert_eq!(read, EntriesRead { considered: MAX_CANDIDATES, skipped: 0 });
		// ... and the request is split across at most MaxAllocations of them, the cheapest.
		assert_eq!(quote.allocations.len() as u32, MAX_ALLOCATIONS);
		assert_eq!(quote.allocated, 10 * u64::from(MAX_ALLOCATIONS));
		assert!(quote.allocations.iter().all(|a| a.price <= u128::from(MAX_ALLOCATIONS)));
		// Without allow_partial a request that needs more nodes fails; with it, it gets those.
		assert_noop!(
			request(10 * u64::from(MAX_ALLOCATIONS) + 1, 1_000, PRICE_ONLY, false),
			Error::<Test>::InsufficientCapacity
		);
		assert_ok!(request(1_000, 1_000, PRICE_ONLY, true));
		assert_eq!(Leases::<Test>::iter().count() as u32, MAX_ALLOCATIONS);
	});
}

#[test]
fn a_request_is_charged_for_the_candidates_it_passed_over_and_its_allocations() {
	use crate::weights::WeightInfo;
	test(|| {
		setup();
		let cheap = active_node(HP, 0, 100, 3, 20);
		active_node(HP, 1, 100, 5, 20);
		active_node(HP2, 4, 100, 9, 20);
		// All three are considered (all under the maximum price); the cheapest takes it all.
		let post = Market::request_capacity(origin(SP), 0, STORAGE, 50, 4, 10, PRICE_ONLY, false)
			.expect("the request is filled");
		assert_eq!(allocations(), vec![(cheap, 50)]);
		// One allocation, on a node that keeps free units: its index entry is not written, and
		// that write is refunded.
		let unwritten = <Test as polkadot_sdk::frame_system::Config>::DbWeight::get().writes(1);
		assert!(unwritten.ref_time() > 0);
		// Charged the measured one-node request plus the fit's slopes for the two candidates
		// passed over (`Pallet::request_weight`), less that write.
		let w = |e, a, s| <() as WeightInfo>::request_capacity(e, a, s);
		let charged = <() as WeightInfo>::request_capacity_one_node()
			.saturating_add(w(2, 1, 0).saturating_sub(w(0, 1, 0)));
		assert_eq!(Market::request_weight(2, 1, 0), charged);
		assert!(charged.ref_time() > <() as WeightInfo>::request_capacity_one_node().ref_time());
		assert_eq!(post.actual_weight, Some(charged.saturating_sub(unwritten)));
		// The pre-dispatch weight is the worst case.
		let call = crate::Call::<Test>::request_capacity {
			cluster: 0,
			class: STORAGE,
			amount: 50,
			duration: 4,
			max_price: 10,
			preferences: PRICE_ONLY,
			allow_partial: false,
		};
		use polkadot_sdk::frame_support::dispatch::GetDispatchInfo;
		assert_eq!(
			call.get_dispatch_info().call_weight,
			<() as WeightInfo>::request_capacity(
				MAX_CANDIDATES - MAX_ALLOCATIONS,
				MAX_ALLOCATIONS,
				MAX_SKIPPED
			)
		);
		// A node that keeps free units stays in the index; only its free capacity moved.
		assert_eq!(Market::candidates(0, STORAGE, 10)[0], cheap);
		assert_eq!(FreeCapacity::<Test>::get((0, STORAGE)), 250);
		// A request that fills its node moves it out of the index: the full weight.
		let post = Market::request_capacity(origin(SP), 0, STORAGE, 50, 4, 10, PRICE_ONLY, false)
			.expect("the request is filled");
		assert_eq!(post.actual_weight, Some(charged));
		assert!(!Market::candidates(0, STORAGE, 10).contains(&cheap));
		assert_eq!(Market::do_try_state(), Ok(()));
	});
}

#[test]
fn a_request_escrows_what_its_allocations_cost_once_the_maximum_is_escrowable() {
	test(|| {
		setup();
		active_node(HP, 0, 100, 3, 20);
		let free = Balances::free_balance(SP);
		// The maximum, 100 · 4 · 20,000 = 8·10^6, is escrowable (the SP owns 10^7): the request
		// goes through and only the cost at the node's price, 100 · 4 · 3, is held.
		assert!(100 * 4 * 20_000 <= ENDOWMENT);
		assert_ok!(request(100, 20_000, PRICE_ONLY, false));
		assert_eq!(escrow(SP), 100 * 3 * 4);
		assert_eq!(Balances::free_balance(SP), free - 100 * 3 * 4);
		assert_eq!(NextIds::<Test>::get(), Ids { request: 1, lease: 1 });
		// A maximum the SP cannot escrow is refused before matching.
		let free = Balances::free_balance(SP);
		assert!(100 * 4 * (free / 400 + 1) > free);
		assert_noop!(
			request(100, free / 400 + 1, PRICE_ONLY, false),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn migration_to_v2_merges_the_id_counters_once() {
	use crate::migrations::v2::{v1, MigrateV1ToV2};
	use polkadot_sdk::frame_support::traits::{
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	};
	test(|| {
		setup();
		let node = active_node(HP, 0, 100, 3, 20);
		// A version-1 chain: 7 requests and 12 leases so far, counted apart.
		StorageVersion::new(1).put::<Market>();
		NextIds::<Test>::kill();
		v1::NextRequestId::<Test>::put(7);
		v1::NextLeaseId::<Test>::put(12);

		// With try-runtime, through its pre- and post-upgrade checks.
		#[cfg(feature = "try-runtime")]
		assert_ok!(MigrateV1ToV2::<Test>::try_on_runtime_upgrade(true));
		#[cfg(not(feature = "try-runtime"))]
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Market::on_chain_storage_version(), 2);
		assert_eq!(NextIds::<Test>::get(), Ids { request: 7, lease: 12 });
		assert!(!v1::NextRequestId::<Test>::exists() && !v1::NextLeaseId::<Test>::exists());
		// New requests and leases carry on from the old counters.
		assert_ok!(request(10, 10, PRICE_ONLY, false));
		assert!(matches!(last_event(), Event::CapacityRequested { request: 7, .. }));
		assert_eq!(Leases::<Test>::get(12).map(|l| (l.request, l.node)), Some((7, node)));

		// On version 2 it does nothing.
		v1::NextLeaseId::<Test>::put(99);
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(NextIds::<Test>::get(), Ids { request: 8, lease: 13 });
		v1::NextLeaseId::<Test>::kill();
	});
}

#[test]
fn request_capacity_rejects_bad_input_and_changes_nothing() {
	test(|| {
		setup();
		active_node(HP, 0, 100, 3, 20);
		let call = |cluster, class, amount, duration, max_price| {
			Market::request_capacity(
				origin(SP),
				cluster,
				class,
				amount,
				duration,
				max_price,
				PRICE_ONLY,
				true,
			)
		};
		assert_noop!(call(9, STORAGE, 1, 1, 1), Error::<Test>::UnknownCluster);
		assert_noop!(call(0, HardwareClass::Cpu, 1, 1, 1), Error::<Test>::ClassNotAccepted);
		assert_noop!(call(0, STORAGE, 0, 1, 1), Error::<Test>::ZeroCapacity);
		assert_noop!(call(0, STORAGE, 1, 0, 1), Error::<Test>::ZeroDuration);
		assert_noop!(call(0, STORAGE, 1, 1, 0), Error::<Test>::ZeroPrice);
		assert_noop!(call(0, STORAGE, 2, 1, Balance::MAX), Error::<Test>::Overflow);
		// The maximum cost must be escrowable (SPEC §4.4), even though matching would find a
		// price of 3.
		assert_noop!(call(0, STORAGE, 100, 4, ENDOWMENT), Error::<Test>::InsufficientBalance);
		// Nothing at or below the maximum price.
		assert_noop!(call(0, STORAGE, 1, 1, 2), Error::<Test>::NoMatch);
		assert_noop!(
			Market::request_capacity(RuntimeOrigin::none(), 0, STORAGE, 1, 1, 10, PRICE_ONLY, true),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn quotes_reject_what_requests_reject() {
	test(|| {
		setup();
		active_node(HP, 0, 100, 3, 20);
		let quote = |cluster, class, amount, duration, max_price| {
			Market::quote(cluster, class, amount, duration, max_price, PRICE_ONLY)
		};
		let err = |e: Error<Test>| Err(DispatchError::from(e));
		assert_eq!(quote(9, STORAGE, 1, 1, 1), err(Error::<Test>::UnknownCluster));
		assert_eq!(quote(0, HardwareClass::Cpu, 1, 1, 1), err(Error::<Test>::ClassNotAccepted));
		assert_eq!(quote(0, STORAGE, 0, 1, 1), err(Error::<Test>::ZeroCapacity));
		assert_eq!(quote(0, STORAGE, 1, 0, 1), err(Error::<Test>::ZeroDuration));
		assert_eq!(quote(0, STORAGE, 1, 1, 0), err(Error::<Test>::ZeroPrice));
		assert_eq!(quote(0, STORAGE, 2, 1, Balance::MAX), err(Error::<Test>::Overflow));
		// A quote does not need the SP's funds, and an empty match is an empty quote.
		assert_eq!(quote(0, STORAGE, 100, 4, ENDOWMENT).map(|q| q.allocated), Ok(100));
		assert_eq!(
			quote(0, STORAGE, 1, 1, 2),
			Ok(Quote { allocations: vec![], allocated: 0, cost: 0 })
		);
	});
}

#[test]
fn the_read_helpers_report_nodes_free_capacity_and_leases() {
	test(|| {
		setup();
		let a = active_node(HP, 0, 100, 3, 20);
		MockReliability::set(a, Perbill::from_percent(90));
		assert_eq!(Market::free_capacity(0, STORAGE), 100);
		assert_ok!(request(30, 10, PRICE_ONLY, false));
		assert_eq!(Market::free_capacity(0, STORAGE), 70);
		let info = Market::node_info(a).expect("node a");
		assert_eq!((info.hp, info.capacity, info.leased, info.price), (HP, 100, 30, 3));
		assert_eq!(
			(info.status, info.reliability),
			(NodeStatus::Active, Perbill::from_percent(90))
		);
		assert_eq!(info.endpoint, node(a).endpoint.into_inner());
		assert_eq!(Market::node_info(99), None);
		let leases = Market::leases_of(&SP);
		assert_eq!(leases.len(), 1);
		assert_eq!((leases[0].0, leases[0].1.node, leases[0].1.units), (0, a, 30));
		assert!(Market::leases_of(&HP).is_empty());
	});
}

/// A regression the market's property test found: a renewal settled before the lease it renews
/// frees the node's capacity while that lease still holds the SP's escrow. The node may not
/// leave until it is settled, or `settle_lease` would find no node and the escrow stay held.
#[test]
fn a_node_cannot_exit_while_a_renewed_lease_is_unsettled() {
	test(|| {
		setup();
		let id = active_node(HP, 2, 1, 1, 7);
		assert_ok!(Market::request_capacity(origin(SP), 0, STORAGE, 1, 1, 1, PRICE_ONLY, false));
		assert_ok!(Market::renew_lease(origin(SP), 0, 1, 10));
		go_to_era(3);
		// The renewal (lease 1) is settled first: the capacity is free, lease 0 is still open.
		assert_ok!(Market::settle_lease(origin(SP), 1));
		assert_eq!(node(id).leased, 0);
		assert_noop!(Market::exit_node(origin(HP), id), Error::<Test>::NodeHasLeases);
		assert_ok!(Market::settle_lease(origin(SP), 0));
		assert_eq!(escrow(SP), 0);
		assert_ok!(Market::exit_node(origin(HP), id));
	});
}

#[test]
fn nodes_with_leases_cannot_exit() {
	test(|| {
		setup();
		let a = active_node(HP, 0, 100, 3, 20);
		assert_ok!(request(10, 10, PRICE_ONLY, false));
		assert_noop!(Market::exit_node(origin(HP), a), Error::<Test>::NodeHasLeases);
		assert_noop!(Market::set_status(a, NodeStatus::Retired), Error::<Test>::NodeHasLeases);
	});
}

// ---------------------------------------------------------------------------------------------
// Settlement, cancellation and renewal (SPEC §4.7, §4.8)

#[test]
fn force_retire_ends_leases_with_refunds_and_revokes_the_passport() {
	use icn_primitives::market::NodeDirectory;
	test(|| {
		let id = one_lease();
		let issuance = Balances::total_issuance();
		let committed = pallet_collateral_delegation::Committed::<Test>::get(HP, STORAGE);
		// Era 2: one era (1) served, then the node fails and is slashed to the floor.
		go_to_era(2);
		assert_ok!(Market::set_status(id, NodeStatus::Faulty));
		go_to_era(3);
		assert_ok!(<Market as NodeHealth>::force_retire(id));
		assert_eq!(last_event(), Event::NodeForceRetired { node: id, era: 3 });
		assert_eq!(Passports::owner_of(0), None, "revoked");
		assert_eq!(
			pallet_collateral_delegation::Committed::<Test>::get(HP, STORAGE),
			committed - 100,
			"its collateral commitment is released"
		);
		assert_eq!(node(id).status, NodeStatus::Retired);
		assert!(<Market as NodeDirectory<u64>>::target(id).is_none());
		assert!(!<Market as NodeDirectory<u64>>::live_nodes().contains(&id));
		assert!(Market::candidates(0, STORAGE, 10).is_empty());
		// Nothing can be done with it but settling its leases.
		assert_noop!(Market::set_price(origin(HP), id, 5), Error::<Test>::NodeRetired);
		assert_noop!(Market::exit_node(origin(HP), id), Error::<Test>::NodeRetired);
		assert_noop!(
			<Market as NodeHealth>::set_status(id, NodeStatus::Active),
			Error::<Test>::IllegalTransition
		);
		assert_noop!(<Market as NodeHealth>::force_retire(id), Error::<Test>::IllegalTransition);
		// Settling: era 1 paid (30), era 2 faulty (30 back), eras 3–4 refunded (60 back).
		let before = Balances::free_balance(SP);
		assert_ok!(Market::settle_lease(origin(HP2), 0));
		assert_eq!(
			System::events()
				.iter()
				.filter_map(|r| match &r.event {
					RuntimeEvent::Market(Event::LeaseSettled { paid, compensation, .. }) =>
						Some((*paid, *compensation)),
					_ => None,
				})
				.last(),
			Some((30, 90))
		);
		assert_eq!(Balances::free_balance(SP), before + 90);
		assert_eq!(escrow(SP), 0);
		assert!(Nodes::<Test>::get(id).is_none(), "gone with its last lease");
		assert!(ForceRetired::<Test>::get(id).is_none());
		assert_eq!(Balances::total_issuance(), issuance);
		// A node without leases goes at once.
		let other = active_node(HP, 1, 10, 3, 20);
		assert_ok!(<Market as NodeHealth>::force_retire(other));
		assert!(Nodes::<Test>::get(other).is_none());
		assert_eq!(Passports::owner_of(1), None);
	});
}

fn go_to_era(era: u32) {
	System::set_block_number(u64::from(era * ERA_LENGTH));
}

/// One lease 0 of 10 units at price 3 on a fresh active node, eras 1..5 (per era: 30).
fn one_lease() -> NodeId {
	setup();
	let id = active_node(HP, 0, 100, 3, 20);
	assert_ok!(request(10, 3, PRICE_ONLY, false));
	id
}

#[test]
fn settlement_pays_served_eras_to_the_hp_lazily() {
	test(|| {
		let id = one_lease();
		let issuance = Balances::total_issuance();
		go_to_era(1);
		assert_noop!(Market::settle_lease(origin(HP2), 0), Error::<Test>::NothingToSettle);
		go_to_era(3);
		assert_ok!(Market::settle_lease(origin(HP2), 0));
		assert_eq!(
			last_event(),
			Event::LeaseSettled { lease: 0, paid: 60, take: 0, compensation: 0, settled_to: 3 }
		);
		assert_eq!(escrow(SP), 120 - 60);
		// Credited to the HP's side of the collateral pallet (commission 0, no delegators).
		assert_eq!(pallet_collateral_delegation::Pallet::<Test>::pending_rewards(&HP, &HP), 60);
		assert_noop!(Market::settle_lease(origin(HP2), 0), Error::<Test>::NothingToSettle);
		// At the end the lease is removed and its capacity freed.
		go_to_era(9);
		assert_ok!(Market::settle_lease(origin(SP), 0));
		assert_eq!(last_event(), Event::LeaseEnded { lease: 0 });
		assert!(Leases::<Test>::get(0).is_none());
		assert!(!LeasesBySp::<Test>::contains_key(SP, 0));
		assert_eq!(node(id).leased, 0);
		assert_eq!(escrow(SP), 0);
		assert_eq!(FreeCapacity::<Test>::get((0, STORAGE)), 100);
		// Fees move; nothing is minted or burnt.
		assert_eq!(Balances::total_issuance(), issuance);
		assert_noop!(Market::settle_lease(origin(SP), 0), Error::<Test>::UnknownLease);
	});
}

#[test]
fn faulty_eras_are_compensation_for_the_sp() {
	test(|| {
		let id = one_lease();
		go_to_era(3);
		assert_ok!(Market::set_status(id, NodeStatus::Faulty));
		go_to_era(4);
		assert_ok!(Market::set_status(id, NodeStatus::Active));
		assert_eq!(node(id).faults.to_vec(), vec![(3, 5)]);
		go_to_era(5);
		let sp_free = Balances::free_balance(SP);
		assert_ok!(Market::settle_lease(origin(SP), 0));
		// Eras 1 and 2 paid; 3 (failed) and 4 (recovered during it) compensated.
		assert!(emitted(Event::LeaseSettled {
			lease: 0,
			paid: 60,
			take: 0,
			compensation: 60,
			settled_to: 5
		}));
		assert_eq!(Balances::free_balance(SP), sp_free + 60);
		assert_eq!(pallet_collateral_delegation::Pallet::<Test>::pending_rewards(&HP, &HP), 60);
	});
}

#[test]
fn fault_intervals_are_bounded() {
	test(|| {
		setup();
		let id = active_node(HP, 0, 100, 3, 200);
		for era in 0..(MAX_FAULT_INTERVALS + 3) {
			go_to_era(2 * era);
			assert_ok!(Market::set_status(id, NodeStatus::Faulty));
			assert_ok!(Market::set_status(id, NodeStatus::Active));
		}
		assert_eq!(node(id).faults.len() as u32, MAX_FAULT_INTERVALS);
		// Faults in eras 0, 2, .., 36, one era each. The first 15 keep their own interval; the
		// 16th (era 30) absorbed the three that came after it: eras 30..37, healthy eras
		// included — a node that keeps failing is not paid for the gaps either.
		let last = 2 * (MAX_FAULT_INTERVALS + 2);
		let merged_from = 2 * (MAX_FAULT_INTERVALS - 1);
		assert_eq!(node(id).faults.last().copied(), Some((merged_from, last + 1)));
		assert_eq!(
			faulty_eras(&node(id).faults, 0, 200),
			(MAX_FAULT_INTERVALS - 1) + (last + 1 - merged_from)
		);
	});
}

#[test]
fn cancelling_gives_notice_and_returns_the_rest_of_the_escrow() {
	test(|| {
		one_lease();
		assert_noop!(Market::cancel_lease(origin(HP), 0), Error::<Test>::NotLeaseOwner);
		assert_noop!(Market::cancel_lease(origin(SP), 7), Error::<Test>::UnknownLease);
		go_to_era(1);
		assert_ok!(Market::cancel_lease(origin(SP), 0));
		// Notice of 2 eras: ends at 3 instead of 5; eras 3 and 4 are released.
		assert_eq!(last_event(), Event::LeaseCancelled { lease: 0, end: 3, released: 60 });
		assert_eq!(escrow(SP), 60);
		assert_noop!(Market::cancel_lease(origin(SP), 0), Error::<Test>::NoticeBeyondEnd);
		go_to_era(3);
		assert_ok!(Market::settle_lease(origin(SP), 0));
		assert!(Leases::<Test>::get(0).is_none());
		assert_eq!(escrow(SP), 0);
	});
}

#[test]
fn renewal_takes_over_the_capacity_at_the_current_price() {
	test(|| {
		let id = one_lease();
		assert_ok!(Market::set_price(origin(HP), id, 4));
		assert_noop!(Market::renew_lease(origin(SP), 0, 0, 10), Error::<Test>::ZeroDuration);
		assert_noop!(Market::renew_lease(origin(HP), 0, 3, 10), Error::<Test>::NotLeaseOwner);
		assert_noop!(Market::renew_lease(origin(SP), 0, 100, 10), Error::<Test>::NodeNotLeasable);
		assert_ok!(Market::renew_lease(origin(SP), 0, 3, 10));
		assert_eq!(last_event(), Event::LeaseRenewed { lease: 0, renewal: 1, price: 4, end: 8 });
		assert_eq!(escrow(SP), 120 + 10 * 4 * 3);
		assert_noop!(Market::renew_lease(origin(SP), 0, 3, 10), Error::<Test>::AlreadyRenewed);
		assert_noop!(Market::cancel_lease(origin(SP), 0), Error::<Test>::AlreadyRenewed);
		// The old lease ends; the renewal keeps the units leased.
		go_to_era(5);
		assert_ok!(Market::settle_lease(origin(SP), 0));
		assert_eq!(node(id).leased, 10);
		go_to_era(8);
		assert_ok!(Market::settle_lease(origin(SP), 1));
		assert_eq!(node(id).leased, 0);
		assert_eq!(escrow(SP), 0);
		assert_eq!(pallet_collateral_delegation::Pallet::<Test>::pending_rewards(&HP, &HP), 240);
	});
}

#[test]
fn faulty_nodes_cannot_be_renewed_on() {
	test(|| {
		let id = one_lease();
		assert_ok!(Market::set_status(id, NodeStatus::Faulty));
		assert_noop!(Market::renew_lease(origin(SP), 0, 1, 10), Error::<Test>::NodeNotLeasable);
	});
}

// ---------------------------------------------------------------------------------------------
// Property test: random register / request / cancel / renew / settle / fault / advance eras.

mod properties {
	use super::*;
	use polkadot_sdk::frame_support::traits::fungible::InspectHold;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Op {
		Register(u64, Balance, u32),
		Activate(u64),
		Fault(u64),
		Request(u64, Balance, u32, bool),
		Cancel(u64),
		Renew(u64, u32),
		Settle(u64),
		SetPrice(u64, Balance),
		Exit(u64),
		NextEra,
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			2 => (1..200u64, 1..10u128, 5..40u32).prop_map(|(c, p, e)| Op::Register(c, p, e)),
			3 => (0..8u64).prop_map(Op::Activate),
			1 => (0..8u64).prop_map(Op::Fault),
			4 => (1..300u64, 1..12u128, 1..10u32, any::<bool>())
				.prop_map(|(a, p, d, partial)| Op::Request(a, p, d, partial)),
			1 => (0..8u64).prop_map(Op::Cancel),
			1 => (0..8u64, 1..5u32).prop_map(|(l, d)| Op::Renew(l, d)),
			3 => (0..8u64).prop_map(Op::Settle),
			1 => (0..8u64, 1..10u128).prop_map(|(n, p)| Op::SetPrice(n, p)),
			1 => (0..8u64).prop_map(Op::Exit),
			2 => Just(Op::NextEra),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]

		#[test]
		fn market_books_hold(ops in proptest::collection::vec(op(), 1..80)) {
			new_test_ext().execute_with(|| {
				setup();
				let issuance = Balances::total_issuance();
				let mut era = 0;
				let mut passports = vec![0u32, 1, 2];
				for op in ops {
					// Lease operations pick among the open leases.
					let mut open: Vec<LeaseId> = Leases::<Test>::iter_keys().collect();
					open.sort();
					let pick = |i: u64| open.get(i as usize % open.len().max(1)).copied().unwrap_or(0);
					let _ = match op {
						Op::Register(capacity, price, commitment) => match passports.pop() {
							Some(passport) => Market::register_node(
								origin(HP), passport, 0, STORAGE, capacity, price, commitment,
								b"http://agent".to_vec(), big_plot(HP, passport).1,
								big_plot(HP, passport).0,
							).map(|_| ()),
							None => Ok(()),
						},
						Op::Activate(node) => Market::set_status(node, NodeStatus::Active),
						Op::Fault(node) => Market::set_status(node, NodeStatus::Faulty),
						Op::Request(amount, price, duration, partial) => Market::request_capacity(
							origin(SP), 0, STORAGE, amount, duration, price, PRICE_ONLY, partial,
						).map(|_| ()).map_err(|e| e.error),
						Op::Cancel(i) => Market::cancel_lease(origin(SP), pick(i)),
						Op::Renew(i, duration) => Market::renew_lease(origin(SP), pick(i), duration, Balance::MAX),
						Op::Settle(i) => Market::settle_lease(origin(SP), pick(i)),
						Op::SetPrice(node, price) => Market::set_price(origin(HP), node, price),
						Op::Exit(node) => {
							let passport = Nodes::<Test>::get(node).map(|n| n.passport);
							let res = Market::exit_node(origin(HP), node);
							if let (Ok(()), Some(p)) = (&res, passport) { passports.push(p); }
							res
						},
						Op::NextEra => { era += 1; go_to_era(era); Ok(()) },
					};
					// try_state: leased == Σ leases ≤ capacity, every lease's node exists, the
					// index matches the nodes, escrow == what open leases can still pay.
					prop_assert!(Market::do_try_state().is_ok(), "{:?}", Market::do_try_state());
					if Leases::<Test>::iter().next().is_none() {
						prop_assert_eq!(Balances::balance_on_hold(&HoldReason::Escrow.into(), &SP), 0);
					}
					// Fees move and early exits are slashed; nothing is ever minted.
					prop_assert!(Balances::total_issuance() <= issuance);
				}
				let slashed: Balance = System::events().iter().filter_map(|r| match &r.event {
					RuntimeEvent::Market(Event::NodeRetired { penalty, .. }) => Some(*penalty),
					_ => None,
				}).sum();
				// Total issuance changed only by early-exit penalties (burnt by the mock).
				prop_assert_eq!(issuance - Balances::total_issuance(), slashed);
				Ok(())
			})?;
		}
	}
}

#[test]
fn the_rewards_hooks_hear_every_change_that_weighs_in_a_share_and_the_fees() {
	test(|| {
		setup();
		// Registration creates a `Pending` node, which weighs nothing: no call.
		let id = register(HP, 0, 100, 3);
		assert_eq!(MockHooks::take(), vec![]);
		assert_ok!(Market::set_status(id, NodeStatus::Active));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(id)]);
		assert_ok!(Market::add_capacity(origin(HP), id, 5));
		assert_ok!(Market::extend_commitment(origin(HP), id, 30));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(id), Hook::NodeChanged(id)]);
		// The price does not weigh in a share; the plot does (the units it proves, SPEC §6.1).
		assert_ok!(Market::set_price(origin(HP), id, 4));
		assert_eq!(MockHooks::take(), vec![]);
		let (plot, root) = big_plot(HP, 0);
		assert_ok!(Market::set_endpoint(origin(HP), id, b"http://a.example".to_vec(), root, plot));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(id)]);
		// Fees: settled payments, per cluster and class, only when something is paid.
		assert_ok!(request(10, 4, PRICE_ONLY, false));
		go_to_era(1);
		assert_noop!(Market::settle_lease(origin(SP), 0), Error::<Test>::NothingToSettle);
		go_to_era(3);
		assert_ok!(Market::settle_lease(origin(SP), 0));
		assert_eq!(MockHooks::take(), vec![Hook::FeesPaid(0, STORAGE, 2 * 40, 0)]);
		// Faulty eras are not paid: no fees for them.
		assert_ok!(Market::set_status(id, NodeStatus::Faulty));
		go_to_era(5);
		assert_ok!(Market::set_status(id, NodeStatus::Active));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(id), Hook::NodeChanged(id)]);
		assert_ok!(Market::settle_lease(origin(SP), 0));
		// Eras 3 and 4 were faulty: compensation for the SP, no fees.
		assert_eq!(MockHooks::take(), vec![]);
		// Retirement by exit, by the SLA oracle and by force all reach the hooks.
		let second = active_node(HP, 1, 10, 3, 20);
		let third = active_node(HP, 2, 10, 3, 20);
		MockHooks::take();
		assert_ok!(Market::exit_node(origin(HP), second));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(second)]);
		assert_ok!(Market::force_retire(third));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(third)]);
		assert_ok!(Market::force_retire(id));
		assert_eq!(MockHooks::take(), vec![Hook::NodeChanged(id)]);
	});
}

/// SPEC §5.8: a plot is the node's own, bound to its HP and passport, registered once, and large
/// enough for the node's free capacity. Each attack of issue 18 that the chain can refuse at
/// registration is refused here with its named error, changing nothing.
mod plots {
	use super::*;
	use icn_primitives::pos::declared_plot;
	use polkadot_sdk::frame_support::traits::{
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	};

	fn register_with(
		hp: u64,
		passport: u32,
		capacity: u64,
		(plot, root): (Plot, [u8; 32]),
	) -> DispatchResult {
		Market::register_node(
			origin(hp),
			passport,
			0,
			STORAGE,
			capacity,
			3,
			10,
			b"http://agent.example".to_vec(),
			root,
			plot,
		)
	}

	#[test]
	fn attack_one_plot_backs_two_nodes() {
		test(|| {
			setup();
			let plot = big_plot(HP, 0);
			assert_ok!(register_with(HP, 0, 100, plot));
			// The same plot and root for a second node of the same HP: the root is bound to
			// passport 0, not 1.
			assert_noop!(register_with(HP, 1, 100, plot), Error::<Test>::PlotNotBound);
			// Nor can the first node take a plot bound to another passport.
			let other = big_plot(HP, 1);
			assert_noop!(
				Market::set_endpoint(origin(HP), 0, b"http://a.example".to_vec(), other.1, other.0),
				Error::<Test>::PlotNotBound
			);
			// And a root some other node holds is refused whatever it is bound to (defence in
			// depth: binding and one passport per node already make this unreachable).
			PlotRoots::<Test>::insert(other.1, 0);
			assert_noop!(register_with(HP, 1, 100, other), Error::<Test>::ProofRootInUse);
			PlotRoots::<Test>::remove(other.1);
			assert_ok!(register_with(HP, 1, 100, other));
			assert_eq!(
				(PlotRoots::<Test>::get(plot.1), PlotRoots::<Test>::get(other.1)),
				(Some(0), Some(1))
			);
		});
	}

	#[test]
	fn attack_reuse_of_a_registered_root() {
		test(|| {
			setup();
			let plot = big_plot(HP, 0);
			assert_ok!(register_with(HP, 0, 100, plot));
			// The same HP, passport and plot again while node 0 lives: the root is taken.
			assert_noop!(register_with(HP, 0, 100, plot), Error::<Test>::ProofRootInUse);
			// Once node 0 has exited, its passport (and plot) may back a new node.
			assert_ok!(Market::exit_node(origin(HP), 0));
			assert_eq!(PlotRoots::<Test>::get(plot.1), None);
			assert_ok!(register_with(HP, 0, 100, plot));
			assert_eq!(PlotRoots::<Test>::get(plot.1), Some(1));
		});
	}

	#[test]
	fn attack_plot_copied_from_another_hp() {
		test(|| {
			setup();
			let honest = big_plot(HP2, 4);
			assert_ok!(register_with(HP2, 4, 100, honest));
			// HP copies HP2's endpoint, plot and root: the root is bound to HP2 and passport 4.
			assert_noop!(register_with(HP, 0, 100, honest), Error::<Test>::PlotNotBound);
			// HP binds HP2's tree root to its own account: registration passes, but the chunks
			// at that tree root are labelled with HP2's seed, so every challenge fails with
			// `BadLabel` (pallet-sla-oracle's off-chain worker tests and the node's cheater
			// tests show it).
			let (copied, root) = renonce(honest, HP, 0, 7);
			assert_ok!(register_with(HP, 0, 100, (copied, root)));
			assert_ne!(root, honest.1);
		});
	}

	#[test]
	fn attack_plot_smaller_than_the_capacity_claimed() {
		test(|| {
			setup();
			ProofCoverage::<Test>::put(Perbill::one());
			// 256 chunks of 4 KiB (1 MiB) for 100,000 GiB: refused.
			let tiny = declared_plot(&HP.encode(), 0, 1 << 20);
			assert_noop!(register_with(HP, 0, 100_000, tiny), Error::<Test>::PlotTooSmall);
			// One byte short of 1 GiB for 1 GiB: refused; exactly 1 GiB: accepted.
			let short = declared_plot(&HP.encode(), 0, GIB - 4096);
			assert_noop!(register_with(HP, 0, 1, short), Error::<Test>::PlotTooSmall);
			assert_ok!(register_with(HP, 0, 1, exact_plot(HP, 0, 1)));
			// More capacity needs a larger plot first; a smaller plot is refused too.
			assert_noop!(Market::add_capacity(origin(HP), 0, 1), Error::<Test>::PlotTooSmall);
			let smaller = renonce(short, HP, 0, 3);
			assert_noop!(
				Market::set_endpoint(
					origin(HP),
					0,
					b"http://a.example".to_vec(),
					smaller.1,
					smaller.0
				),
				Error::<Test>::PlotTooSmall
			);
			let two_plot = renonce(exact_plot(HP, 0, 2), HP, 0, 1);
			assert_ok!(Market::set_endpoint(
				origin(HP),
				0,
				b"http://a.example".to_vec(),
				two_plot.1,
				two_plot.0
			));
			assert_ok!(Market::add_capacity(origin(HP), 0, 1));
			// GPU nodes keep a small availability plot whatever their capacity.
			assert_ok!(Market::register_node(
				origin(HP),
				1,
				0,
				HardwareClass::Gpu,
				1_000,
				3,
				10,
				b"http://agent.example".to_vec(),
				tiny.0.bound_root(&HP.encode(), 1),
				tiny.0,
			));
		});
	}

	#[test]
	fn plots_of_a_bad_shape_are_refused() {
		test(|| {
			setup();
			let (plot, _) = big_plot(HP, 0);
			for bad in [
				Plot { chunk_size: 4095, ..plot },
				Plot { chunk_size: 2048, ..plot },
				Plot { chunk_size: 1 << 17, ..plot },
				Plot { leaf_count: 255, ..plot },
				Plot::default(),
			] {
				let root = bad.bound_root(&HP.encode(), 0);
				assert_noop!(register_with(HP, 0, 1, (bad, root)), Error::<Test>::BadPlotShape);
			}
		});
	}

	#[test]
	fn ending_leases_start_a_re_plot_grace_and_a_new_plot_ends_it() {
		test(|| {
			setup();
			ProofCoverage::<Test>::put(Perbill::one());
			// 100 GiB, 90 leased, then re-plotted to cover the 10 GiB left free.
			let id = register_for(HP, 0, 100, 3, 30);
			assert_ok!(Market::set_status(id, NodeStatus::Active));
			assert_ok!(request(90, 3, PRICE_ONLY, false));
			let small = renonce(exact_plot(HP, 0, 10), HP, 0, 1);
			assert_ok!(Market::set_endpoint(
				origin(HP),
				id,
				b"http://a.example".to_vec(),
				small.1,
				small.0
			));
			assert!(Market::plot_covered(id, &node(id)));
			// The lease ends (eras 1..5): 100 GiB free, 10 GiB plotted — the grace starts.
			go_to_era(5);
			assert_ok!(Market::settle_lease(origin(SP), 0));
			assert_eq!(PlotShortSince::<Test>::get(id), Some(5));
			assert!(System::events().iter().any(|r| matches!(
				r.event,
				RuntimeEvent::Market(Event::PlotShort { node, era: 5 }) if node == id
			)));
			use icn_primitives::market::NodeDirectory;
			assert!(<Market as NodeDirectory<u64>>::target(id).is_some_and(|t| t.plot_covered));
			// After `PlotGraceEras` the oracles see it uncovered.
			go_to_era(5 + PLOT_GRACE);
			assert!(!<Market as NodeDirectory<u64>>::target(id).is_some_and(|t| t.plot_covered));
			// A plot of the whole free capacity ends it.
			let full = renonce(exact_plot(HP, 0, 100), HP, 0, 2);
			assert_ok!(Market::set_endpoint(
				origin(HP),
				id,
				b"http://a.example".to_vec(),
				full.1,
				full.0
			));
			assert_eq!(PlotShortSince::<Test>::get(id), None);
			assert!(<Market as NodeDirectory<u64>>::target(id).is_some_and(|t| t.plot_covered));
		});
	}

	#[test]
	fn migration_to_v3_leaves_old_nodes_to_re_plot() {
		use crate::migrations::v3::{self, MigrateV2ToV3, NodeV2};
		test(|| {
			setup();
			let id = active_node(HP, 0, 100, 3, 20);
			let n = node(id);
			// A version-2 chain: the node as version 2 stored it, with an unbound root.
			StorageVersion::new(2).put::<Market>();
			PlotRoots::<Test>::remove(n.proof_root);
			v3::Nodes::<Test>::insert(
				id,
				NodeV2 {
					hp: n.hp,
					passport: n.passport,
					cluster: n.cluster,
					class: n.class,
					capacity: n.capacity,
					leased: n.leased,
					price: n.price,
					commitment_end: n.commitment_end,
					endpoint: n.endpoint.clone(),
					proof_root: [9; 32],
					status: n.status,
					faults: n.faults.clone(),
				},
			);
			#[cfg(feature = "try-runtime")]
			assert_ok!(MigrateV2ToV3::<Test>::try_on_runtime_upgrade(true));
			#[cfg(not(feature = "try-runtime"))]
			MigrateV2ToV3::<Test>::on_runtime_upgrade();
			assert_eq!(Market::on_chain_storage_version(), 3);
			let migrated = node(id);
			assert_eq!((migrated.proof_root, migrated.plot), ([9; 32], Plot::default()));
			assert_eq!(migrated.capacity, 100);
			// Oracles cannot verify it: no plot. For `PlotGraceEras` they skip it (covered, no
			// plot), then it is uncovered.
			use icn_primitives::market::NodeDirectory;
			let target = <Market as NodeDirectory<u64>>::target(id).expect("live");
			assert_eq!((target.plot, target.plot_covered), (None, true));
			assert_eq!(PlotShortSince::<Test>::get(id), Some(0));
			go_to_era(PLOT_GRACE);
			let target = <Market as NodeDirectory<u64>>::target(id).expect("live");
			assert_eq!((target.plot, target.plot_covered), (None, false));
			// The re-registration path: plot anew and `set_endpoint`.
			let (plot, root) = big_plot(HP, 0);
			assert_ok!(Market::set_endpoint(
				origin(HP),
				id,
				b"http://a.example".to_vec(),
				root,
				plot
			));
			assert!(<Market as NodeDirectory<u64>>::target(id).is_some_and(|t| t.plot_covered));
			// On version 3 it does nothing.
			MigrateV2ToV3::<Test>::on_runtime_upgrade();
			assert_eq!(node(id).plot, plot);
		});
	}

	#[test]
	fn migration_to_v4_takes_old_leases_as_renewals() {
		use crate::migrations::v4::{self, LeaseV3, MigrateV3ToV4};
		test(|| {
			setup();
			let node = active_node(HP, 0, 100, 3, 20);
			assert_ok!(request(10, 10, PRICE_ONLY, false));
			let lease = Leases::<Test>::get(0).expect("leased");
			assert!(!lease.renewal);
			// A version-3 chain: the lease as version 3 stored it.
			StorageVersion::new(3).put::<Market>();
			let old = LeaseV3 {
				request: lease.request,
				node,
				sp: lease.sp,
				units: lease.units,
				price: lease.price,
				start: lease.start,
				end: lease.end,
				settled_to: lease.settled_to,
				renewed: lease.renewed,
			};
			v4::Leases::<Test>::insert(0, old);
			#[cfg(feature = "try-runtime")]
			assert_ok!(MigrateV3ToV4::<Test>::try_on_runtime_upgrade(true));
			#[cfg(not(feature = "try-runtime"))]
			MigrateV3ToV4::<Test>::on_runtime_upgrade();
			assert_eq!(Market::on_chain_storage_version(), 4);
			// Whether it was matched is not known: it is exempt, as a renewal is.
			assert_eq!(Leases::<Test>::get(0), Some(Lease { renewal: true, ..lease.clone() }));
			// On version 4 it does nothing.
			Leases::<Test>::insert(0, lease.clone());
			MigrateV3ToV4::<Test>::on_runtime_upgrade();
			assert_eq!(Leases::<Test>::get(0), Some(lease));
		});
	}
}

/// Issue 24's attacks on the market (SPEC §3.9, §4.10): each test performs one and shows it
/// fails, changing nothing it should not.
mod attacks {
	use super::*;

	fn mint_hardware_passports(owner: u64, count: u32) -> Vec<u32> {
		(0..count)
			.map(|_| {
				let id = pallet_passports::NextPassportId::<Test>::get();
				assert_ok!(Passports::mint(
					RuntimeOrigin::root(),
					owner,
					icn_primitives::passport::PassportKind::HardwareProvider,
					Default::default()
				));
				id
			})
			.collect()
	}

	/// A `Faulty` or `Slashing` node with no leases tries to leave for the early-exit penalty
	/// (10% of S(n)), keeping its passport, before the schedule slashes it.
	#[test]
	fn attack_exit_while_faulty() {
		test(|| {
			setup();
			let id = active_node(HP, 0, 1_000, 5, 20);
			let bond = pallet_collateral_delegation::Hps::<Test>::get(HP).map(|l| l.bond);
			assert_ok!(Market::set_status(id, NodeStatus::Faulty));
			assert_noop!(Market::exit_node(origin(HP), id), Error::<Test>::NodeUnderAnomaly);
			assert_ok!(Market::set_status(id, NodeStatus::Slashing));
			assert_noop!(Market::exit_node(origin(HP), id), Error::<Test>::NodeUnderAnomaly);
			// Still there, its passport still staked for it, its collateral still committed.
			assert_eq!(node(id).status, NodeStatus::Slashing);
			assert_eq!(Passports::use_of(0), Some(PassportUse::HardwareNode(id)));
			assert_eq!(pallet_collateral_delegation::Committed::<Test>::get(HP, STORAGE), 1_000);
			assert_eq!(pallet_collateral_delegation::Hps::<Test>::get(HP).map(|l| l.bond), bond);
			// Once the anomaly closes it may leave as any node does.
			assert_ok!(Market::set_status(id, NodeStatus::Active));
			assert_ok!(Market::exit_node(origin(HP), id));
		});
	}

	/// After a force-retirement the HP withdraws its whole bond, so its collateral ledger is
	/// gone and its lease income can no longer be credited through its pool: settling the
	/// SP's lease must still work and release every bit of the escrow.
	#[test]
	fn attack_trap_sp_escrow_after_force_retirement() {
		test(|| {
			let id = one_lease();
			go_to_era(2);
			assert_ok!(Market::set_status(id, NodeStatus::Faulty));
			go_to_era(3);
			assert_ok!(<Market as NodeHealth>::force_retire(id));
			// Nothing is committed any more: the HP unbonds and withdraws everything.
			let bond = pallet_collateral_delegation::Hps::<Test>::get(HP).map(|l| l.bond);
			assert_ok!(Collateral::unbond(origin(HP), bond.expect("bonded")));
			go_to_era(10);
			assert_ok!(Collateral::withdraw_unbonded(origin(HP)));
			assert!(pallet_collateral_delegation::Hps::<Test>::get(HP).is_none(), "ledger gone");
			let issuance = Balances::total_issuance();
			let (sp, hp) = (Balances::free_balance(SP), Balances::free_balance(HP));
			// Era 1 served (30 to the HP), era 2 faulty and eras 3–4 after retirement (90 back).
			assert_ok!(Market::settle_lease(origin(SP), 0));
			assert!(emitted(Event::LeaseIncomeNotPooled {
				lease: 0,
				hp: HP,
				amount: 30,
				refunded: false
			}));
			assert_eq!(escrow(SP), 0, "no escrow is left held");
			assert!(Leases::<Test>::get(0).is_none());
			assert_eq!(Balances::free_balance(SP), sp + 90);
			assert_eq!(Balances::free_balance(HP), hp + 30, "paid to its account");
			assert_eq!(Balances::total_issuance(), issuance);
		});
	}

	/// The HP sees the SP's renewal coming and raises its price first.
	#[test]
	fn attack_front_run_renewal_with_a_price_rise() {
		test(|| {
			let id = one_lease();
			let held = escrow(SP);
			assert_ok!(Market::set_price(origin(HP), id, 30));
			assert_noop!(Market::renew_lease(origin(SP), 0, 3, 3), Error::<Test>::PriceAboveMax);
			assert_eq!(escrow(SP), held, "nothing more escrowed");
			assert!(!Leases::<Test>::get(0).expect("open").renewed);
			// At a price the SP accepts, it renews.
			assert_ok!(Market::set_price(origin(HP), id, 3));
			assert_ok!(Market::renew_lease(origin(SP), 0, 3, 3));
		});
	}

	/// 64 nodes, cheaper than anything else in the cluster, whose commitments end before any
	/// real lease would: they must not use up the request's `MaxCandidates` and hide the one
	/// good node behind them.
	#[test]
	fn attack_hide_eligible_nodes_behind_cheap_ineligible_ones() {
		test(|| {
			setup();
			assert_ok!(Collateral::bond(origin(HP), 8_000_000));
			assert!(MAX_SKIPPED > 64 && 64 > MAX_CANDIDATES);
			for passport in mint_hardware_passports(HP, 64) {
				active_node(HP, passport, 10, 1, MIN_COMMITMENT);
			}
			let good = active_node(HP2, 4, 100, 5, 50);
			let duration = MIN_COMMITMENT + 1;
			let (quote, read) =
				Market::do_quote(0, STORAGE, 50, duration, 10, PRICE_ONLY).expect("quotes");
			assert_eq!(read, EntriesRead { considered: 1, skipped: 64 });
			assert_eq!(quote.allocations.iter().map(|a| a.node).collect::<Vec<_>>(), vec![good]);
			assert_ok!(Market::request_capacity(
				origin(SP),
				0,
				STORAGE,
				50,
				duration,
				10,
				PRICE_ONLY,
				false
			));
			assert_eq!(allocations(), vec![(good, 50)]);
		});
	}

	/// The pass-over budget is bounded (it is part of the request's weight): at most
	/// `MaxSkipped` ineligible entries are read. So hiding an eligible node takes `MaxSkipped + 1`
	/// cheaper ineligible nodes, each with a governance-minted passport and its own collateral.
	#[test]
	fn the_entries_passed_over_are_bounded() {
		test(|| {
			setup();
			assert_ok!(Collateral::bond(origin(HP), 8_000_000));
			for passport in mint_hardware_passports(HP, MAX_SKIPPED + 1) {
				active_node(HP, passport, 10, 1, MIN_COMMITMENT);
			}
			active_node(HP2, 4, 100, 5, 50);
			let duration = MIN_COMMITMENT + 1;
			let (_, read) =
				Market::do_quote(0, STORAGE, 50, duration, 10, PRICE_ONLY).expect("quotes");
			assert_eq!(read, EntriesRead { considered: 0, skipped: MAX_SKIPPED });
			let result = Market::request_capacity(
				origin(SP),
				0,
				STORAGE,
				50,
				duration,
				10,
				PRICE_ONLY,
				false,
			);
			assert_eq!(result.map_err(|e| e.error), Err(Error::<Test>::NoMatch.into()));
		});
	}
}

/// SPEC §4.10's take: every lease payment pays `LeaseTake` to the treasury, and the hooks hear
/// the take with the fees (the rewards pallet caps usage rewards by it).
mod take {
	use super::*;

	#[test]
	fn attack_wash_trading_pays_the_take_on_every_lease_payment() {
		test(|| {
			LeaseTake::set(Perbill::from_percent(10));
			// The HP leases its own node (SP and HP are one actor).
			setup();
			let id = active_node(HP, 0, 100, 30, 20);
			let before = Balances::total_balance(&HP);
			let treasury = Balances::free_balance(TREASURY);
			assert_ok!(Market::request_capacity(
				origin(HP),
				0,
				STORAGE,
				10,
				4,
				30,
				PRICE_ONLY,
				false
			));
			MockHooks::take();
			go_to_era(5);
			assert_ok!(Market::settle_lease(origin(HP), 0));
			// 4 eras × 10 units × 30 = 1,200 paid: 120 to the treasury, 1,080 to the HP's pool.
			assert!(emitted(Event::LeaseSettled {
				lease: 0,
				paid: 1_080,
				take: 120,
				compensation: 0,
				settled_to: 5
			}));
			assert_eq!(Balances::free_balance(TREASURY), treasury + 120);
			assert!(MockHooks::take().contains(&Hook::FeesPaid(0, STORAGE, 1_200, 120)));
			// The actor is down by the take (its income waits in its pool's rewards), so the
			// usage reward the fees can generate — at most the take — never makes it a profit.
			let income = pallet_collateral_delegation::Pallet::<Test>::pending_rewards(&HP, &HP);
			assert_eq!(income, 1_080);
			assert_eq!(Balances::total_balance(&HP) + income, before - 120);
			let _ = id;
		});
	}
}

/// SPEC §9: storage that grows with users is paid for. A lease (and its two index entries)
/// holds `LeaseDeposit` from its SP until it is removed.
mod deposits {
	use super::*;
	use polkadot_sdk::frame_support::traits::fungible::InspectHold;

	fn deposit_held(who: u64) -> Balance {
		Balances::balance_on_hold(&HoldReason::LeaseDeposit.into(), &who)
	}

	/// An SP floods the chain with leases of one unit for one era at the cheapest price: each
	/// costs almost nothing in escrow, so without a deposit the lease map would grow for free.
	#[test]
	fn attack_fill_storage_with_dust_leases() {
		test(|| {
			LeaseDeposit::set(1_000);
			setup();
			active_node(HP, 0, 10_000, 1, 50);
			let dust = |sp: u64| {
				Market::request_capacity(origin(sp), 0, STORAGE, 1, 1, 1, PRICE_ONLY, false)
					.map(|_| ())
					.map_err(|e| e.error)
			};
			// Each dust lease holds 1 planck of escrow and 1,000 of deposit.
			for _ in 0..5 {
				assert_ok!(dust(SP));
			}
			assert_eq!((escrow(SP), deposit_held(SP)), (5, 5_000));
			// An account that can pay the escrow but not the deposit gets no lease.
			let poor = 77;
			assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), poor, 500));
			assert_noop!(dust(poor), Error::<Test>::InsufficientBalance);
			// Deposits come back as the leases are removed.
			go_to_era(2);
			for lease in 0..5 {
				assert_ok!(Market::settle_lease(origin(SP), lease));
			}
			assert_eq!((escrow(SP), deposit_held(SP)), (0, 0));
			assert!(Leases::<Test>::iter().next().is_none());
		});
	}

	#[test]
	fn renewals_hold_a_deposit_of_their_own() {
		test(|| {
			LeaseDeposit::set(1_000);
			one_lease();
			assert_eq!(deposit_held(SP), 1_000);
			assert_ok!(Market::renew_lease(origin(SP), 0, 3, 10));
			assert_eq!(deposit_held(SP), 2_000);
			go_to_era(5);
			assert_ok!(Market::settle_lease(origin(SP), 0));
			assert_eq!(deposit_held(SP), 1_000);
			go_to_era(8);
			assert_ok!(Market::settle_lease(origin(SP), 1));
			assert_eq!(deposit_held(SP), 0);
		});
	}
}
