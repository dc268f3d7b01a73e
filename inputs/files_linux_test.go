package inputs

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestConfigFIFONeverBlocks(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "config.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ConfigSource(context.Background(), fifo, true, nil)
	wantInputError(t, err, FlagConfig, "is not a plain file")
}

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
