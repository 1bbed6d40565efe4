#!/usr/bin/env bash
# Runs every test of the workspace: unit tests of primitives, runtime and node, and the
# integration tests that start real `icn-node` processes. One release build serves both the
# node binary and the tests, so the dependency tree is compiled once.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# shellcheck source=env.sh
. scripts/env.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The pallets whose benchmarks run as tests (`impl_benchmark_test_suite!`, every benchmark once in
# the pallet's mock runtime). They need the `runtime-benchmarks` feature, which the node's test
# build must not get (it would pull frame-benchmarking-cli), so they build separately.
BENCH_PALLETS=(
	-p pallet-passports -p pallet-collateral-delegation -p pallet-capacity-market -p pallet-sla-oracle
	-p pallet-cluster-rewards
)

# Build first, and refuse warnings in our own crates (cargo reports only those; dependencies'
# lints are capped).
{
	cargo test --release --workspace --locked --no-run
	cargo test --release --locked "${BENCH_PALLETS[@]}" --features runtime-benchmarks --no-run
} 2>&1 | tee "$log"
if grep -E '^warning' "$log"; then
	echo "test.sh: the build has warnings (see above); fix them." >&2
	exit 1
fi

cargo test --release --workspace --locked --no-fail-fast
cargo test --release --locked "${BENCH_PALLETS[@]}" --features runtime-benchmarks --no-fail-fast \
	-- benchmark
