# shellcheck shell=bash
# The Windows e2e cases: test/e2e's case files, run by eksboot.exe under
# Wine inside the simulated node's network namespace (its wineserver
# started there, fresh for each case) by test/e2e's own harness, so the
# expected codes, exit code, hints, secret scan, and eksboot explain (the
# Linux build) reading the console back to the same verdict all hold for
# Windows too. eksboot.exe writes its console to COM1, its default, which
# the HKLM\Software\Wine\Ports key maps to the case's console file. Before
# each run, rootstore.exe adds the case's CA to the current user's Root
# store (test/windows/rootstore says why not the machine's alone).
# Sourced by wine.sh, with WORK and REPO set and Wine's environment
# exported (ip netns exec keeps it).
read -r -a WINDOWS_CASES <<<"${WINDOWS_CASES_ONLY:-healthy sg-drop sg-reset resolver-down private-dns-off imds-down}"

windows_e2e() {
	local c failed=0
	for c in "${WINDOWS_CASES[@]}"; do
		wineserver -k 2>/dev/null || true
		if (
			source "$REPO/test/e2e/lib.sh"
			SIM_BIN=$WORK/bin
			# eksboot.exe in the node's namespace, writing to COM1 as on EC2:
			# the case's console file becomes COM1 (mountmgr reads the Ports
			# key when the wineserver starts), and the Linux eksboot reads it
			# back.
			node_eksboot() {
				local args=() console=""
				while [ $# -gt 0 ]; do
					if [ "$1" = --console ]; then console=$2; shift 2; else args+=("$1"); shift; fi
				done
				ns_n wine reg add 'HKLM\Software\Wine\Ports' /v COM1 /d "$console" /f >/dev/null 2>&1
				ns_n wineserver -k 2>/dev/null || true
				ns_n wine "$WORK/rootstore.exe" "Z:$SIM_DIR/ca.pem" || return 3
				ns_n wine "$WORK/eksboot.exe" "${args[@]}"
			}
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

# windows_exec: run --exec, with the flags of the launch-template example
# (packaging/examples/windows-user-data.ps1; psgrammar.mjs holds the two
# together), hands over to Start-EKSBootstrap.ps1 through
# powershell.exe -EncodedCommand (our stand-in, found first on WINEPATH):
# the command is the script's path and the rendered line, so
# -ExcludedSnatCIDRs binds as an array, hostile values intact, and the
# script's exit code comes back as eksboot's.
windows_exec() (
	source "$REPO/test/e2e/lib.sh"
	# shellcheck disable=SC2034 # read by lib.sh
	SIM_BIN=$WORK/bin
	sim_defaults
	# shellcheck disable=SC2034 # read by lib.sh
	SIM_CONFIG=(--access EC2_WINDOWS)
	wineserver -k 2>/dev/null || true
	sim_up
	mkdir -p "$WINEPREFIX/drive_c/standin"
	cp "$WORK/powershell.exe" "$WINEPREFIX/drive_c/standin/powershell.exe"
	local extra='--max-pods=20 $(touch C:\x) `y` '"'z'"' & | ; %PATH%' ca code=0
	ca=$(cluster_ca)
	ns_n wine "$WORK/rootstore.exe" "Z:$SIM_DIR/ca.pem" || return 1
	ns_n env WINEPATH='C:\standin' \
		EKSBOOT_TEST_ARGV='C:\standin\argv' EKSBOOT_TEST_EXIT=7 \
		wine "$WORK/eksboot.exe" run --target windows --exec --wait 2m --cluster-name prod --apiserver-endpoint "https://$API_HOST" \
		--b64-cluster-ca "$ca" --service-ipv4-cidr 10.100.0.0/16 --timeout 1s --output json --console none \
		--args-file "Z:$SIM_DIR/args.ps1" --node-labels team=data --kubelet-extra-args "$extra" \
		--excluded-snat-cidrs 10.10.0.0/16,192.168.5.0/24 >"$SIM_DIR/out" 2>&1 || code=$?
	if [ "$code" != 7 ]; then
		log "run --exec: exit $code, want the script's 7"; cat "$SIM_DIR/out" >&2; return 1
	fi
	python3 - "$WINEPREFIX/drive_c/standin/argv" "$API_HOST" "$ca" "$extra" "$SIM_DIR/command" <<'PY' || return 1
import base64, json, sys
got = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
host, ca, extra = sys.argv[2:5]
want = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]
if got[:-1] != want:
    sys.exit("argv %r, want %r and the command" % (got, want))
command = base64.b64decode(got[-1]).decode("utf-16-le")
open(sys.argv[5], "w", encoding="utf-8").write(command)
q = lambda s: "'" + s.replace("'", "''") + "'"
params = [("-EKSClusterName", "prod"), ("-APIServerEndpoint", "https://" + host), ("-Base64ClusterCA", ca),
          ("-ServiceCIDR", "10.100.0.0/16"), ("-DNSClusterIP", "10.100.0.10"), ("-KubeletExtraArgs", "--node-labels=team=data " + extra)]
line = " ".join(n + " " + q(v) for n, v in params) + " -ExcludedSnatCIDRs '10.10.0.0/16','192.168.5.0/24'"
wantcmd = "& 'C:\\Program Files\\Amazon\\EKS\\Start-EKSBootstrap.ps1' " + line + "\nexit $LASTEXITCODE\n"
if command != wantcmd:
    sys.exit("the command is\n%s\nwant\n%s" % (command, wantcmd))
PY
	if grep -lF -f "$SIM_DIR/secrets.txt" "$SIM_DIR/out" "$WINEPREFIX/drive_c/standin/argv" "$SIM_DIR/command" >&2; then
		log "run --exec: those outputs carry a credential or a token"; return 1
	fi
)
