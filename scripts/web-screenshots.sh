#!/usr/bin/env bash
# Regenerates the marketplace screenshots in docs/web/ (shown in the README): runs the browser
# test (node/tests/integration/web.rs: a real dev chain, an agent, Chromium) with ICN_SCREENSHOTS
# set, so it saves each page as it checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# shellcheck source=env.sh
. scripts/env.sh
ICN_SCREENSHOTS="$PWD/docs/web" cargo test --release --locked --workspace --test integration \
	web_marketplace -- --nocapture
ls -l docs/web/*.png
