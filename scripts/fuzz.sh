#!/usr/bin/env bash
# Builds and runs the runtime fuzzer (fuzz/, cargo-fuzz + libFuzzer on nightly) for a fixed time
# budget, and prints what it found. A crash stops it with the input in
# fuzz/artifacts/runtime/; `scripts/fuzz.sh replay <file>` replays one.
#
#   scripts/fuzz.sh [seconds]          # default 600
#   JOBS=2 scripts/fuzz.sh [seconds]   # libFuzzer's fork mode: 2 fuzzing processes (both cores)
#   scripts/fuzz.sh replay <artifact>
#
# The fuzz build is its own workspace (nightly, coverage instrumentation, the runtime with
# `try-runtime`), under $CARGO_TARGET_DIR/fuzz so it never touches the node's build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# The nightly this was last run with (docs/reliability.md); libFuzzer needs a nightly rustc.
NIGHTLY="${NIGHTLY:-nightly}"
rustup toolchain list | grep -q "^$NIGHTLY" || rustup toolchain install "$NIGHTLY" --profile minimal
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked --version 0.13.2

cd fuzz
# The runtime's wasm is not needed natively; -s none: safe Rust, no AddressSanitizer slowdown.
export SKIP_WASM_BUILD=1
FUZZ=(cargo "+$NIGHTLY" fuzz run runtime -s none --no-trace-compares --target-dir "$CARGO_TARGET_DIR/fuzz")
if [ "${1:-}" = replay ]; then
	exec "${FUZZ[@]}" "$2"
fi
BUDGET="${1:-600}"
mkdir -p corpus/runtime
FORK=()
if [ -n "${JOBS:-}" ]; then FORK=(-fork="$JOBS"); fi
"${FUZZ[@]}" corpus/runtime -- -max_total_time="$BUDGET" -max_len=2048 -len_control=0 -rss_limit_mb=4096 \
	-print_final_stats=1 "${FORK[@]}"
