//go:build !linux && !windows

package diag

var defaultConsoles = []string{"/dev/console"}
