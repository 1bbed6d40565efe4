#!/usr/bin/env bash
# Measures the FRAME pallets of the runtime (system and its transaction extensions, balances,
# timestamp, transaction payment, sudo, utility) on this machine, the same way
# scripts/benchmark-pallets.sh measures the ICN pallets, and writes their weights to
# runtime/src/weights/<pallet>.rs, which runtime/src/configs/ use. Upstream's own weight files
# were measured on Parity's reference machine; with them a transfer would be priced for other
# hardware than a lease.
#
#   scripts/benchmark-frame.sh                  # all of them
#   scripts/benchmark-frame.sh pallet_balances  # one
#
# STEPS and REPEAT as in benchmark-pallets.sh (default 50 × 20).
set -euo pipefail
cd "$(dirname "$0")/.."

PALLETS=("$@")
if [ ${#PALLETS[@]} -eq 0 ]; then
	PALLETS=(frame_system frame_system_extensions pallet_balances pallet_timestamp
		pallet_transaction_payment pallet_sudo pallet_utility)
fi
exec scripts/benchmark-pallets.sh "${PALLETS[@]}"
