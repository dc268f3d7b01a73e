package diag

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestConsoleNeverBlocks: a FIFO nobody reads is refused at once, and a
// path that does not exist yet becomes a plain file.
func TestConsoleNeverBlocks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := OpenConsole(fifo); err == nil {
		c.Close()
		t.Fatal("opened a FIFO with no reader")
	}
	// A FIFO with a reader is still not a console.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := OpenConsole(fifo); err == nil || !strings.Contains(err.Error(), "neither a character device nor a file") {
		t.Fatalf("FIFO with a reader: %v", err)
	}
	fresh := filepath.Join(dir, "console.txt")
	c, err := OpenConsole(fresh)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("eksboot: x\n"))
	c.Close()
	if data, _ := os.ReadFile(fresh); string(data) != "eksboot: x\n" {
		t.Fatalf("%q", data)
	}
}
