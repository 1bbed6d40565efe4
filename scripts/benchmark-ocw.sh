#!/usr/bin/env bash
# Measures what an oracle's off-chain worker spends verifying one challenge answer inside the
# runtime (issue 18's figure; SPEC §5.8): the sla-oracle extra benchmark
# `verify_challenge_in_runtime` — decoding the agent's answer and `pos::verify_challenge` of
# `ChunksPerChallenge` (16) chunks of a 256 × 4 KiB plot, each with its three parents — run by
# `icn-node benchmark pallet` in the runtime's wasm (compiled execution, as the node runs its
# off-chain workers). Writes docs/bench/ocw-verify.txt. Builds the `runtime-benchmarks` node
# (as scripts/benchmark-pallets.sh does); not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
REPEAT="${REPEAT:-50}"
cargo build --release --locked -p icn-node --features runtime-benchmarks
NODE="$CARGO_TARGET_DIR/release/icn-node"
RUNTIME="$CARGO_TARGET_DIR/release/wbuild/icn-runtime/icn_runtime.compact.compressed.wasm"
mkdir -p docs/bench
out=docs/bench/ocw-verify.txt
"$NODE" benchmark pallet \
	--runtime "$RUNTIME" \
	--genesis-builder runtime \
	--pallet pallet_sla_oracle \
	--extrinsic verify_challenge_in_runtime \
	--extra \
	--steps 1 \
	--repeat "$REPEAT" \
	--wasm-execution compiled \
	--heap-pages 4096 2>&1 | tee "$out.raw"
{
	echo "verify_challenge_in_runtime (wasm, compiled; $REPEAT repeats; $(date -u +%F))"
	grep -E "^Pallet:|Analysis|Time ~=" "$out.raw"
	echo "(Time in µs per call: one challenge answer decoded and verified.)"
} > "$out"
rm -f "$out.raw"
cat "$out"
