package diag

import (
	"os"
	"strings"
	"syscall"
)

var defaultConsoles = []string{"/dev/console", "/dev/ttyS0", "/dev/kmsg"}

// openNoCTTY keeps a console from becoming eksboot's controlling terminal.
const openNoCTTY = syscall.O_NOCTTY

const openNonblock = syscall.O_NONBLOCK

func isDevicePath(p string) bool { return strings.HasPrefix(p, "/dev/") }

// setBlocking makes writes wait again once the open could not block: a
// serial console that is busy must not drop a line.
func setBlocking(f *os.File) error { return syscall.SetNonblock(int(f.Fd()), false) }
