#!/usr/bin/env bash
# Regenerates the committed raw chain spec of the local test network from the current runtime.
# The integration test `chain_spec::committed_local_raw_spec_matches_the_current_runtime` fails
# until this is run and the result committed whenever the runtime or its genesis changes.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/env.sh
. scripts/env.sh
# NODE may name an icn-node already built from this tree (e.g. by `scripts/test.sh`).
if [ -z "${NODE:-}" ]; then
	cargo build --release --locked -p icn-node
	NODE="$CARGO_TARGET_DIR/release/icn-node"
fi
"$NODE" export-chain-spec --chain local --raw \
	--output chain-specs/local.raw.json
