#!/usr/bin/env bash
# Runs every pallet's `try_state` and the runtime-upgrade checks (pre/post upgrade hooks, storage
# versions) of this checkout's runtime on the state of a live chain: before shipping a runtime,
# point it at a node of the chain it will upgrade.
#
#   scripts/try-state.sh [http://127.0.0.1:9944] [block-hash]
#
# Reads the whole state over JSON-RPC (state_getKeysPaged + state_queryStorageAt; the node must
# serve them, e.g. `--rpc-methods unsafe` on a node of your own) into a snapshot file, then runs
# the runtime's snapshot test natively with `try-runtime` (tests.rs,
# `try_state_and_upgrade_checks_pass_on_a_chain_state_snapshot`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

URL="${1:-http://127.0.0.1:9944}"
AT="${2:-}"
SNAPSHOT="$(mktemp --suffix .json)"
trap 'rm -f "$SNAPSHOT"' EXIT

python3 - "$URL" "$AT" "$SNAPSHOT" <<'PY'
import json, sys, urllib.request
url, at, out = sys.argv[1], sys.argv[2] or None, sys.argv[3]
def rpc(method, params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(req, timeout=60))
    if "error" in answer:
        sys.exit(f"{method}: {answer['error']}")
    return answer["result"]
at = at or rpc("chain_getBlockHash", [])
pairs, start = {}, None
while True:
    keys = rpc("state_getKeysPaged", ["0x", 1000, start, at])
    if keys:
        for key, value in rpc("state_queryStorageAt", [keys, at])[0]["changes"]:
            if value is not None:
                pairs[key] = value
    if len(keys) < 1000:
        break
    start = keys[-1]
json.dump(pairs, open(out, "w"))
print(f"snapshot of block {at}: {len(pairs)} keys", file=sys.stderr)
PY

# The same crates and features as scripts/test.sh, so its build is reused.
ICN_STATE_SNAPSHOT="$SNAPSHOT" SKIP_WASM_BUILD=1 cargo test --release --locked \
	"${FEATURE_CRATES[@]}" --features "$FEATURES" -- --ignored try_state_and_upgrade_checks \
	--nocapture
