package diag

import (
	"os"
	"strings"
)

var defaultConsoles = []string{`\\.\COM1`}

const openNoCTTY = 0

// Windows opens never wait on a reader; there is nothing to undo.
const openNonblock = 0

func isDevicePath(p string) bool {
	return strings.HasPrefix(p, `\\.\`) || strings.HasPrefix(strings.ToUpper(p), "COM")
}

func setBlocking(*os.File) error { return nil }
