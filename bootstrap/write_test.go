package bootstrap

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new", "sub", "bootstrap.args")
	if err := WriteFileAtomic(path, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "two\n" {
		t.Fatalf("content %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

// TestWriteFailureKeepsOldFile: a write whose rename fails (the path is a
// non-empty directory, which no rename replaces) touches what was there
// and leaves no temporary file.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "args")
	os.MkdirAll(filepath.Join(target, "keep"), 0o755)
	err := WriteArgs(target, []byte("new"), nil)
	var we *WriteError
	if !errors.As(err, &we) {
		t.Fatalf("got %v, want a WriteError", err)
	}
	if _, err := os.Stat(filepath.Join(target, "keep")); err != nil {
		t.Fatal("the old entry was touched")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestWriteArgsToParentThatIsAFile(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	var we *WriteError
	if err := WriteArgs(filepath.Join(blocker, "args"), []byte("new"), nil); !errors.As(err, &we) {
		t.Fatalf("got %v, want a WriteError", err)
	}
}
