# Sourced by the scripts: one persistent cargo target dir outside the clone, shared by every
# checkout on this machine, so a fresh clone (and CI) reuses what was already compiled.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/icn-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
