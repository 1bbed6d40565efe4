#!/usr/bin/env bash
# The marketplace's figures (docs/performance.md): a dev chain filled with NODES storage nodes
# (client/web/bench/populate.mjs), then first contentful paint, the time to a full node table
# and the RPC requests per block in headless Chromium (client/web/bench/figures.mjs), 3 runs,
# written to docs/bench/web-figures-<nodes>.json.
#   scripts/web-figures.sh [nodes]   # default 1000; needs the release icn-node (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=env.sh
. scripts/env.sh
nodes="${1:-1000}"
port=$((20000 + RANDOM % 10000))
(cd client/web && npm run build --silent >/dev/null)
"$CARGO_TARGET_DIR/release/icn-node" --dev --tmp --rpc-port "$port" --no-prometheus \
	--no-telemetry >/tmp/icn-web-figures.log 2>&1 &
chain=$!
trap 'kill $chain 2>/dev/null' EXIT
export ICN_URL="ws://127.0.0.1:$port"
for _ in $(seq 60); do
	curl -sf -H 'content-type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"system_health"}' \
		"http://127.0.0.1:$port" >/dev/null && break
	sleep 1
done
cd client/web
node bench/populate.mjs "$nodes"
node bench/figures.mjs "$nodes" 5 | tee "../../docs/bench/web-figures-$nodes.json"
