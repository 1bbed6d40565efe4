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

# FEATURE_CRATES (scripts/env.sh) are built a second time with `runtime-benchmarks` and
# `try-runtime`: the pallets' benchmarks run as tests (`impl_benchmark_test_suite!`, every
# benchmark once in the pallet's mock runtime), and the runtime's `try_state` and upgrade checks
# run on the state the CLI's end-to-end test leaves. The node's test build must get neither
# feature (it would pull frame-benchmarking-cli), so they build separately, natively only
# (SKIP_WASM_BUILD: no wasm needed, and the wasm of the node's build stays as it is).
# Where the CLI's end-to-end test writes the chain state it leaves.
export ICN_E2E_STATE_OUT="$CARGO_TARGET_DIR/icn-e2e-state.json"
rm -f "$ICN_E2E_STATE_OUT"

# Build first, and refuse warnings in our own crates (cargo reports only those; dependencies'
# lints are capped).
{
	cargo test --release --workspace --locked --no-run
	SKIP_WASM_BUILD=1 cargo test --release --locked "${FEATURE_CRATES[@]}" --features "$FEATURES" \
		--no-run
} 2>&1 | tee "$log"
if grep -E '^warning' "$log"; then
	echo "test.sh: the build has warnings (see above); fix them." >&2
	exit 1
fi

cargo test --release --workspace --locked --no-fail-fast
SKIP_WASM_BUILD=1 cargo test --release --locked "${FEATURE_CRATES[@]}" --features "$FEATURES" \
	--no-fail-fast -- benchmark
test -s "$ICN_E2E_STATE_OUT" || {
	echo "test.sh: the end-to-end test left no state snapshot at $ICN_E2E_STATE_OUT" >&2
	exit 1
}
ICN_STATE_SNAPSHOT="$ICN_E2E_STATE_OUT" SKIP_WASM_BUILD=1 cargo test --release --locked \
	"${FEATURE_CRATES[@]}" --features "$FEATURES" -- --ignored try_state_and_upgrade_checks \
	2>&1 | tee "$log"
# A filter that matches nothing passes: make sure the check ran.
grep -q 'try_state_and_upgrade_checks_pass_on_a_chain_state_snapshot ... ok' "$log" || {
	echo "test.sh: the try-state check on the end-to-end state did not run" >&2
	exit 1
}
