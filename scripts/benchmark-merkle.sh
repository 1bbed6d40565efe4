#!/usr/bin/env bash
# Measures challenge verification (icn_primitives::merkle::verify_challenge) with criterion and
# writes the summary to docs/bench/merkle.txt. Not part of CI: it builds criterion.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p docs/bench
cargo bench --manifest-path bench/merkle/Cargo.toml --bench merkle -- --noplot 2>&1 \
	| grep -E "^(verify_challenge|leaf_hash)|time:|thrpt:" | tee docs/bench/merkle.txt
