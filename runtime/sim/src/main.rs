//! `icn-growth-sim [OUT_DIR]`: runs the default growth-cycle scenario on the native runtime and
//! writes `growth-cycle.csv` and `growth-cycle.svg` to `OUT_DIR` (default `docs/`).

use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
	let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "docs".into()));
	let run = || -> Result<(), String> {
		let rows = icn_growth_sim::run(&icn_growth_sim::Scenario::default())?;
		let svg = icn_growth_sim::svg(&rows)?;
		for (name, body) in
			[("growth-cycle.csv", icn_growth_sim::csv(&rows)), ("growth-cycle.svg", svg)]
		{
			let path = dir.join(name);
			std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
			println!("wrote {}", path.display());
		}
		Ok(())
	};
	match run() {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("icn-growth-sim: {e}");
			ExitCode::FAILURE
		},
	}
}
