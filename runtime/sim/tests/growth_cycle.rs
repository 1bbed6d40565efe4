//! The growth-cycle simulation on the native runtime: the litepaper's qualitative claims (§3.10)
//! hold for what the pallets actually paid, and the committed CSV is what the current runtime
//! produces (rerun `cargo run --release -p icn-growth-sim` when this test says it is stale).

use icn_growth_sim::{csv, run, Row, Scenario};

fn rows() -> Vec<Row> {
	run(&Scenario::default()).expect("the scenario runs on the native runtime")
}

fn cluster(rows: &[Row], index: usize) -> Vec<Row> {
	let mut ids: Vec<_> = rows.iter().map(|r| r.cluster).collect();
	ids.sort_unstable();
	ids.dedup();
	rows.iter().filter(|r| r.cluster == ids[index]).cloned().collect()
}

/// Pearson correlation of two series.
fn correlation(x: &[f64], y: &[f64]) -> f64 {
	let n = x.len() as f64;
	let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
	let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
	let (vx, vy): (f64, f64) =
		(x.iter().map(|a| (a - mx).powi(2)).sum(), y.iter().map(|b| (b - my).powi(2)).sum());
	cov / (vx.sqrt() * vy.sqrt())
}

#[test]
fn the_growth_cycle_behaves_as_the_litepaper_claims() {
	let rows = rows();
	let scenario = Scenario::default();
	assert!(scenario.eras >= 365);

	// Emission never exceeds the cap, in any era.
	for r in &rows {
		assert!(r.era_emission <= r.emission_cap + <icn_runtime::Runtime as pallet_cluster_rewards::Config>::OracleBudgetPerEra::get(), "era {} over the cap", r.era);
		assert!(r.rewards() <= r.emission_cap);
	}

	for index in 0..2 {
		let c = cluster(&rows, index);
		assert!(c.len() >= 200, "cluster {index} ran {} eras", c.len());
		// Subsidy per unit of capacity falls as capacity grows: ordered by capacity, the subsidy
		// per GiB never rises (eras under the cap, where nothing is scaled).
		let mut by_capacity: Vec<&Row> =
			c.iter().filter(|r| r.capacity > 0 && r.scale_ppb == 1_000_000_000).collect();
		by_capacity.sort_by_key(|r| r.capacity);
		for pair in by_capacity.windows(2) {
			let per_unit = |r: &Row| r.subsidy as f64 / r.capacity as f64;
			assert!(
				per_unit(pair[1]) <= per_unit(pair[0]) * (1.0 + 1e-9),
				"cluster {index}: subsidy per GiB rose from {} GiB to {} GiB",
				pair[0].capacity,
				pair[1].capacity
			);
		}
		let first = c.first().expect("rows");
		let last = c.last().expect("rows");
		assert!(last.capacity > 4 * first.capacity, "cluster {index} grew");
		// The subsidy is a rate per unit (SPEC §6.1): what declines is the rate each GiB earns.
		// Compared with the last era still paid a subsidy (it is zero from the cap on).
		let per_gib = |r: &Row| r.subsidy as f64 / r.capacity as f64;
		let last_paid = c.iter().rev().find(|r| r.subsidy > 0).expect("a subsidized era");
		assert!(last_paid.era > first.era + 50, "cluster {index} was subsidized for a while");
		assert!(
			per_gib(last_paid) < per_gib(first) / 2.0,
			"cluster {index}: subsidy per GiB declined"
		);

		// The usage share of rewards rises with utilization.
		let paid: Vec<&Row> = c.iter().filter(|r| r.rewards() > 0).collect();
		let utilization: Vec<f64> = paid.iter().map(|r| f64::from(r.utilization_ppb)).collect();
		let share: Vec<f64> = paid.iter().map(|r| r.usage as f64 / r.rewards() as f64).collect();
		let rho = correlation(&utilization, &share);
		assert!(rho > 0.8, "cluster {index}: usage share vs utilization correlation {rho}");
		// Usage rewards take over: the last era's usage reward exceeds its subsidy, the first's
		// does not.
		assert!(first.usage <= first.subsidy && last.usage > last.subsidy, "cluster {index}");
		// Rewards follow demand: HP income grows with the cluster.
		assert!(last.hp_income() > first.hp_income());
	}
}

#[test]
fn the_committed_csv_is_what_the_runtime_produces() {
	let committed = include_str!("../../../docs/growth-cycle.csv");
	let fresh = csv(&rows());
	assert!(
		committed == fresh,
		"docs/growth-cycle.csv is stale: run `cargo run --release -p icn-growth-sim` and commit it"
	);
}

/// Issue 24 item 12: a lone node in a new cluster cannot farm its subsidy. The subsidy is a rate
/// per unit (SPEC §6.1), so a 1 GiB node alone earns what one unit earns — under the lump sum it
/// earned the whole 20,000 ICNT — and capacity earns the same whether it comes as one node or
/// many.
#[test]
fn attack_farm_a_new_clusters_subsidy_with_a_lone_node() {
	use icn_growth_sim::{first_hp_alone, TIB};
	let scenario = Scenario::default();
	let rate = scenario.rate(&scenario.first);

	let lone = first_hp_alone(&scenario, 1, 1).expect("a lone 1 GiB node");
	assert!(lone.subsidy > 0, "the lone node's group was paid a subsidy");
	assert!(lone.subsidy <= rate, "one GiB earns at most one unit's rate");
	assert!(lone.claimed <= lone.subsidy, "claims never exceed the allocation");
	assert!(lone.claimed > 0, "the lone node is paid its units' rate");
	assert!(
		lone.claimed < icn_primitives::ICNT,
		"the lone node earned {} planck, far from the 20,000 ICNT a lump sum paid it",
		lone.claimed
	);

	// The first HPs are paid in proportion to what they commit: no first-comer's windfall per
	// unit, and nothing gained by splitting capacity into many nodes.
	let big = first_hp_alone(&scenario, 16 * TIB, 1).expect("one 16 TiB node");
	let split = first_hp_alone(&scenario, TIB, 16).expect("sixteen 1 TiB nodes");
	assert_eq!(big.capacity, split.capacity);
	assert_eq!(big.subsidy, split.subsidy, "splitting capacity does not raise the subsidy");
	assert!(split.claimed <= big.claimed.saturating_add(16), "nor the rewards, beyond rounding");
	assert!(split.claimed.saturating_add(16) >= big.claimed, "nor lowers them");
	assert!(big.claimed > 0);
	assert!(big.subsidy <= rate.saturating_mul(u128::from(big.capacity)));
	assert!(
		big.subsidy / u128::from(big.capacity) >= lone.subsidy / 2,
		"capacity is paid at the same rate per unit (up to the cap's small decline)"
	);
}
