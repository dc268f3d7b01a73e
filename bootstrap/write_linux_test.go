package bootstrap

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestParentsAre0755WhateverTheUmask: a umask of 077 (a hardened image)
// must not leave /etc/eks/nodeadm.d unreadable to the nodeadm that reads it.
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

// TestNoStrayDirectories: a path naming a directory is refused before
// anything is made, and a write that fails part way removes what it made.
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

// TestConfigFIFONeverBlocks: --config naming a FIFO is refused at once.
func TestConfigFIFONeverBlocks(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "config.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ConfigSource(context.Background(), fifo, true, nil)
	wantInputError(t, err, FlagConfig, "is not a plain file")
}

// TestNodeadmIgnoresDropIns reads nodeadm-run.service as the AL2023 AMIs
// install it: from v20251023 its ExecStart names file:///etc/eks/nodeadm.d/.
func TestNodeadmIgnoresDropIns(t *testing.T) {
	const newer = "[Service]\nType=oneshot\nExecStart=/usr/bin/nodeadm init --skip config --config-source imds://user-data --config-source file:///etc/eks/nodeadm.d/ --config-cache /run/eks/nodeadm/config.json\n"
	const older = "[Service]\nType=oneshot\nExecStart=/usr/bin/nodeadm init --skip config --config-source imds://user-data\n"
	host := func(unit string) Host {
		return Host{ReadFile: func(p string) ([]byte, error) {
			if p == "/etc/systemd/system/nodeadm-run.service" && unit != "" {
				return []byte(unit), nil
			}
			return nil, os.ErrNotExist
		}}
	}
	if u, ignores := NodeadmIgnoresDropIns(host(older)); !ignores || u != "/etc/systemd/system/nodeadm-run.service" {
		t.Fatalf("older AMI: %s %v", u, ignores)
	}
	if _, ignores := NodeadmIgnoresDropIns(host(newer)); ignores {
		t.Fatal("v20251023 and later read the drop-ins")
	}
	if _, ignores := NodeadmIgnoresDropIns(host("")); ignores {
		t.Fatal("no unit, nothing to say")
	}
}
