//go:build unix

package bootstrap

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO (or a device, a symlink) where the file goes is never replaced.
func TestWriteFileAtomicKeepsWhatIsNotAFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(fifo, []byte("x")); err == nil {
		t.Fatal("a FIFO was replaced")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != os.ModeNamedPipe {
		t.Fatalf("%v %v", fi, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(fifo), ".*.tmp")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}
