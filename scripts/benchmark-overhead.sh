#!/usr/bin/env bash
# Measures, on this machine, with a `runtime-benchmarks` build of icn-node on a dev chain:
#
#  1. `benchmark overhead`: the weight of an empty block and of a no-op extrinsic
#     (`System.remark` signed by Bob) -> runtime/src/weights/{block,extrinsic}_weights.rs, which
#     the runtime's `BlockWeights` use (`runtime/src/configs/system.rs`).
#  2. `benchmark extrinsic`: `System.remark` and `Balances.transfer_keep_alive` executed in
#     full blocks -> docs/bench/extrinsic.txt.
#
# Not `benchmark storage`: it measures the database on the state of the chain it is given, and a
# dev chain's state is ~70 keys, far from a production state; the runtime keeps ParityDB's
# reference constants (`ParityDbWeight`) for reads and writes (docs/performance.md).
#
# Run after `scripts/benchmark-pallets.sh` (same build). docs/performance.md discusses the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

WARMUP="${WARMUP:-10}"
REPEAT="${REPEAT:-100}"
cargo build --release --locked -p icn-node --features runtime-benchmarks
NODE="$CARGO_TARGET_DIR/release/icn-node"
DB="$(mktemp -d)"
trap 'rm -rf "$DB"' EXIT

"$NODE" benchmark overhead --chain dev --base-path "$DB/overhead" \
	--warmup "$WARMUP" --repeat "$REPEAT" --weight-path runtime/src/weights
# The generated files name the crates a runtime of its own would depend on; this runtime reaches
# them through the polkadot-sdk umbrella's frame_support.
for file in runtime/src/weights/block_weights.rs runtime/src/weights/extrinsic_weights.rs; do
	sed -i \
		-e 's/^use sp_core::parameter_types;/use polkadot_sdk::frame_support::parameter_types;/' \
		-e 's/use sp_weights::{constants::WEIGHT_REF_TIME_PER_NANOS, Weight};/use polkadot_sdk::frame_support::weights::{constants::WEIGHT_REF_TIME_PER_NANOS, Weight};/' \
		-e 's/use sp_weights::constants;/use polkadot_sdk::frame_support::weights::constants;/' \
		"$file"
done
rustfmt --edition 2021 runtime/src/weights/block_weights.rs runtime/src/weights/extrinsic_weights.rs

{
	echo "# scripts/benchmark-overhead.sh — $(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
	for extrinsic in "system remark" "balances transfer_keep_alive"; do
		set -- $extrinsic
		echo "## icn-node benchmark extrinsic --chain dev --pallet $1 --extrinsic $2 --warmup $WARMUP --repeat $REPEAT"
		"$NODE" benchmark extrinsic --chain dev --base-path "$DB/extrinsic" \
			--pallet "$1" --extrinsic "$2" --warmup "$WARMUP" --repeat "$REPEAT" 2>&1 |
			grep -E 'Executing|Total|Min|Max|Average|Median|Std|Percentiles|99th|95th|75th'
	done
} > docs/bench/extrinsic.txt
