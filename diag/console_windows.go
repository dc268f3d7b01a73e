package diag

import (
	"os"
	"strings"
)

var defaultConsoles = []string{`\\.\COM1`}

const openNoCTTY = 0

// Windows opens never wait on a reader; there is nothing to undo.
const openNonblock = 0

// Windows has no O_NOFOLLOW; creating a symlink there needs a privilege.
const openNoFollow = 0

func isDevicePath(p string) bool {
	return strings.HasPrefix(p, `\\.\`) || strings.HasPrefix(strings.ToUpper(p), "COM")
}

// usableConsole: a Windows open never waits on a pipe's other end, and a
// serial port answers no file-type question (GetFileType fails on COM1
// under Wine), so whatever opened is used.
func usableConsole(*os.File, string) error { return nil }
