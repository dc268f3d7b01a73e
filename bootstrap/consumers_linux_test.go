package bootstrap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eksboot/eksboot/inputs"
)

// TestAL2DropInAsSystemdReadsIt plays AL2's bootstrap.sh: the arguments
// file evaluated by bash, then the kubelet drop-in written as the last AL2
// bootstrap.sh writes it (Environment='KUBELET_EXTRA_ARGS=...'), then
// systemd's own parser (systemd-analyze verify) over it. Every hostile
// value eksboot accepts for al2 must give one Environment line that
// systemd takes without a word, and kubelet must get, as its argv, the
// flags eksboot says it adds (see splitAsSystemd).
func TestAL2DropInAsSystemdReadsIt(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatal("systemd-analyze is not installed: make tools installs systemd")
	}
	dir := t.TempDir()
	unit := filepath.Join(dir, "kubelet.service")
	os.WriteFile(unit, []byte("[Unit]\nDescription=kubelet\n[Service]\nExecStart=/bin/true\n"), 0o644)
	os.Mkdir(unit+".d", 0o755)
	accepted := 0
	for _, extra := range append(hostileValues, argValues...) {
		if strings.TrimSpace(extra) == "" {
			continue
		}
		v := validValues()
		v[inputs.FlagTarget], v[inputs.FlagKubeletExtraArgs] = []string{"al2"}, []string{extra}
		c, err := inputs.Resolve(v, noHost, noIMDS(), testNow, true)
		if err != nil {
			continue // refused with exit 2: TestExtraArgsBootstrapShCannotCarry
		}
		accepted++
		line, _ := Render(c)
		args := filepath.Join(dir, "bootstrap.args")
		os.WriteFile(args, line, 0o644)
		dropIn := filepath.Join(unit+".d", "30-kubelet-extra-args.conf")
		script := `dropin=$2; eval "set -- $(cat "$1")"; shift
while [ $# -gt 0 ]; do case $1 in --kubelet-extra-args) KUBELET_EXTRA_ARGS=$2; shift 2;; *) shift;; esac; done
cat << EOF > "$dropin"
[Service]
Environment='KUBELET_EXTRA_ARGS=$KUBELET_EXTRA_ARGS'
EOF`
		cmd := exec.Command("bash", "-c", script, "bash", args, dropIn)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%q: %v %s", extra, err, out)
		}
		data, _ := os.ReadFile(dropIn)
		if got := strings.Count(string(data), "\n"); got != 2 {
			t.Errorf("%q: the drop-in has %d lines:\n%s", extra, got, data)
		}
		out, err := exec.Command("systemd-analyze", "verify", "--man=no", unit).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Errorf("%q: systemd says: %v %s", extra, err, out)
		}
		value := strings.TrimSuffix(strings.SplitN(string(data), "\n", 3)[1], "'")
		wantArgv(t, extra, strings.TrimPrefix(value, "Environment='KUBELET_EXTRA_ARGS="), c.KubeletFlags())
		if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
			t.Fatalf("%q ran a command", extra)
		}
	}
	if accepted < 10 {
		t.Fatalf("only %d values accepted: the test proves little", accepted)
	}
}

// argValues are kubelet lines whose argv a consumer could change: quotes
// and backslashes systemd takes as such, and white space Go's
// strings.Fields splits at but systemd does not.
var argValues = []string{
	"--node-labels=a=b --max-pods=58", `--v=2 "$(touch CANARY)"`, "--provider-id=it's --max-pods=20",
	"--a=x\u0085y --b", "--a=x\u00a0y --b", "--a=x\u2028y --b", "--a=b\\ c", "--v=2 \xff",
}

// TestAL2023EnvironmentAsSystemdReadsIt plays nodeadm: the NodeConfig's
// kubelet flags joined with spaces into /etc/eks/kubelet/environment as
// NODEADM_KUBELET_ARGS=..., which kubelet.service reads with
// EnvironmentFile= and expands in ExecStart=/usr/bin/kubelet
// $NODEADM_KUBELET_ARGS. kubelet must get the flags eksboot wrote.
func TestAL2023EnvironmentAsSystemdReadsIt(t *testing.T) {
	accepted := 0
	for _, extra := range append(hostileValues, argValues...) {
		v := validValues()
		v[inputs.FlagTarget], v[inputs.FlagKubeletExtraArgs] = []string{"al2023"}, []string{extra}
		c, err := inputs.Resolve(v, noHost, noIMDS(), testNow, true)
		if err != nil {
			continue // refused with exit 2: TestExtraArgsServiceManagerWouldChange
		}
		accepted++
		line := "NODEADM_KUBELET_ARGS=" + strings.Join(c.KubeletFlags(), " ")
		wantArgv(t, extra, strings.TrimPrefix(line, "NODEADM_KUBELET_ARGS="), c.KubeletFlags())
	}
	if accepted < 10 {
		t.Fatalf("only %d values accepted: the test proves little", accepted)
	}
}

// wantArgv checks that the value systemd expands for $VAR gives kubelet
// the argv want. No systemd runs as PID 1 here to run a unit, so the
// expansion is systemd's rule, in two halves: what systemd would unquote
// or unescape (' " \) or drop (a value not UTF-8) must not be in the
// value at all, and the split is bash's word splitting at IFS=" \t\n",
// systemd's WHITESPACE but \r, which eksboot refuses as a control character.
func wantArgv(t *testing.T, extra, value string, want []string) {
	t.Helper()
	if !utf8.ValidString(value) || strings.ContainsAny(value, `'"\`) {
		t.Errorf("%q: systemd would change %q before kubelet sees it", extra, value)
		return
	}
	out, err := exec.Command("bash", "-c", `set -f; IFS=$' \t\n'; printf '%s\0' $1`, "bash", value).Output()
	if err != nil {
		t.Fatalf("%q: %v", extra, err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(want) == 0 {
		want = []string{""}
	}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("%q: kubelet gets %q, eksboot says %q", extra, got, want)
	}
}
