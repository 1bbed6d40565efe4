//! # The growth-cycle simulation (SPEC §6, litepaper §3.10)
//!
//! Drives the **native ICN runtime** — the real passports, collateral, capacity market and cluster
//! rewards pallets with the runtime's own parameters — through a scripted scenario, era by era, and
//! reads what the chain did. Nothing here computes a reward: subsidies, usage rewards, the cap and
//! the node shares all come out of the pallets (events, storage and the `RewardsApi` functions).
//!
//! The scenario ([`Scenario::default`]): the dev chain's genesis (cluster `eu-central-1`, id 0);
//! storage HPs join it following an S-curve of capacity; SP demand follows a later, steeper
//! S-curve; leases of 30 eras are settled every era (their fees are the usage signal); every era's
//! node rewards are claimed into the HPs' pools. At [`Scenario::open_second`] governance opens a
//! second cluster (`ap-south-1`) with the same parameters, and the cycle starts again there.
//! The SLA oracle's role (activating nodes that pass their first round) is played by calling the
//! market's `NodeHealth::set_status`, exactly what the oracle pallet calls.
//!
//! Everything is deterministic: the same scenario gives the same CSV, byte for byte.

use std::collections::BTreeMap;

use icn_primitives::{
	market::{NodeHealth, NodeStatus, Preferences},
	ClusterId, EraIndex, HardwareClass, NodeId, ICNT, MILLI_ICNT,
};
use icn_runtime::{
	genesis_config_presets::development_config_genesis, AccountId, AllPalletsWithSystem, Balance,
	BlockNumber, CapacityMarket, ClusterRewards, Collateral, Passports, Runtime, RuntimeEvent,
	RuntimeGenesisConfig, RuntimeOrigin, System,
};
use polkadot_sdk::{
	frame_support::{
		genesis_builder_helper::build_state,
		traits::{fungible::Mutate, OnInitialize},
	},
	sc_chain_spec::json_merge,
	sp_io::TestExternalities,
	sp_runtime::{FixedU128, MultiAddress},
};

/// GiB per TiB.
pub const TIB: u64 = 1_024;
/// GiB per PiB.
pub const PIB: u64 = 1_024 * TIB;

/// The script: who joins and who asks for capacity, when.
#[derive(Clone, Debug)]
pub struct Scenario {
	/// Eras simulated.
	pub eras: EraIndex,
	/// The era the second cluster opens.
	pub open_second: EraIndex,
	/// Capacity of each node, GiB.
	pub node_capacity: u64,
	/// Price every HP asks, per GiB per era.
	pub price: Balance,
	/// Lease duration, eras.
	pub lease_eras: EraIndex,
	/// Reward parameters of the clusters' storage groups: the most subsidy a cluster is paid in
	/// an era, when it holds half its `Curves::subsidy_cap` (the subsidy is a rate per unit,
	/// SPEC §6.1; [`Scenario::rate`]).
	pub peak_subsidy: Balance,
	/// See `peak_subsidy`.
	pub usage_multiplier: FixedU128,
	/// Per cluster: capacity curve and demand curve.
	pub first: Curves,
	/// See `first`; its eras count from `open_second`.
	pub second: Curves,
}

/// Logistic curves of a cluster's capacity and demand, GiB, by era since it opened.
#[derive(Clone, Copy, Debug)]
pub struct Curves {
	/// Capacity on opening day.
	pub seed_capacity: u64,
	/// Capacity it grows to.
	pub capacity: u64,
	/// Era (since opening) of half the growth, and its width.
	pub capacity_mid: f64,
	/// See `capacity_mid`.
	pub capacity_width: f64,
	/// Demand it grows to.
	pub demand: u64,
	/// Era (since opening) of half the demand, and its width.
	pub demand_mid: f64,
	/// See `demand_mid`.
	pub demand_width: f64,
	/// The capacity at which the cluster's subsidy rate reaches zero.
	pub subsidy_cap: u64,
}

impl Curves {
	fn logistic(x: f64, mid: f64, width: f64) -> f64 {
		1.0 / (1.0 + (-(x - mid) / width).exp())
	}

	/// Target capacity `age` eras after opening.
	pub fn capacity_at(&self, age: EraIndex) -> u64 {
		let grown = self.capacity.saturating_sub(self.seed_capacity) as f64
			* Self::logistic(f64::from(age), self.capacity_mid, self.capacity_width);
		self.seed_capacity.saturating_add(grown as u64)
	}

	/// SP demand `age` eras after opening.
	pub fn demand_at(&self, age: EraIndex) -> u64 {
		(self.demand as f64 * Self::logistic(f64::from(age), self.demand_mid, self.demand_width))
			as u64
	}
}

impl Scenario {
	/// The subsidy per GiB per era of `curves`' cluster while it is empty: the rate whose total
	/// peaks at `peak_subsidy` when the cluster is half full.
	pub fn rate(&self, curves: &Curves) -> Balance {
		pallet_cluster_rewards::migrations::v3::rate_for_lump_sum(
			self.peak_subsidy,
			curves.subsidy_cap,
		)
	}
}

impl Default for Scenario {
	fn default() -> Self {
		Scenario {
			eras: 420,
			open_second: 200,
			node_capacity: 16 * TIB,
			// High enough that the usage reward, capped at the protocol's 10% take of fees
			// (SPEC §4.10), outgrows the shrinking subsidy as the clusters fill.
			price: 200 * MILLI_ICNT,
			lease_eras: 30,
			// The lump sum of 20,000 ICNT this scenario paid before the subsidy became a rate.
			peak_subsidy: 20_000 * ICNT,
			usage_multiplier: FixedU128::from_u32(1),
			first: Curves {
				seed_capacity: 64 * TIB,
				capacity: 1_280 * TIB,
				capacity_mid: 110.0,
				capacity_width: 30.0,
				demand: 1_075 * TIB,
				demand_mid: 160.0,
				demand_width: 35.0,
				subsidy_cap: PIB,
			},
			second: Curves {
				seed_capacity: 32 * TIB,
				capacity: 640 * TIB,
				capacity_mid: 70.0,
				capacity_width: 25.0,
				demand: 512 * TIB,
				demand_mid: 100.0,
				demand_width: 30.0,
				// A rate pays until the cap, so governance sets a region's cap at the capacity
				// it expects its demand to carry: this smaller region's is 640 TiB.
				subsidy_cap: 640 * TIB,
			},
		}
	}
}

/// What the chain did for one cluster in one era.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
	/// The era.
	pub era: EraIndex,
	/// The cluster.
	pub cluster: ClusterId,
	/// Its nodes.
	pub nodes: u32,
	/// Their capacity, GiB (the rewards API).
	pub capacity: u64,
	/// Of which leased, GiB.
	pub leased: u64,
	/// `leased / capacity` as the rewards API reports it, parts per billion.
	pub utilization_ppb: u32,
	/// The era's subsidy to the cluster's storage group, after the cap.
	pub subsidy: Balance,
	/// The era's usage reward, after the cap.
	pub usage: Balance,
	/// SP fees settled to the cluster's HPs in the era.
	pub fees: Balance,
	/// Node rewards claimed into the cluster's HP pools after the era.
	pub rewards_claimed: Balance,
	/// What the era emitted to nodes over all clusters, and to oracles.
	pub era_emission: Balance,
	/// The runtime's `MaxEmissionPerEra`.
	pub emission_cap: Balance,
	/// The era's pro-rata scale (parts per billion; 10^9 when under the cap).
	pub scale_ppb: u32,
}

impl Row {
	/// Subsidy plus usage reward.
	pub fn rewards(&self) -> Balance {
		self.subsidy.saturating_add(self.usage)
	}

	/// HP income: lease fees plus node rewards.
	pub fn hp_income(&self) -> Balance {
		self.fees.saturating_add(self.rewards_claimed)
	}
}

/// Externalities holding the `development` preset's genesis, built as the node builds it.
pub fn dev_genesis() -> Result<TestExternalities, String> {
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default())
		.map_err(|e| format!("default genesis config: {e}"))?;
	json_merge(&mut config, development_config_genesis());
	let json = serde_json::to_vec(&config).map_err(|e| format!("genesis config: {e}"))?;
	let mut ext = TestExternalities::new_empty();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json))
		.map_err(|e| format!("genesis: {e}"))?;
	Ok(ext)
}

fn account(kind: u8, index: u32) -> AccountId {
	let mut raw = [0u8; 32];
	raw[0] = kind;
	raw[1..5].copy_from_slice(&index.to_le_bytes());
	AccountId::new(raw)
}

fn check(what: &str, result: polkadot_sdk::sp_runtime::DispatchResult) -> Result<(), String> {
	result.map_err(|e| format!("{what}: {e:?}"))
}

/// One cluster of the scenario as the simulation tracks it.
struct Cluster {
	id: ClusterId,
	opened: EraIndex,
	curves: Curves,
	sp: AccountId,
	nodes: u32,
}

/// Runs `scenario` on the native runtime; one row per open cluster per era.
pub fn run(scenario: &Scenario) -> Result<Vec<Row>, String> {
	let mut ext = dev_genesis()?;
	ext.execute_with(|| simulate(scenario))
}

fn era_length() -> BlockNumber {
	pallet_sla_oracle::EraLength::<Runtime>::get().max(1)
}

fn start_era(era: EraIndex) {
	let block = era.saturating_mul(era_length());
	System::set_block_number(block);
	<AllPalletsWithSystem as OnInitialize<BlockNumber>>::on_initialize(block);
}

fn open_cluster(
	scenario: &Scenario,
	region: &[u8],
	curves: Curves,
	era: EraIndex,
	sp_index: u32,
) -> Result<Cluster, String> {
	let id = pallet_capacity_market::NextClusterId::<Runtime>::get();
	check(
		"create_cluster",
		CapacityMarket::create_cluster(
			RuntimeOrigin::root(),
			region.to_vec(),
			vec![HardwareClass::Storage],
		),
	)?;
	check(
		"set_group_params",
		ClusterRewards::set_group_params(
			RuntimeOrigin::root(),
			id,
			HardwareClass::Storage,
			pallet_cluster_rewards::GroupParameters {
				base_subsidy: scenario.rate(&curves),
				subsidy_cap: curves.subsidy_cap,
				usage_multiplier: scenario.usage_multiplier,
			},
		),
	)?;
	let sp = account(2, sp_index);
	Balances::set_balance(&sp, 200_000_000 * ICNT);
	Ok(Cluster { id, opened: era, curves, sp, nodes: 0 })
}

type Balances = icn_runtime::Balances;

/// An HP joins `cluster` with one node, which passes its first round.
fn join(scenario: &Scenario, cluster: &mut Cluster, index: u32) -> Result<NodeId, String> {
	let hp = account(1, index);
	Balances::set_balance(&hp, 200_000 * ICNT);
	let passport = pallet_passports::NextPassportId::<Runtime>::get();
	check(
		"mint",
		Passports::mint(
			RuntimeOrigin::root(),
			MultiAddress::Id(hp.clone()),
			icn_primitives::passport::PassportKind::HardwareProvider,
			Default::default(),
		),
	)?;
	check("bond", Collateral::bond(RuntimeOrigin::signed(hp.clone()), 100_000 * ICNT))?;
	let node = pallet_capacity_market::NextNodeId::<Runtime>::get();
	// Registration checks a plot's binding and size, never its data (SPEC §5.8).
	let (plot, root) = icn_primitives::pos::declared_plot(
		&polkadot_sdk::sp_runtime::codec::Encode::encode(&hp),
		passport,
		u128::from(scenario.node_capacity) << 30,
	);
	check(
		"register_node",
		CapacityMarket::register_node(
			RuntimeOrigin::signed(hp),
			passport,
			cluster.id,
			HardwareClass::Storage,
			scenario.node_capacity,
			scenario.price,
			// Committed beyond the end of the scenario: every node keeps the full bonus.
			scenario.eras.saturating_add(400),
			format!("http://hp{index}.example:7100").into_bytes(),
			root,
			plot,
		),
	)?;
	check("activate", CapacityMarket::set_status(node, NodeStatus::Active))?;
	cluster.nodes = cluster.nodes.saturating_add(1);
	Ok(node)
}

/// Claims every node's pending rewards into its HP's pool (the caller is a bystander).
fn claim_all(nodes: impl IntoIterator<Item = NodeId>) -> Result<(), String> {
	for node in nodes {
		if ClusterRewards::pending_node_rewards(node) > 0 {
			check(
				"claim_node_rewards",
				ClusterRewards::claim_node_rewards(RuntimeOrigin::signed(account(3, 0)), node),
			)?;
		}
	}
	Ok(())
}

fn simulate(scenario: &Scenario) -> Result<Vec<Row>, String> {
	let cap = <Runtime as pallet_cluster_rewards::Config>::MaxEmissionPerEra::get();
	let mut clusters = vec![open_cluster(scenario, b"eu-sim-1", scenario.first, 0, 0)?];
	let mut node_cluster: BTreeMap<NodeId, ClusterId> = BTreeMap::new();
	let mut rows = Vec::new();
	let mut hps = 0u32;
	start_era(0);
	for era in 0..scenario.eras {
		if era == scenario.open_second {
			clusters.push(open_cluster(scenario, b"ap-sim-1", scenario.second, era, 1)?);
		}
		// HPs join until the cluster reaches its capacity curve.
		for cluster in clusters.iter_mut() {
			let target = cluster.curves.capacity_at(era.saturating_sub(cluster.opened));
			while u64::from(cluster.nodes).saturating_mul(scenario.node_capacity) < target {
				let node = join(scenario, cluster, hps)?;
				node_cluster.insert(node, cluster.id);
				hps = hps.saturating_add(1);
			}
		}
		// Leases are settled every era: the served eras' fees reach the HPs' pools.
		let mut lease_cluster = BTreeMap::new();
		for cluster in &clusters {
			for lease in pallet_capacity_market::LeasesBySp::<Runtime>::iter_key_prefix(&cluster.sp)
			{
				lease_cluster.insert(lease, cluster.id);
			}
		}
		for lease in lease_cluster.keys() {
			match CapacityMarket::settle_lease(RuntimeOrigin::signed(account(3, 0)), *lease) {
				Ok(()) => {},
				Err(e) if e == pallet_capacity_market::Error::<Runtime>::NothingToSettle.into() => {
				},
				Err(e) => return Err(format!("settle_lease {lease}: {e:?}")),
			}
		}
		// SPs ask for what their demand curve wants beyond what they lease.
		for cluster in &clusters {
			let demand = cluster.curves.demand_at(era.saturating_sub(cluster.opened));
			for _ in 0..8 {
				let rates = ClusterRewards::rates(Some(cluster.id));
				let leased = rates.first().map_or(0, |r| {
					r.capacity.saturating_sub(CapacityMarket::free_capacity(
						cluster.id,
						HardwareClass::Storage,
					))
				});
				let want = demand.saturating_sub(leased);
				let free = CapacityMarket::free_capacity(cluster.id, HardwareClass::Storage);
				if want == 0 || free == 0 {
					break;
				}
				check(
					"request_capacity",
					CapacityMarket::request_capacity(
						RuntimeOrigin::signed(cluster.sp.clone()),
						cluster.id,
						HardwareClass::Storage,
						want.min(free),
						scenario.lease_eras,
						scenario.price,
						Preferences::default(),
						true,
					)
					.map(|_| ())
					.map_err(|e| e.error),
				)?;
			}
		}
		// The state the era ends with, as the rewards and market APIs report it.
		let mut rates = BTreeMap::new();
		for cluster in &clusters {
			let r = ClusterRewards::rates(Some(cluster.id))
				.into_iter()
				.find(|r| r.class == HardwareClass::Storage)
				.ok_or("a simulated cluster has no storage rewards")?;
			let free = CapacityMarket::free_capacity(cluster.id, HardwareClass::Storage);
			rates.insert(cluster.id, (r, r.capacity.saturating_sub(free)));
		}
		// The era ends: the next era's first block allocates it.
		start_era(era.saturating_add(1));
		claim_all(node_cluster.keys().copied())?;
		let (mut emission, mut scale_ppb) = (0, 1_000_000_000);
		let mut fees: BTreeMap<ClusterId, Balance> = BTreeMap::new();
		let mut claimed: BTreeMap<ClusterId, Balance> = BTreeMap::new();
		for record in System::events() {
			match record.event {
				RuntimeEvent::ClusterRewards(pallet_cluster_rewards::Event::EraRewarded {
					nodes,
					oracles,
					scale,
					..
				}) => {
					emission = nodes.saturating_add(oracles);
					scale_ppb = scale.deconstruct();
				},
				RuntimeEvent::ClusterRewards(
					pallet_cluster_rewards::Event::NodeRewardsClaimed { node, amount, .. },
				) => {
					let cluster = node_cluster.get(&node).copied().unwrap_or(ClusterId::MAX);
					*claimed.entry(cluster).or_default() += amount;
				},
				RuntimeEvent::CapacityMarket(pallet_capacity_market::Event::LeaseSettled {
					lease,
					paid,
					take,
					..
				}) => {
					// What the SP paid: the HP's part and the protocol's take.
					let cluster = lease_cluster.get(&lease).copied().unwrap_or(ClusterId::MAX);
					*fees.entry(cluster).or_default() += paid + take;
				},
				_ => {},
			}
		}
		System::reset_events();
		for cluster in &clusters {
			let (r, leased) = rates[&cluster.id];
			let group = pallet_cluster_rewards::Groups::<Runtime>::get((
				cluster.id,
				HardwareClass::Storage,
			));
			rows.push(Row {
				era,
				cluster: cluster.id,
				nodes: cluster.nodes,
				capacity: r.capacity,
				leased,
				utilization_ppb: r.utilization.deconstruct(),
				subsidy: group.last_subsidy,
				usage: group.last_usage,
				fees: fees.get(&cluster.id).copied().unwrap_or(0),
				rewards_claimed: claimed.get(&cluster.id).copied().unwrap_or(0),
				era_emission: emission,
				emission_cap: cap,
				scale_ppb,
			});
		}
		ClusterRewards::do_try_state().map_err(|e| format!("era {era}: rewards: {e:?}"))?;
		CapacityMarket::do_try_state().map_err(|e| format!("era {era}: market: {e:?}"))?;
	}
	Ok(rows)
}

/// What the first HP of a new cluster is paid for its first era (SPEC §6.1, issue 24 item 12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstEra {
	/// The first-comers' rewardable capacity, GiB.
	pub capacity: u64,
	/// The subsidy the era allocated to the cluster's storage group.
	pub subsidy: Balance,
	/// The node rewards the first-comers claimed for the era.
	pub claimed: Balance,
}

/// Opens a cluster with `scenario`'s reward parameters on a fresh dev genesis, lets `nodes`
/// first-comers join it, one node of `node_capacity` GiB each, and nobody else (no SP, so no
/// usage reward), ends the era and claims: what the first capacity of a new cluster can farm
/// from its subsidy.
pub fn first_hp_alone(
	scenario: &Scenario,
	node_capacity: u64,
	nodes: u32,
) -> Result<FirstEra, String> {
	let mut ext = dev_genesis()?;
	ext.execute_with(|| {
		let scenario = Scenario { node_capacity, ..scenario.clone() };
		let mut cluster = open_cluster(&scenario, b"new-sim-1", scenario.first, 0, 0)?;
		start_era(0);
		let mut ids = Vec::new();
		for index in 0..nodes {
			ids.push(join(&scenario, &mut cluster, index)?);
		}
		start_era(1);
		let mut claimed: Balance = 0;
		claim_all(ids)?;
		for record in System::events() {
			if let RuntimeEvent::ClusterRewards(
				pallet_cluster_rewards::Event::NodeRewardsClaimed { amount, .. },
			) = record.event
			{
				claimed = claimed.saturating_add(amount);
			}
		}
		let group =
			pallet_cluster_rewards::Groups::<Runtime>::get((cluster.id, HardwareClass::Storage));
		ClusterRewards::do_try_state().map_err(|e| format!("rewards: {e:?}"))?;
		Ok(FirstEra {
			capacity: node_capacity.saturating_mul(u64::from(nodes)),
			subsidy: group.last_subsidy,
			claimed,
		})
	})
}

fn icnt(amount: Balance) -> String {
	format!("{}.{:03}", amount / ICNT, (amount % ICNT) / MILLI_ICNT)
}

/// The rows as CSV: amounts in ICNT (three decimals), capacity in GiB.
pub fn csv(rows: &[Row]) -> String {
	let mut out = String::from(
		"era,cluster,nodes,capacity_gib,leased_gib,utilization_pct,subsidy_icnt,usage_icnt,\
		 fees_icnt,node_rewards_icnt,hp_income_icnt,era_emission_icnt,emission_cap_icnt,scale_pct\n",
	);
	for r in rows {
		out.push_str(&format!(
			"{},{},{},{},{},{:.2},{},{},{},{},{},{},{},{:.2}\n",
			r.era,
			r.cluster,
			r.nodes,
			r.capacity,
			r.leased,
			f64::from(r.utilization_ppb) / 1e7,
			icnt(r.subsidy),
			icnt(r.usage),
			icnt(r.fees),
			icnt(r.rewards_claimed),
			icnt(r.hp_income()),
			icnt(r.era_emission),
			icnt(r.emission_cap),
			f64::from(r.scale_ppb) / 1e7,
		));
	}
	out
}

/// Plots capacity and leased capacity, utilization, subsidy and usage reward, and HP income per
/// cluster over the eras, as an SVG document.
pub fn svg(rows: &[Row]) -> Result<String, String> {
	use plotters::prelude::*;
	let mut out = String::new();
	{
		let root = SVGBackend::with_string(&mut out, (1100, 1500)).into_drawing_area();
		root.fill(&WHITE).map_err(|e| e.to_string())?;
		let panels = root.split_evenly((4, 1));
		let eras = rows.iter().map(|r| r.era).max().unwrap_or(0).saturating_add(1);
		let clusters: Vec<ClusterId> = {
			let mut c: Vec<ClusterId> = rows.iter().map(|r| r.cluster).collect();
			c.sort_unstable();
			c.dedup();
			c
		};
		let names = |c: ClusterId| {
			if Some(&c) == clusters.first() {
				"eu-sim-1 (first)"
			} else {
				"ap-sim-1 (second)"
			}
		};
		let colors = [RGBColor(31, 119, 180), RGBColor(214, 39, 40)];
		let to_icnt = |b: Balance| (b / MILLI_ICNT) as f64 / 1_000.0;

		type Series = Vec<(String, RGBColor, bool, Vec<(f64, f64)>)>;
		let draw = |area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
		            title: &str,
		            y_label: &str,
		            series: Series|
		 -> Result<(), String> {
			let y_max = series
				.iter()
				.flat_map(|(_, _, _, points)| points.iter().map(|(_, y)| *y))
				.fold(0.0f64, f64::max)
				* 1.1 + 1e-9;
			let mut chart = ChartBuilder::on(area)
				.caption(title, ("sans-serif", 22))
				.margin(12)
				.x_label_area_size(36)
				.y_label_area_size(70)
				.build_cartesian_2d(0f64..f64::from(eras), 0f64..y_max)
				.map_err(|e| e.to_string())?;
			chart
				.configure_mesh()
				.x_desc("era")
				.y_desc(y_label)
				.draw()
				.map_err(|e| e.to_string())?;
			for (label, color, dashed, points) in series {
				let style = ShapeStyle::from(color).stroke_width(2);
				if dashed {
					chart
						.draw_series(DashedLineSeries::new(points, 6, 4, style))
						.map_err(|e| e.to_string())?
						.label(label)
						.legend(move |(x, y)| {
							PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
						});
				} else {
					chart
						.draw_series(LineSeries::new(points, style))
						.map_err(|e| e.to_string())?
						.label(label)
						.legend(move |(x, y)| {
							PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
						});
				}
			}
			chart
				.configure_series_labels()
				.background_style(WHITE.mix(0.8))
				.border_style(BLACK)
				.position(SeriesLabelPosition::UpperLeft)
				.draw()
				.map_err(|e| e.to_string())?;
			Ok(())
		};

		let per = |c: ClusterId, f: &dyn Fn(&Row) -> f64| -> Vec<(f64, f64)> {
			rows.iter()
				.filter(|r| r.cluster == c)
				.map(|r| (f64::from(r.era), f(r)))
				.collect()
		};
		let mut capacity = Series::new();
		let mut utilization = Series::new();
		let mut rewards = Series::new();
		let mut income = Series::new();
		for (i, c) in clusters.iter().enumerate() {
			let color = colors[i % colors.len()];
			let name = names(*c);
			capacity.push((
				format!("{name} capacity"),
				color,
				false,
				per(*c, &|r| r.capacity as f64 / TIB as f64),
			));
			capacity.push((
				format!("{name} leased"),
				color,
				true,
				per(*c, &|r| r.leased as f64 / TIB as f64),
			));
			utilization.push((
				format!("{name} utilization"),
				color,
				false,
				per(*c, &|r| f64::from(r.utilization_ppb) / 1e7),
			));
			rewards.push((
				format!("{name} subsidy"),
				color,
				true,
				per(*c, &|r| to_icnt(r.subsidy)),
			));
			rewards.push((
				format!("{name} usage reward"),
				color,
				false,
				per(*c, &|r| to_icnt(r.usage)),
			));
			income.push((
				format!("{name} HP income (fees + rewards)"),
				color,
				false,
				per(*c, &|r| to_icnt(r.hp_income())),
			));
			income.push((
				format!("{name} of which rewards"),
				color,
				true,
				per(*c, &|r| to_icnt(r.rewards_claimed)),
			));
		}
		draw(&panels[0], "Capacity and leased capacity", "TiB", capacity)?;
		draw(&panels[1], "Utilization", "%", utilization)?;
		draw(&panels[2], "Rewards allocated per era", "ICNT", rewards)?;
		draw(&panels[3], "HP income per era", "ICNT", income)?;
		root.present().map_err(|e| e.to_string())?;
	}
	Ok(out)
}
