#!/usr/bin/env bash
# Runs every case in cases/ (or those named) in its own simulated VPC and
# checks its exit code, result codes and arguments file. Needs root.
#
#   test/e2e/run.sh [CASE...]
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
source ./bottlerocket.sh

[ "$(id -u)" = 0 ] || { log "the end-to-end cases need root (network namespaces)"; exit 1; }
sim_tools
export SIM_BIN

cases=("$@")
[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <(ls cases)

one_case() {
	if [[ $1 == bottlerocket-* ]]; then br_tools && run_bottlerocket_case "cases/$1"; else run_case "cases/$1"; fi
}
status=0
each_case e2e one_case "${cases[@]}" || status=$?
rm -rf "$SIM_BIN"
exit "$status"
