#!/usr/bin/env bash
# The Windows binary, run for real under Debian's Wine 8.0, in a Wine prefix
# of this run's own. Wine 8.0 lacks ProcessPrng, without which a Go 1.22+
# binary will not start: a test-only bcryptprimitives.dll of ours, built
# here from bcryptprimitives.c with Debian's mingw-w64, provides it inside
# the prefix only (and the WSAIoctl request Go's UDP sockets make). Checked:
# eksboot.exe version; render for every target, byte for byte the Linux
# build's output, to stdout and to a C:\ path; exit codes 0, 1, 2 and 3
# from Wine to the shell; explain on Windows of a report written on Linux;
# the Go tests that are not Linux-only (GOOS=windows go test -exec wine);
# and the Windows e2e cases (e2e.sh), which write their consoles to COM1,
# eksboot's default on Windows. Wine's error strings differ from
# Windows', so codes are compared, not texts.
set -euo pipefail
trap 'echo "FAIL  windows: wine.sh line $LINENO: exit $?" >&2' ERR # a step that stops the script says which
cd "$(dirname "$0")"
REPO=$(cd ../.. && pwd)
for tool in wine wineboot wineserver x86_64-w64-mingw32-gcc; do
	command -v "$tool" >/dev/null || { echo "missing $tool: make tools installs wine64 and gcc-mingw-w64-x86-64-win32"; exit 1; }
done
WORK=$(mktemp -d /tmp/eksboot-wine.XXXXXX)
export WINEPREFIX=$WORK/prefix WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree,mshtml="
cleanup() { wineserver -k 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

x86_64-w64-mingw32-gcc -shared -O2 -o "$WORK/bcryptprimitives.dll" bcryptprimitives.c bcryptprimitives.def -ladvapi32 -lws2_32
(cd "$REPO" && CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -o "$WORK/eksboot.exe" ./cmd/eksboot &&
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -o "$WORK/powershell.exe" ./test/windows/powershell &&
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -o "$WORK/rootstore.exe" ./test/windows/rootstore &&
	CGO_ENABLED=0 go build -o "$WORK/eksboot" ./cmd/eksboot)
wineboot -i >/dev/null 2>&1 # warm the prefix once, before the first run
cp "$WORK/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
# COM1 is a file of this run's, never the machine's own serial port.
: >"$WORK/com1"
wine reg add 'HKLM\Software\Wine\Ports' /v COM1 /d "$WORK/com1" /f >/dev/null 2>&1
wineserver -k 2>/dev/null || true

fails=0
fail() { echo "FAIL  windows: $*"; fails=$((fails + 1)); }
win() { wine "$WORK/eksboot.exe" "$@"; }

out=$(win version) || fail "version: exit $?"
[[ $out == "eksboot dev (commit none) go1."*" windows/amd64" ]] || fail "version says: $out"

ca=$(base64 -w0 "$REPO/test/testpki/ca.pem")
common=(--cluster-name prod --apiserver-endpoint https://ABC.gr7.eu-west-1.eks.amazonaws.com --b64-cluster-ca "$ca"
	--service-ipv4-cidr 10.100.0.0/16 --imds-endpoint http://127.0.0.1:1 --node-labels team=data
	--kubelet-extra-args '--max-pods=20 $(x) `y`')
for target in al2 al2023 windows bottlerocket; do
	extra=()
	# shellcheck disable=SC2054 # the comma is in the flag's value
	[ "$target" = windows ] && extra=(--kube-proxy-extra-args --v=2 --excluded-snat-cidrs 10.10.0.0/16,192.168.0.0/16)
	[ "$target" = bottlerocket ] && common_t=("${common[@]:0:12}") || common_t=("${common[@]}")
	linux=$("$WORK/eksboot" render --target "$target" "${common_t[@]}" "${extra[@]}") || fail "linux render $target"
	windows=$(win render --target "$target" "${common_t[@]}" "${extra[@]}") || fail "windows render $target: exit $?"
	[ "$linux" = "$windows" ] || fail "render $target differs: $(diff <(echo "$linux") <(echo "$windows") | head -5)"
done

win render --target windows "${common[@]}" --args-file 'C:\eksboot\out\bootstrap-args.ps1' || fail "render to C:\\: exit $?"
written=$WINEPREFIX/drive_c/eksboot/out/bootstrap-args.ps1
[ "$(cat "$written" 2>/dev/null)" = "$("$WORK/eksboot" render --target windows "${common[@]}")" ] || fail "the C:\\ file is not the render"

code=0; win render --target windows "${common[@]}" --service-ipv4-cidr 10.100.0.0 2>"$WORK/err" || code=$?
[ "$code" = 2 ] && grep -q '^eksboot: --service-ipv4-cidr: ' "$WORK/err" || fail "bad input: exit $code, $(cat "$WORK/err")"
mkdir -p "$WINEPREFIX/drive_c/eksboot"; echo x >"$WINEPREFIX/drive_c/eksboot/file"
code=0; win render --target windows "${common[@]}" --args-file 'C:\eksboot\file\args.ps1' 2>/dev/null || code=$?
[ "$code" = 3 ] || fail "a write that cannot succeed: exit $code, want 3"
cp "$REPO/diag/testdata/report.jsonl" "$WINEPREFIX/drive_c/eksboot/report.jsonl"
code=0; win explain 'C:\eksboot\report.jsonl' >"$WORK/explain" || code=$?
[ "$code" = 1 ] && grep -q '^verdict: FAIL' "$WORK/explain" || fail "explain of a failed report: exit $code"
code=0; "$WORK/eksboot" explain "$REPO/diag/testdata/report.jsonl" >"$WORK/explain.linux" || code=$?
cmp -s "$WORK/explain" "$WORK/explain.linux" || fail "explain on Windows and Linux differ"

# The Go tests, as Windows test binaries: every package's, less those
# marked Linux-only (*_linux_test.go, //go:build unix: the netns, bash, the
# IMDS mock, POSIX modes).
if (cd "$REPO" && CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go test -count=1 -exec wine ./...) >"$WORK/gotest.log" 2>&1; then
	echo "ok    windows go test -exec wine ($(grep -c '^ok' "$WORK/gotest.log") packages)"
else
	fail "GOOS=windows go test -exec wine"; grep -v '^ok\|no test files' "$WORK/gotest.log" | sed 's/^/      /'
fi

# The probes, for real, in the simulated VPC.
mkdir -p "$WORK/bin"
cp "$WORK/eksboot" "$WORK/bin/eksboot"
(cd "$REPO/test/e2e/vpcsim" && go build -o "$WORK/bin/vpcsim" .)
source ./e2e.sh
windows_e2e || fails=$((fails + 1))
if windows_exec 2>"$WORK/exec.log"; then
	echo "ok    windows run --exec (powershell.exe -EncodedCommand runs the script with the rendered line: -ExcludedSnatCIDRs an array, hostile values intact; the script's exit code is eksboot's)"
else
	echo "FAIL  windows run --exec"; sed 's/^/      /' "$WORK/exec.log"; fails=$((fails + 1))
fi

if [ "$fails" = 0 ]; then
	echo "ok    windows (eksboot.exe under Wine: version, render of every target byte for byte as on Linux, C:\\ paths, exit codes 0 1 2 3, explain, go test, six e2e cases)"
else
	exit 1
fi
