#!/usr/bin/env bash
# Measures the proof-of-space plot (icn_primitives::pos) with criterion — one label, plotting in
# memory, an oracle's verification per challenge, and a 10% cheater's answer — and then
# `icn-node agent init` plotting to disk, and writes the summary to docs/bench/pos.txt. Not part
# of CI: it builds criterion. Needs the release node (`cargo test --release --workspace --no-run`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p docs/bench
out=docs/bench/pos.txt
cargo bench --manifest-path bench/merkle/Cargo.toml --bench pos -- --noplot 2>&1 \
	| grep -E "^(label|plot|verify|cheater)|time:|thrpt:|recomputed" | tee "$out"
# Plotting to disk with the agent, as an HP would: 1 GiB, one core.
node_bin="$CARGO_TARGET_DIR/release/icn-node"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
"$node_bin" agent init --data-dir "$work" --hp 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY \
	--passport 0 --size 1GiB >/dev/null 2>"$work/init.log"
end=$(date +%s.%N)
python3 - "$start" "$end" <<'PY' | tee -a "$out"
import sys
seconds = float(sys.argv[2]) - float(sys.argv[1])
print(f"agent init --size 1GiB (to disk, one core): {seconds:.1f} s = {60 / seconds:.2f} GiB/min")
PY
