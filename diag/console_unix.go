//go:build !windows

package diag

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// openNoCTTY keeps a console from becoming eksboot's controlling terminal.
const openNoCTTY = syscall.O_NOCTTY

// openNonblock keeps an open from waiting on a FIFO's reader.
const openNonblock = syscall.O_NONBLOCK

// openNoFollow refuses a symlink where a plain file is appended to.
const openNoFollow = syscall.O_NOFOLLOW

func isDevicePath(p string) bool { return strings.HasPrefix(p, "/dev/") }

// usableConsole refuses what is neither a character device nor a plain
// file (a FIFO, say), then makes writes wait again once the open could
// not block: a serial console that is busy must not drop a line.
func usableConsole(f *os.File, path string) error {
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() && info.Mode()&os.ModeCharDevice == 0 {
		return fmt.Errorf("%s is neither a character device nor a file", path)
	}
	if err != nil {
		return err
	}
	return syscall.SetNonblock(int(f.Fd()), false)
}
