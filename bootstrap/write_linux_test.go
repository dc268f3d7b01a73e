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
