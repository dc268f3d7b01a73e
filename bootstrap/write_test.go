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
	got, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	parent, _ := os.Stat(filepath.Dir(path))
	if string(got) != "two\n" || info.Mode().Perm() != 0o644 || parent.Mode().Perm() != 0o755 {
		t.Fatalf("content %q mode %v parent %v", got, info.Mode(), parent.Mode())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores directory permissions; make the rename fail instead by
		// targeting a path whose final component is a non-empty directory.
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
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("temp files left behind: %v", entries)
		}
		return
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "args")
	os.WriteFile(target, []byte("old"), 0o644)
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if err := WriteArgs(target, []byte("new"), nil); err == nil {
		t.Fatal("write into a read-only directory succeeded")
	}
	if got, _ := os.ReadFile(target); string(got) != "old" {
		t.Fatalf("old file changed to %q", got)
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
