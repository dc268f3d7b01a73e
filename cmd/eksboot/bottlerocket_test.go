package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplainImageNotPulled: the console of a Bottlerocket node whose
// eksboot image was not pulled has no report, and explain says so in one
// line naming what the pull needs, exit 2.
func TestExplainImageNotPulled(t *testing.T) {
	console, err := os.ReadFile("../../diag/testdata/bottlerocket-pull-failed.txt")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "console.txt")
	if err := os.WriteFile(path, console, 0o644); err != nil {
		t.Fatal(err)
	}
	r := eksboot(t, map[string]string{}, "explain", path)
	if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 ||
		!strings.Contains(r.stderr, "failed before eksboot ran") || !strings.Contains(r.stderr, "ecr.api") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestExplainLatestBootCutShort: mode = "always" runs eksboot at every
// boot, so journalctl -u bootstrap-containers@eksboot holds a node's boots
// one after another. When the latest run has failures but no summary yet
// (eksboot still in --wait, or the journal read cut), explain must not
// give the previous boot's PASS as the node's verdict and exit 0.
func TestExplainLatestBootCutShort(t *testing.T) {
	journal, err := os.ReadFile("../../diag/testdata/bottlerocket-journal.txt")
	if err != nil {
		t.Fatal(err)
	}
	var earlier, latest []string
	for _, line := range strings.Split(string(journal), "\n") {
		if !strings.Contains(line, `"run":"5ca1ab1e"`) {
			continue
		}
		if !strings.Contains(line, `"msg":"summary"`) {
			latest = append(latest, line)
		}
		// The boot before: the same node, every check passing.
		if strings.Contains(line, `"status":"pass"`) || strings.Contains(line, `"msg":"summary"`) {
			l := strings.ReplaceAll(line, `"run":"5ca1ab1e"`, `"run":"0ldb007a"`)
			l = strings.NewReplacer(`"level":"ERROR"`, `"level":"INFO"`, `"status":"fail","passed":false`, `"status":"pass","passed":true`,
				`"warn":1,"fail":2`, `"warn":0,"fail":0`, `"failed":["ec2","ecr.dkr"],"codes":["dns_public","tcp_timeout","dns_mismatch"],`, ``).Replace(l)
			earlier = append(earlier, l)
		}
	}
	if len(latest) < 3 || !strings.Contains(strings.Join(latest, "\n"), `"code":"tcp_timeout"`) {
		t.Fatalf("the journal testdata changed: %d lines of run 5ca1ab1e", len(latest))
	}
	path := filepath.Join(t.TempDir(), "journal.txt")
	if err := os.WriteFile(path, []byte(strings.Join(append(earlier, latest...), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := eksboot(t, map[string]string{}, "explain", path)
	if r.code == 0 {
		t.Fatalf("exit 0 (every verdict passed) while the latest boot's run shows tcp_timeout; stdout %q, stderr %q", r.stdout, r.stderr)
	}
}
