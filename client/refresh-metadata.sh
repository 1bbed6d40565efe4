#!/usr/bin/env bash
# Refreshes client/artifacts/icn.scale, the metadata the client's code is generated from, from the
# current runtime: starts a throwaway dev node (`--dev --tmp`, loopback), asks it for metadata V15
# (`Metadata_metadata_at_version`) and writes the bytes. The test `metadata_is_current` (in
# client/tests/metadata.rs) fails whenever the committed file differs from the runtime's.
#
#   client/refresh-metadata.sh              # builds icn-node with the test build first
#   NODE=path/to/icn-node client/refresh-metadata.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ -z "${NODE:-}" ]; then
	cargo test --release --workspace --locked --no-run
	NODE="$CARGO_TARGET_DIR/release/icn-node"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$NODE" --dev --tmp --rpc-port "$port" --listen-addr /ip4/127.0.0.1/tcp/0 --no-mdns \
	--no-telemetry --no-prometheus >/dev/null 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null || true' EXIT
python3 - "$port" client/artifacts/icn.scale <<'PY'
import json, sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "state_call",
                   "params": ["Metadata_metadata_at_version", "0x0f000000"]}).encode()
deadline = time.time() + 60
while True:
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{port}", body,
                                     {"Content-Type": "application/json"})
        result = json.load(urllib.request.urlopen(req, timeout=5))["result"]
        break
    except Exception:
        if time.time() > deadline:
            sys.exit("refresh-metadata: the dev node did not answer within 60 s")
        time.sleep(0.5)
raw = bytes.fromhex(result[2:])
assert raw[0] == 1, "the runtime has no metadata V15"
# SCALE compact length of the inner Vec<u8>.
mode = raw[1] & 3
if mode == 0:   n, off = raw[1] >> 2, 2
elif mode == 1: n, off = int.from_bytes(raw[1:3], "little") >> 2, 3
elif mode == 2: n, off = int.from_bytes(raw[1:5], "little") >> 2, 5
else:
    k = (raw[1] >> 2) + 4
    n, off = int.from_bytes(raw[2:2 + k], "little"), 2 + k
meta = raw[off:off + n]
assert meta[:4] == b"meta" and len(meta) == n, "unexpected metadata encoding"
open(out, "wb").write(meta)
print(f"wrote {out}: {len(meta)} bytes, metadata V{meta[4]}")
PY
