//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// --args-file naming a FIFO, a symlink or (as root) a device is refused
// before anything is written, and what is there stays as it was; an empty
// --args-file or --config is an input error, not a failed write.
func TestArgsFileMustBeAFile(t *testing.T) {
	dir := t.TempDir()
	fifo, link, real := filepath.Join(dir, "fifo"), filepath.Join(dir, "link"), filepath.Join(dir, "real")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(real, []byte("kept\n"), 0o644)
	os.Symlink(real, link)
	paths := []string{fifo, link}
	if os.Geteuid() == 0 {
		null := filepath.Join(dir, "null")
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err == nil { // 1:3, a null device of this test's own
			paths = append(paths, null)
		}
	}
	for _, p := range paths {
		before, _ := os.Lstat(p)
		r := eksboot(t, map[string]string{}, append(goodArgs(t, "al2"), "--args-file", p)...)
		after, _ := os.Lstat(p)
		if r.code != 2 || !strings.Contains(r.stderr, "--args-file") || !strings.Contains(r.stderr, "not a regular file") || after.Mode() != before.Mode() {
			t.Errorf("%s: exit %d, %q, mode %v -> %v", p, r.code, r.stderr, before.Mode(), after.Mode())
		}
	}
	if b, _ := os.ReadFile(real); string(b) != "kept\n" {
		t.Errorf("the symlink's target was written: %q", b)
	}
	for _, flag := range []string{"--args-file", "--config"} {
		r := eksboot(t, map[string]string{}, append(goodArgs(t, "al2"), flag, "")...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "eksboot: "+flag+": is empty") || r.stdout != "" {
			t.Errorf("%s \"\": exit %d, %q", flag, r.code, r.stderr)
		}
	}
}
