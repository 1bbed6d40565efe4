#!/usr/bin/env bash
# Measures what docs/operations.md's reference hardware section states, on this machine, and
# writes docs/bench/operators.txt:
#   * a validator's start-up hardware benchmark (sc-sysinfo: the scores `icn-node` prints),
#   * a dev validator's resident memory after a minute of blocks,
#   * an agent's resident memory serving a 1 GiB plot under 100 concurrent challenges,
#   * the disk a plot takes per byte of plotted capacity.
# Needs the release node (`cargo test --release --workspace --no-run`). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
node_bin="$CARGO_TARGET_DIR/release/icn-node"
out=docs/bench/operators.txt
work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

{
	echo "# scripts/measure-operators.sh on $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "## validator: start-up hardware benchmark (icn-node --chain local --alice, sc-sysinfo)"
} | tee "$out"
"$node_bin" --chain local --alice --tmp --node-key 0000000000000000000000000000000000000000000000000000000000000001 --port "$(free_port)" --rpc-port "$(free_port)" \
	--prometheus-port "$(free_port)" --no-mdns >"$work/local.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
	grep -q "Disk score (rand. writes)" "$work/local.log" 2>/dev/null && break
	sleep 1
done
grep -o "🏁.*\|⚠️.*reference hardware.*" "$work/local.log" | tee -a "$out"
kill "${pids[-1]}"

echo "## validator: resident memory of a dev node after 60 s of blocks" | tee -a "$out"
rpc=$(free_port)
"$node_bin" --dev --tmp --rpc-port "$rpc" --port "$(free_port)" --prometheus-port "$(free_port)" \
	--no-mdns >"$work/dev.log" 2>&1 &
dev=$!
pids+=("$dev")
sleep 60
echo "icn-node --dev: VmRSS $(rss_mib "$dev") MiB" | tee -a "$out"
kill "$dev"

echo "## agent: a 1 GiB plot, 100 concurrent clients" | tee -a "$out"
"$node_bin" agent init --data-dir "$work/agent" --hp 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY \
	--passport 0 --size 1GiB >"$work/plot.json" 2>/dev/null
root=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proof_root"])' "$work/plot.json")
du -b "$work/agent"/plot-0-0/chunks.bin "$work/agent"/plot-0-0/tree.bin | tee -a "$out"
python3 - "$work/agent/plot-0-0" <<'PY' | tee -a "$out"
import os, sys
chunks = os.path.getsize(os.path.join(sys.argv[1], "chunks.bin"))
tree = os.path.getsize(os.path.join(sys.argv[1], "tree.bin"))
print(f"disk per plotted byte: {(chunks + tree) / chunks:.4f} (tree.bin {tree / chunks:.2%} of chunks.bin)")
print(f"a 1 TiB plot of 4 KiB chunks: {(chunks + tree) / chunks:.4f} TiB on disk")
PY
"$node_bin" agent run --data-dir "$work/agent" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
	>"$work/agent.log" 2>&1 &
agent=$!
pids+=("$agent")
addr=""
for _ in $(seq 1 100); do
	addr=$(sed -n 's|.*on http://\([0-9.:]*\).*|\1|p' "$work/agent.log" | head -1)
	[ -n "$addr" ] && break
	sleep 0.1
done
echo "agent idle: VmRSS $(rss_mib "$agent") MiB" | tee -a "$out"
python3 - "$addr" "$root" <<'PY'
import random, sys, threading, urllib.request
addr, root = sys.argv[1], sys.argv[2]
def client():
    for _ in range(50):
        idx = ",".join(str(random.randrange(262144)) for _ in range(16))
        urllib.request.urlopen(f"http://{addr}/v1/plots/{root}/challenge?indices={idx}").read()
threads = [threading.Thread(target=client) for _ in range(100)]
for t in threads: t.start()
for t in threads: t.join()
PY
echo "agent after 5,000 challenges of 16 chunks from 100 clients: VmRSS $(rss_mib "$agent") MiB" | tee -a "$out"
