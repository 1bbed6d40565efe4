#!/usr/bin/env bash
# Shows that the protocol's hot paths do not grow with the number of nodes, from the FRAME
# benchmarks on the runtime-benchmarks build of icn-node:
#
#   scripts/benchmark-scale.sh market    # a capacity request in a cluster of 10,000 vs 100,000
#                                        # nodes (SPEC §4.6): `request_capacity_in_cluster_of(n)`
#   scripts/benchmark-scale.sh rewards   # the era transition over MaxGroups groups with 1,000 vs
#                                        # 100,000 node shares stored (SPEC §6.3):
#                                        # `era_transition_with_nodes(n)`
#
# Each measurement is printed as a weight (measured time + ParityDB reads/writes, as `weights.rs`
# counts them), with the ratio between the two sizes and the share of a block's normal dispatch
# weight (75% of 2 s). The summary goes to docs/bench/<market-request|rewards-era>-scale.txt.
# REPEAT=10 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

REPEAT="${REPEAT:-10}"
case "${1:-market}" in
market)
	PALLET=pallet_capacity_market
	BENCH=request_capacity_in_cluster_of
	TITLE="request_capacity (MaxCandidates considered, MaxAllocations allocated) in a cluster of n nodes"
	NAME=market-request
	;;
rewards)
	PALLET=pallet_cluster_rewards
	BENCH=era_transition_with_nodes
	TITLE="era transition (on_initialize) over MaxGroups (cluster, class) groups with n node shares stored"
	NAME=rewards-era
	;;
*)
	echo "usage: $0 [market|rewards]" >&2
	exit 2
	;;
esac
# NODE and RUNTIME may name an already built runtime-benchmarks node and its wasm runtime.
if [ -z "${NODE:-}" ] && [ -z "${SKIP_RUN:-}" ]; then
	cargo build --release --locked -p icn-node --features runtime-benchmarks
	NODE="$CARGO_TARGET_DIR/release/icn-node"
	RUNTIME="$CARGO_TARGET_DIR/release/wbuild/icn-runtime/icn_runtime.compact.compressed.wasm"
fi
RAW="$CARGO_TARGET_DIR/$NAME-scale.json"
OUT="docs/bench/$NAME-scale.txt"
mkdir -p docs/bench

# SKIP_RUN=1 only re-reads the raw results of the last run.
[ -n "${SKIP_RUN:-}" ] || "$NODE" benchmark pallet \
	--runtime "$RUNTIME" \
	--genesis-builder runtime \
	--pallet "$PALLET" \
	--extrinsic "$BENCH" \
	--extra \
	--steps 2 \
	--repeat "$REPEAT" \
	--wasm-execution compiled \
	--heap-pages 4096 \
	--json-file "$RAW" >/dev/null

python3 - "$RAW" "$REPEAT" "$BENCH" "$TITLE" <<'PY' | tee "$OUT"
import json, statistics, sys
raw, repeat, bench, title = sys.argv[1:5]
READ_PS, WRITE_PS = 8_000_000, 50_000_000          # ParityDbWeight: 8 µs per read, 50 µs per write
NORMAL_PS = 2 * 10**12 * 75 // 100                  # 75% of a 2 s block
batch = next(b for b in json.load(open(raw)) if b["benchmark"] == bench)
def by_n(results):
    out = {}
    for r in results:
        out.setdefault(dict((c[0], c[1]) for c in r["components"])["n"], []).append(r)
    return out
times, dbs = by_n(batch["time_results"]), by_n(batch["db_results"])
print(title)
print(f"icn-node benchmark pallet --extra --steps 2 --repeat {repeat}; median time over the repeats;")
print("weight = time + reads × 8 µs + writes × 50 µs (ParityDbWeight), as weights.rs computes it")
print()
print(f"{'n':>8} {'time µs':>9} {'reads':>6} {'writes':>7} {'proof B':>8} {'weight µs':>10} {'% of normal block':>18}")
weights = {}
for n in sorted(times):
    t_ns = statistics.median(r["extrinsic_time"] for r in times[n])
    db = dbs[n][0]
    reads, writes = db["reads"], db["writes"]
    proof = statistics.median(r["proof_size"] for r in times[n])
    w = t_ns * 1000 + reads * READ_PS + writes * WRITE_PS
    weights[n] = w
    print(f"{n:>8} {t_ns/1000:>9.1f} {reads:>6} {writes:>7} {proof:>8.0f} {w/1e6:>10.1f} {100*w/NORMAL_PS:>17.3f}%")
lo, hi = min(weights), max(weights)
ratio = weights[hi] / weights[lo]
print()
print(f"weight ratio n={hi} / n={lo}: {ratio:.3f} (target ≤ 1.2)")
sys.exit(0 if ratio <= 1.2 and weights[hi] < NORMAL_PS / 100 else 1)
PY
