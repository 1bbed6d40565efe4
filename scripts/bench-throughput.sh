#!/usr/bin/env bash
# Throughput of the protocol's hot calls versus balance transfers, on a real dev node.
#
#   scripts/bench-throughput.sh [accounts]      # default 4000; writes docs/bench/throughput.txt
#
# Starts a throwaway dev chain (`--dev` genesis with 4-block eras, a large transaction pool, on
# loopback, in a temp dir) and a hardware agent; through the `icn` CLI Alice registers as oracle,
# bonds and registers a 100,000-unit storage node that her oracle activates; then `icn bench`
# funds the accounts and submits, kind after kind, one pre-signed transaction per account:
# `balances.transfer_keep_alive`, `collateral.delegate`, `capacityMarket.request_capacity`,
# `collateral.claim_rewards`, and reads from the chain's blocks how many were included per block
# and per second. Needs the release build (`./scripts/test.sh` or
# `cargo build --release -p icn-node -p icn-client`).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=env.sh
. scripts/env.sh

accounts="${1:-4000}"
node_bin="$CARGO_TARGET_DIR/release/icn-node"
icn_bin="$CARGO_TARGET_DIR/release/icn"
out=docs/bench/throughput.txt
work=$(mktemp -d "${TMPDIR:-/tmp}/icn-bench.XXXXXX")
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$node_bin" export-chain-spec --chain dev >"$work/dev.json" 2>/dev/null
python3 - "$work/dev.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    spec = json.load(f)
spec["genesis"]["runtimeGenesis"]["patch"].setdefault("slaOracle", {})["eraLength"] = 4
with open(path, "w") as f:
    json.dump(spec, f)
PY

rpc=$(free_port)
"$node_bin" --chain "$work/dev.json" --alice --force-authoring --tmp \
	--unsafe-force-node-key-generation --rpc-port "$rpc" --listen-addr /ip4/127.0.0.1/tcp/0 \
	--no-mdns --no-telemetry --no-prometheus \
	--pool-limit 50000 --pool-kbytes 200000 >"$work/node.log" 2>&1 &
pids+=($!)
url="ws://127.0.0.1:$rpc"

# Alice's plot for passport 0: 100,000 GiB at the dev chain's coverage (2^-20) is ~98 MiB.
plot=$("$node_bin" agent init --data-dir "$work/agent" \
	--hp 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --passport 0 --size 98MiB)
"$node_bin" agent run --data-dir "$work/agent" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 >"$work/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
	agent=$(sed -n 's|.*on \(http://[0-9.:]*\).*|\1|p' "$work/agent.log" | head -1)
	[ -n "$agent" ] && break
	sleep 0.1
done

icn() { "$icn_bin" --url "$url" "$@"; }
for _ in $(seq 1 60); do
	icn show round >/dev/null 2>&1 && break
	sleep 1
done
# Alice's oracle key in the node's keystore, her oracle registered: she activates her own node.
python3 - "$rpc" <<'PY'
import json, sys, urllib.request
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "author_insertKey", "params": [
    "icno", "//Alice", "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"]}).encode()
urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}", body,
                       {"Content-Type": "application/json"})).read()
PY
icn --suri //Alice oracle register --passport 1 --oracle-suri //Alice >/dev/null
icn --suri //Alice hp bond 200000 >/dev/null
icn --suri //Alice hp register-node --passport 0 --cluster 0 --class storage --capacity 100000 \
	--price 0.01 --commitment-eras 100 --endpoint "$agent" --plot "$plot" >/dev/null
for _ in $(seq 1 60); do
	icn --json show nodes 0 | grep -q '"status":"Active"' && break
	sleep 3
done
icn --json show nodes 0 | grep -q '"status":"Active"' || {
	echo "bench-throughput: node 0 never became Active" >&2
	exit 1
}

start=$SECONDS
# Submissions in flight: enough that the pool holds more than a block's worth of transfers when
# the block is built (with 16, transfers arrived slower than a block could take them).
concurrency="${CONCURRENCY:-64}"
result=$(icn --suri //Alice bench --accounts "$accounts" --concurrency "$concurrency" \
	--hp 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --node 0)
{
	echo "# scripts/bench-throughput.sh $accounts — $(date -u +%Y-%m-%d), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
	echo "# dev chain (one validator, 6 s blocks), $accounts accounts, one transaction of each kind per account, $concurrency in flight"
	echo "$result"
} >"$out"
cat "$out"
echo "bench-throughput: $((SECONDS - start)) s; written to $out"
