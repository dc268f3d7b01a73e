//go:build !windows

package bootstrap

import (
	"os"
	"os/exec"
	"syscall"
)

// execCommand replaces this process, so the platform bootstrap keeps its
// PID, stdio and the unit's cgroup.
func execCommand(path string, argv []string) (int, error) {
	resolved, err := exec.LookPath(path)
	if err != nil {
		return 0, err
	}
	return 0, syscall.Exec(resolved, argv, os.Environ())
}
