//go:build !linux && !windows

package diag

import (
	"os"
	"strings"
	"syscall"
)

var defaultConsoles = []string{"/dev/console"}

const openNoCTTY = syscall.O_NOCTTY

const openNonblock = syscall.O_NONBLOCK

func isDevicePath(p string) bool { return strings.HasPrefix(p, "/dev/") }

func setBlocking(f *os.File) error { return syscall.SetNonblock(int(f.Fd()), false) }
