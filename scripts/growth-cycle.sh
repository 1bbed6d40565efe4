#!/usr/bin/env bash
# Reruns the growth-cycle simulation (runtime/sim, docs/growth-cycle.md) on the native runtime and
# rewrites docs/growth-cycle.csv and docs/growth-cycle.svg. Builds with the same command as the
# tests (`cargo test --release --workspace --no-run`), so it reuses the test build instead of
# compiling the dependency tree a second time with other features.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo test --release --workspace --locked --no-run
"$CARGO_TARGET_DIR/release/icn-growth-sim" docs
