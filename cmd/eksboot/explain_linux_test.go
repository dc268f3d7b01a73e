package main

import (
	"fmt"
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

// TestExplainSaysTruncated: an input cut before any summary (SSM's inline
// output) is named truncated, not "no eksboot report found".
func TestExplainSaysTruncated(t *testing.T) {
	cut := filepath.Join(t.TempDir(), "stdout")
	os.WriteFile(cut, []byte(`{"time":"2026-11-29T10:00:00Z","level":"ERROR","msg":"sts: TCP 443 timed out","v":1,"run":"r1","check":"tcp","endpoint":"sts","status":"fail","code":"tcp_timeout","ms":1000}`+"\n"+`{"time":"2026-11-29T10:00:00Z","level":"INFO","msg":"ok","v":1,"ru`), 0o644)
	r := eksboot(t, map[string]string{}, "explain", cut)
	if r.code != 2 || !strings.Contains(r.stderr, "truncated") || strings.Contains(r.stderr, "no eksboot report found") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestExplainReadsWhatTheCommandLineNames: a pipe named as an argument
// (process substitution, <(aws ec2 get-console-output ...)) is read, and a
// symlink to a directory (an S3 sync dir linked in) is walked.
func TestExplainReadsWhatTheCommandLineNames(t *testing.T) {
	report := `{"time":"2026-11-29T10:00:01Z","level":"INFO","msg":"summary","v":1,"run":"r1","status":"pass","passed":true,"pass":9,"warn":0,"fail":0,"skip":0,"instance_id":"i-1","ms":1000}` + "\n"
	// What bash's <(...) hands over: /dev/fd/N of a pipe, its writer done.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	pw.WriteString(report)
	pw.Close()
	done := make(chan result, 1)
	go func() { done <- eksboot(t, map[string]string{}, "explain", fmt.Sprintf("/proc/self/fd/%d", pr.Fd())) }()
	select {
	case r := <-done:
		if r.code != 0 || !strings.Contains(r.stdout, "verdict: PASS") {
			t.Errorf("a pipe: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	case <-time.After(time.Minute): // a guard against a hang, not a measure
		t.Fatal("explain blocked on the pipe")
	}

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "out", "i-1"), 0o755)
	os.WriteFile(filepath.Join(dir, "out", "i-1", "stdout"), []byte(report), 0o644)
	os.Symlink(filepath.Join(dir, "out"), filepath.Join(dir, "link"))
	if r := eksboot(t, map[string]string{}, "explain", filepath.Join(dir, "link")); r.code != 0 || !strings.Contains(r.stdout, "verdict: PASS") {
		t.Errorf("a symlink to a directory: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
