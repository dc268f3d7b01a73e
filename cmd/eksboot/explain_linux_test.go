package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestExplainSkipsWhatIsNotAFile: a FIFO behind a symlink, a symlink to
// /dev/zero, a dangling symlink and a loop among the outputs are counted
// and skipped; the node's report is still shown.
func TestExplainSkipsWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "stdout"), []byte(`{"time":"2026-11-29T10:00:01Z","level":"INFO","msg":"summary","v":1,"run":"r1","status":"pass","passed":true,"pass":9,"warn":0,"fail":0,"skip":0,"instance_id":"i-1","ms":1000}`+"\n"), 0o644)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Symlink(fifo, filepath.Join(dir, "a-fifo"))
	os.Symlink("/dev/zero", filepath.Join(dir, "b-zero"))
	os.Symlink(filepath.Join(dir, "absent"), filepath.Join(dir, "c-dangling"))
	os.Symlink(filepath.Join(dir, "d-loop2"), filepath.Join(dir, "d-loop1"))
	os.Symlink(filepath.Join(dir, "d-loop1"), filepath.Join(dir, "d-loop2"))
	done := make(chan result, 1)
	go func() { done <- eksboot(t, map[string]string{}, "explain", dir) }()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute): // a guard against a hang, not a measure
		t.Fatal("explain blocked on an input")
	}
	if r.code != 0 || !strings.Contains(r.stdout, "i-1") || !strings.Contains(r.stderr, "5 inputs skipped") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
