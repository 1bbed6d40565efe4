#!/usr/bin/env bash
# Regenerates every ICN pallet's `weights.rs` from its frame-benchmarking v2 benchmarks, measured on
# this machine by a `runtime-benchmarks` build of icn-node (the dev chain's runtime, compiled wasm).
#
#   scripts/benchmark-pallets.sh                 # all pallets
#   scripts/benchmark-pallets.sh passports       # one pallet (directory name under pallets/)
#   scripts/benchmark-pallets.sh pallet_balances # a FRAME pallet (see scripts/benchmark-frame.sh)
#
# The runtime-benchmarks node is a separate build (~30 min cold, a few minutes after a pallet
# change); CI never builds it. STEPS and REPEAT can be lowered for a quick look. The raw samples
# go to $CARGO_TARGET_DIR/bench-<pallet>.json (`benchmark pallet --json-input` re-analyzes them).
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

for name in "${PALLETS[@]}"; do
	case "$name" in
	# A FRAME pallet of the runtime (scripts/benchmark-frame.sh): weights in runtime/src/weights/.
	frame_* | pallet_*)
		pallet="$name"
		template=scripts/runtime-weight-template.hbs
		output="runtime/src/weights/$name.rs"
		;;
	# An ICN pallet, by its directory under pallets/.
	*)
		pallet="pallet_${name//-/_}"
		template=scripts/weight-template.hbs
		output="pallets/$name/src/weights.rs"
		;;
	esac
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
		--template "$template" \
		--json-file "$CARGO_TARGET_DIR/bench-$pallet.json" \
		--output "$output"
done
