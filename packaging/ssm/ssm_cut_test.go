//go:build unix

package ssm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/diag"
)

// ssmInlineLimit is how much of a command's output SSM keeps inline
// (GetCommandInvocation's StandardOutputContent): the first 24,000
// characters.
const ssmInlineLimit = 24000

// TestSummarySurvivesTheInlineCut: a failing node that prints 30 KB still
// gives explain its verdict from the first 24,000 characters, with the
// results that survived, and no run without a verdict; the probe's exit
// code is the step's.
func TestSummarySurvivesTheInlineCut(t *testing.T) {
	bin := t.TempDir()
	var lines strings.Builder
	for i := range 300 {
		fmt.Fprintf(&lines, `{"time":"2026-11-29T10:00:00Z","level":"INFO","msg":"check %d passed, with some words to make it long enough","v":1,"run":"r1","check":"dns","endpoint":"e%d","status":"pass","code":"ok","ms":1}`+"\n", i, i)
	}
	lines.WriteString(`{"time":"2026-11-29T10:00:01Z","level":"ERROR","msg":"summary","v":1,"run":"r1","status":"fail","passed":false,"pass":300,"warn":0,"fail":1,"skip":0,"failed":["sts"],"codes":["tcp_timeout"],"instance_id":"i-1","ms":1000}` + "\n")
	os.WriteFile(filepath.Join(bin, "report"), []byte(lines.String()), 0o644)
	os.WriteFile(filepath.Join(bin, "eksboot"), []byte("#!/bin/sh\ncat \"$(dirname \"$0\")/report\"\nexit 1\n"), 0o755)
	d, _ := Parse()
	cmds, err := d.Commands("probeLinux", map[string]string{"ConfigSource": "/etc/eksboot/config.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", cmds)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v", err)
	}
	if len(out) <= ssmInlineLimit {
		t.Fatalf("the output (%d bytes) is not cut at all", len(out))
	}
	f := diag.NewFleet()
	f.Read(strings.NewReader(string(out[:ssmInlineLimit])), "stdout")
	rep := f.Last()
	// Its summary came first: the verdict is known, and what survived the cut is its report.
	if rep == nil || rep.Summary.Verdict.Passed || rep.Summary.Node.InstanceID != "i-1" || len(rep.Results) == 0 || len(f.Truncated) != 0 {
		t.Fatalf("%+v truncated %v", rep, f.Truncated)
	}
}

// ConfigSource auto: where nodeadm is installed (AL2023) the cluster is in
// the user data's NodeConfig; elsewhere (AL2, whose user data is a
// script) eksboot reads its own config file, so no --config is passed.
func TestConfigSourceAuto(t *testing.T) {
	d, _ := Parse()
	if def := d.Parameters["ConfigSource"].Default; def != "auto" {
		t.Fatalf("default %q", def)
	}
	cmds, err := d.Commands("probeLinux", map[string]string{"ConfigSource": "auto"})
	if err != nil {
		t.Fatal(err)
	}
	for nodeadm, want := range map[bool]string{true: "--config imds://user-data", false: ""} {
		bin := t.TempDir()
		os.WriteFile(filepath.Join(bin, "eksboot"), []byte("#!/bin/sh\necho \"$@\"\n"), 0o755)
		if nodeadm {
			os.WriteFile(filepath.Join(bin, "nodeadm"), []byte("#!/bin/sh\n"), 0o755)
		}
		cmd := exec.Command("bash", "-c", cmds)
		cmd.Env = append(os.Environ(), "PATH="+bin+":/usr/bin:/bin")
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out); want != "" && !strings.Contains(got, want) || want == "" && strings.Contains(got, "--config") {
			t.Errorf("nodeadm %v: %q", nodeadm, got)
		}
	}
}
