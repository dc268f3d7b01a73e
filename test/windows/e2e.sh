# The Windows e2e cases: test/e2e's case files, run by eksboot.exe under
# Wine inside the simulated node's network namespace (its wineserver
# started there, fresh for each case) by test/e2e's own harness, so the
# expected codes, exit code, hints, secret scan, and eksboot explain (the
# Linux build) reading the console back to the same verdict all hold for
# Windows too. Sourced by wine.sh, with WORK, WINEPREFIX and REPO set.
WINDOWS_CASES=(healthy sg-drop sg-reset resolver-down private-dns-off imds-down)

windows_e2e() {
	local c failed=0
	for c in "${WINDOWS_CASES[@]}"; do
		wineserver -k 2>/dev/null || true
		if (
			source "$REPO/test/e2e/lib.sh"
			SIM_BIN=$WORK/bin
			# eksboot.exe in the node's namespace; the Linux eksboot reads back.
			node_eksboot() { ns_n env WINEPREFIX="$WINEPREFIX" WINEDEBUG=-all WINEDLLOVERRIDES="$WINEDLLOVERRIDES" wine "$WORK/eksboot.exe" "$@"; }
			run_case "$REPO/test/e2e/cases/$c" windows
		) 2>"$WORK/case-$c.log"; then
			echo "ok    windows e2e $c"
		else
			echo "FAIL  windows e2e $c"; sed 's/^/      /' "$WORK/case-$c.log"; failed=1
		fi
	done
	wineserver -k 2>/dev/null || true
	return $failed
}
