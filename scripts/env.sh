# Sourced by the scripts: one persistent cargo target dir outside the clone, shared by every
# checkout on this machine, so a fresh clone (and CI) reuses what was already compiled.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/icn-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The crates `scripts/test.sh` builds a second time, natively, with `runtime-benchmarks` and
# `try-runtime` (the pallets' benchmark tests, the runtime's try-state checks). Scripts that run
# those tests use the same set and features so they reuse that build.
FEATURE_CRATES=(
	-p pallet-passports -p pallet-collateral-delegation -p pallet-capacity-market -p pallet-sla-oracle
	-p pallet-cluster-rewards -p icn-runtime
)
FEATURES=runtime-benchmarks,try-runtime
