//go:build unix

package bootstrap

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/inputs"
)

func TestAL2LineIsBootstrapShArgv(t *testing.T) {
	for _, extra := range hostileValues {
		if strings.TrimSpace(extra) == "" {
			continue
		}
		if strings.ContainsFunc(extra, func(r rune) bool { return strings.ContainsRune(`'"%\`, r) || r < 0x20 || r == 0x7f }) {
			continue // refused for AL2: TestExtraArgsServiceManagerWouldChange
		}
		c := resolveTarget(t, inputs.TargetAL2, inputs.Values{inputs.FlagKubeletExtraArgs: {extra}, inputs.FlagNodeLabels: {"a=b"}})
		line, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(strings.TrimSuffix(string(line), "\n"), "\n") != strings.Count(strings.TrimSpace(extra), "\n") {
			t.Errorf("%q: line breaks outside the quoted value: %q", extra, line)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "bootstrap.args")
		if err := os.WriteFile(file, line, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "-c", `eval "set -- $(cat "$1")"; printf '%s\0' "$@"`, "bash", file)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash: %v", err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		want := AL2Args(c)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: bash argv %q, want %q", extra, got, want)
		}
		if last := got[len(got)-1]; last != "--node-labels=a=b "+strings.TrimSpace(extra) {
			t.Errorf("kubelet extra args came back as %q", last)
		}
		if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
			t.Fatalf("%q ran a command", extra)
		}
	}
}

// TestHandoverToNodeadm: nodeadm reads the user data first, then the
// drop-in directory as nodeadm-run.service does, or a drop-in elsewhere by
// its absolute file:// URL.
func TestHandoverToNodeadm(t *testing.T) {
	for file, want := range map[string]string{
		"/etc/eks/nodeadm.d/eksboot.yaml": "file:///etc/eks/nodeadm.d/",
		"/run/eksboot/nc.yaml":            "file:///run/eksboot/nc.yaml",
	} {
		c := resolveTarget(t, inputs.TargetAL2023, inputs.Values{inputs.FlagArgsFile: {file}})
		if _, argv, _ := HandoverCommand(c); strings.Join(argv, " ") != NodeadmPath+" init --config-source imds://user-data --config-source "+want {
			t.Fatalf("al2023 %s: %q", file, argv)
		}
	}
}
