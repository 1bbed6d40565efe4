#!/usr/bin/env bash
# Spawns the ICN local network with zombienet (native provider) and runs its tests.
#
#   zombienet/run.sh smoke   # blocks produced and finalized on 4 validators; oracles activate 3 nodes (~2 min)
#   zombienet/run.sh full    # + SP lease, rewards, SLA fault and recovery, validator kill/restart (~5 min)
#   zombienet/run.sh spawn   # just the network and the agents, until Ctrl-C (try it by hand)
#
# Needs the release build of `icn-node` and `icn` (./scripts/test.sh builds both, or
# `cargo build --release -p icn-node -p icn-client`) and Node.js; installs the pinned zombienet CLI
# from package-lock.json on first use. Everything runs on loopback in a temp dir
# (KEEP=1 keeps it for reading the nodes' logs).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=../scripts/env.sh
. ../scripts/env.sh

mode="${1:-full}"
case "$mode" in smoke | full | spawn) ;; *)
	echo "usage: $0 smoke|full|spawn" >&2
	exit 2
	;;
esac

export ICN_NODE="${ICN_NODE:-$CARGO_TARGET_DIR/release/icn-node}"
export ICN="${ICN:-$CARGO_TARGET_DIR/release/icn}"
for bin in "$ICN_NODE" "$ICN"; do
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin is missing: build with \`cargo build --release -p icn-node -p icn-client\`" >&2
		exit 1
	fi
done
if [ ! -x node_modules/.bin/zombienet ]; then
	npm ci --no-audit --no-fund
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/icn-zombienet.XXXXXX")
cleanup() {
	for pidfile in "$work"/agent-*/agent.pid; do
		[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
	done
	# zombienet's native provider leaves no node behind on a normal exit; on an interrupted run
	# its processes still carry our temp dir in their arguments.
	pkill -f -- "$work" 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then
		echo "run.sh: kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# The `local` chain spec (Alice–Dave as authorities, each with a HardwareProvider and an Oracle
# passport, two clusters with reward parameters) with short eras, so that faults, grace periods
# and rewards play out in minutes: 10-block eras (60 s), a challenge round every 5 blocks.
"$ICN_NODE" export-chain-spec --chain local >"$work/local-plain.json" 2>"$work/export.log"
# (Python, not Node: the spec's u128 balances must not pass through floating point.)
python3 - "$work/local-plain.json" 10 5 <<'PY'
import json, sys
path, era_length, period = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path) as f:
    spec = json.load(f)
patch = spec["genesis"]["runtimeGenesis"]["patch"]
patch.setdefault("slaOracle", {}).update(eraLength=era_length, challengePeriod=period)
with open(path, "w") as f:
    json.dump(spec, f)
PY
"$ICN_NODE" export-chain-spec --chain "$work/local-plain.json" --raw >"$work/icn-local.raw.json" 2>>"$work/export.log"
export ICN_ZOMBIENET_SPEC="$work/icn-local.raw.json"

# Three hardware agents beside the network, one per HP (Alice, Bob, Charlie), on loopback, each
# with the plot of its HP's genesis passport (0, 2, 4): the smallest plot, 256 chunks of 4 KiB,
# covers the 1,024 GiB node at the local chain's proof coverage (SPEC §5.8).
hps=(5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty
	5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y)
for i in 0 1 2; do
	dir="$work/agent-$i"
	mkdir -p "$dir"
	plot=$("$ICN_NODE" agent init --data-dir "$dir" --hp "${hps[$i]}" --passport $((2 * i)) --chunks 256)
	root=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["proof_root"])' "$plot")
	"$ICN_NODE" agent run --data-dir "$dir" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 >"$dir/agent.log" 2>&1 &
	echo $! >"$dir/agent.pid"
	listen=""
	for _ in $(seq 1 100); do
		listen=$(sed -n 's|.*on http://\([0-9.:]*\).*|\1|p' "$dir/agent.log" | head -1)
		[ -n "$listen" ] && break
		sleep 0.1
	done
	if [ -z "$listen" ]; then
		echo "run.sh: agent $i did not start:" >&2
		cat "$dir/agent.log" >&2
		exit 1
	fi
	export "ICN_AGENT_${i}_DIR=$dir" "ICN_AGENT_${i}_LISTEN=$listen" "ICN_AGENT_${i}_PLOT=$plot"
	echo "run.sh: agent $i serves http://$listen (proof root $root)"
done

zombienet=(node_modules/.bin/zombienet --provider native --logType text --dir "$work/network" --force)
start=$SECONDS
if [ "$mode" = spawn ]; then
	"${zombienet[@]}" spawn network.toml
else
	"${zombienet[@]}" test "$mode.zndsl"
	echo "run.sh: zombienet $mode passed in $((SECONDS - start)) s"
fi
