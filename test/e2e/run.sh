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

passed=0 failed=0
for c in "${cases[@]}"; do
	runner=run_case
	if [[ $c == bottlerocket-* ]]; then runner=run_bottlerocket_case; br_tools; fi
	start=$(date +%s%N)
	if ( "$runner" "cases/$c" ) 2>"/tmp/eksboot-e2e-$c.log"; then
		passed=$((passed + 1)); echo "ok    $c ($((($(date +%s%N) - start) / 1000000)) ms)"
	else
		failed=$((failed + 1)); echo "FAIL  $c"; sed 's/^/      /' "/tmp/eksboot-e2e-$c.log"
	fi
	rm -f "/tmp/eksboot-e2e-$c.log"
done
rm -rf "$SIM_BIN"
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
