#!/usr/bin/env bash
# Installs what building ICN Chain needs, if missing: protoc (libp2p), the pinned Rust toolchain
# with its wasm targets and rust-src. Idempotent: a no-op on a machine that has everything.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v protoc >/dev/null 2>&1; then
	echo "setup: installing protobuf-compiler"
	as_root apt-get install -y -q protobuf-compiler >/dev/null 2>&1 || {
		as_root apt-get update -q >/dev/null
		as_root apt-get install -y -q protobuf-compiler >/dev/null
	}
fi

if ! command -v rustup >/dev/null 2>&1; then
	echo "setup: installing rustup"
	curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
	# shellcheck disable=SC1091
	. "$HOME/.cargo/env"
fi

# The toolchain, components and targets pinned in rust-toolchain.toml. Installed only when
# something is missing: re-running `rustup toolchain install` rewrites the toolchain in place,
# which breaks any build running at the same time.
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
have_all() {
	local targets components
	targets=$(rustup +"$toolchain" target list --installed 2>/dev/null) || return 1
	components=$(rustup +"$toolchain" component list --installed 2>/dev/null) || return 1
	grep -qx wasm32-unknown-unknown <<<"$targets" && grep -qx wasm32v1-none <<<"$targets" &&
		grep -q '^rust-src' <<<"$components" && grep -q '^rustfmt' <<<"$components"
}
if ! have_all; then
	echo "setup: installing Rust $toolchain with wasm targets and rust-src"
	rustup toolchain install "$toolchain" --profile minimal --no-self-update \
		--component rustfmt,clippy,rust-src --target wasm32-unknown-unknown,wasm32v1-none
fi

# Node.js for the polkadot.js client scripts (client/js) and their test, and their locked
# dependencies (npm registry).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "setup: installing nodejs and npm"
	as_root apt-get install -y -q nodejs npm >/dev/null 2>&1 || {
		as_root apt-get update -q >/dev/null
		as_root apt-get install -y -q nodejs npm >/dev/null
	}
fi
if [ ! -d client/js/node_modules/@polkadot/api ]; then
	echo "setup: npm ci in client/js"
	(cd client/js && npm ci --no-audit --no-fund --loglevel=error)
fi
# The marketplace web app (client/web): its locked dependencies, and Debian's Chromium for its
# browser test (playwright-core drives the system browser; browser downloads do not work here).
# `npm ci` again when the lockfile changed since the last install.
if [ ! -d client/web/node_modules/playwright-core ] ||
	[ client/web/package-lock.json -nt client/web/node_modules/.package-lock.json ]; then
	echo "setup: npm ci in client/web"
	(cd client/web && npm ci --no-audit --no-fund --loglevel=error)
fi
if ! command -v chromium >/dev/null 2>&1; then
	echo "setup: installing chromium"
	as_root apt-get install -y -q chromium >/dev/null 2>&1 || {
		as_root apt-get update -q >/dev/null
		as_root apt-get install -y -q chromium >/dev/null
	}
fi
# The operators' tests (node/tests/integration/operators.rs): nginx as the TLS-terminating
# reverse proxy in front of an agent (docs/operations.md), openssl for its certificates, and
# systemd-analyze to lint the packaged units. Each `tool:package`.
for pair in nginx:nginx openssl:openssl systemd-analyze:systemd; do
	tool=${pair%%:*} package=${pair#*:}
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "setup: installing $package"
		as_root apt-get install -y -q "$package" >/dev/null 2>&1 || {
			as_root apt-get update -q >/dev/null
			as_root apt-get install -y -q "$package" >/dev/null
		}
	fi
done
