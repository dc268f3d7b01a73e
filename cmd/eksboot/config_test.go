package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplainReadsNoLocalConfig: explain runs on workstations, so a broken
// config file where a node keeps one must not stop it.
func TestExplainReadsNoLocalConfig(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "config.yaml")
	os.WriteFile(broken, []byte("{{ not yaml"), 0o644)
	report := filepath.Join(dir, "node.jsonl")
	os.WriteFile(report, []byte(`{"time":"2026-11-29T10:00:01Z","level":"INFO","msg":"summary","v":1,"run":"r1","status":"pass","passed":true,"pass":9,"warn":0,"fail":0,"skip":0,"instance_id":"i-0123456789abcdef0","ms":10}`+"\n"), 0o644)
	r := eksboot(t, map[string]string{"EKSBOOT_CONFIG": broken}, "explain", report)
	if r.code != 0 || strings.Contains(r.stderr, "config") {
		t.Fatalf("explain read the local config: exit %d %s", r.code, r.stderr)
	}
	if p := eksboot(t, map[string]string{"EKSBOOT_CONFIG": broken}, "probe", "--output", "json"); p.code != 2 || !strings.Contains(p.stderr, "config") {
		t.Fatalf("probe must still read (and refuse) it: exit %d %s", p.code, p.stderr)
	}
}
