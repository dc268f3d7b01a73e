package bootstrap

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestParentsAre0755WhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := WriteFileAtomic(filepath.Join(dir, "a", "b", "args"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a", "a/b"} {
		if info, _ := os.Stat(filepath.Join(dir, d)); info.Mode().Perm() != 0o755 {
			t.Errorf("%s is %v", d, info.Mode().Perm())
		}
	}
}

func TestNoStrayDirectories(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFileAtomic(filepath.Join(dir, "new")+"/", []byte("x")); err == nil {
		t.Fatal("a directory path was written")
	}
	// fresh/ can be made; the component under it is too long for any file system.
	long := filepath.Join(dir, "fresh", strings.Repeat("x", 300), "args")
	if err := WriteFileAtomic(long, []byte("x")); err == nil {
		t.Fatal("wrote under a 300-character name")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

// TestWriteFileAtomicModes: what nodeadm and bootstrap.sh read is 0644 in
// 0755 directories, whatever was there before.
func TestWriteFileAtomicModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "bootstrap.args")
	for _, content := range []string{"one\n", "two\n"} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	info, _ := os.Stat(path)
	parent, _ := os.Stat(filepath.Dir(path))
	if info.Mode().Perm() != 0o644 || parent.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v parent %v", info.Mode(), parent.Mode())
	}
}
