//go:build !linux && !windows

package diag

import "syscall"

var defaultConsoles = []string{"/dev/console"}

const openNoCTTY = syscall.O_NOCTTY
