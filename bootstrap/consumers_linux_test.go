package bootstrap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/inputs"
)

// TestAL2DropInAsSystemdReadsIt plays AL2's bootstrap.sh: the arguments
// file evaluated by bash, then the kubelet drop-in written as the last AL2
// bootstrap.sh writes it (Environment='KUBELET_EXTRA_ARGS=...'), then
// systemd's own parser (systemd-analyze verify) over it. Every hostile
// value eksboot accepts for al2 must give one Environment line that
// systemd takes without a word.
func TestAL2DropInAsSystemdReadsIt(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatal("systemd-analyze is not installed: make tools installs systemd")
	}
	dir := t.TempDir()
	unit := filepath.Join(dir, "kubelet.service")
	os.WriteFile(unit, []byte("[Unit]\nDescription=kubelet\n[Service]\nExecStart=/bin/true\n"), 0o644)
	os.Mkdir(unit+".d", 0o755)
	accepted := 0
	for _, extra := range append(hostileValues, "--node-labels=a=b --max-pods=58", `--v=2 "$(touch CANARY)"`) {
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
		if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
			t.Fatalf("%q ran a command", extra)
		}
	}
	if accepted < 10 {
		t.Fatalf("only %d values accepted: the test proves little", accepted)
	}
}
