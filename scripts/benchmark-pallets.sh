#!/usr/bin/env bash
# Regenerates every ICN pallet's `weights.rs` from its frame-benchmarking v2 benchmarks, measured on
# this machine by a `runtime-benchmarks` build of icn-node (the dev chain's runtime, compiled wasm).
#
#   scripts/benchmark-pallets.sh                 # all pallets
#   scripts/benchmark-pallets.sh passports       # one pallet (directory name under pallets/)
#
# The runtime-benchmarks node is a separate build (~30 min cold, a few minutes after a pallet
# change); CI never builds it. STEPS and REPEAT can be lowered for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
PALLETS=("$@")
if [ ${#PALLETS[@]} -eq 0 ]; then
	PALLETS=(passports collateral-delegation capacity-market sla-oracle cluster-rewards)
fi

cargo build --release --locked -p icn-node --features runtime-benchmarks
NODE="$CARGO_TARGET_DIR/release/icn-node"
# The wasm runtime the build above just produced (with runtime-benchmarks); its `development`
# preset provides the genesis state.
RUNTIME="$CARGO_TARGET_DIR/release/wbuild/icn-runtime/icn_runtime.compact.compressed.wasm"

for dir in "${PALLETS[@]}"; do
	pallet="pallet_${dir//-/_}"
	echo "== $pallet"
	"$NODE" benchmark pallet \
		--runtime "$RUNTIME" \
		--genesis-builder runtime \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--template scripts/weight-template.hbs \
		--output "pallets/$dir/src/weights.rs"
done
