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

# Build first, and refuse warnings in our own crates (cargo reports only those; dependencies'
# lints are capped).
cargo test --release --workspace --locked --no-run 2>&1 | tee "$log"
if grep -E '^warning' "$log"; then
	echo "test.sh: the build has warnings (see above); fix them." >&2
	exit 1
fi

cargo test --release --workspace --locked --no-fail-fast
