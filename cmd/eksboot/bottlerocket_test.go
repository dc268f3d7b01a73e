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
