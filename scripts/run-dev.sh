#!/usr/bin/env bash
# Installs what is missing, builds icn-node and starts a single-validator development chain
# (Alice authors and finalizes; state in a temporary directory, gone when the node stops), and
# serves the marketplace web app (client/web, built with `npm run build`) next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# shellcheck source=env.sh
. scripts/env.sh

cargo build --release --locked -p icn-node
node="$CARGO_TARGET_DIR/release/icn-node"
port="${RPC_PORT:-9944}"
web_port="${WEB_PORT:-8080}"
(cd client/web && npm run build --silent >/dev/null)
node client/web/serve.mjs "$web_port" >/dev/null &
web=$!
trap 'kill $web 2>/dev/null' EXIT

cat <<MSG

  ICN development chain starting.
  RPC (WebSocket and HTTP):   ws://127.0.0.1:${port}
  Marketplace (web app):      http://127.0.0.1:${web_port}/?rpc=ws%3A%2F%2F127.0.0.1%3A${port}
  polkadot.js Apps:           https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A${port}#/explorer
  Prometheus metrics:         http://127.0.0.1:9615/metrics
  Stop with Ctrl-C.

MSG
"$node" --dev --tmp --rpc-port "$port" --rpc-cors all "$@"
