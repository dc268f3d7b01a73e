//go:build unix

package bootstrap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestShellQuoteRoundTripsThroughBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed for this test")
	}
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "bootstrap.args")
	if err := os.WriteFile(argsFile, []byte(ShellJoin(hostileValues)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "-c", `eval "set -- $(cat "$1")"; printf '%s\0' "$@"`, "bash", argsFile)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(got) != len(hostileValues) {
		t.Fatalf("bash saw %d arguments, want %d: %q", len(got), len(hostileValues), got)
	}
	for i := range got {
		if got[i] != hostileValues[i] {
			t.Errorf("argument %d: bash saw %q, want %q", i, got[i], hostileValues[i])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
		t.Fatal("a quoted value ran a command")
	}
}
