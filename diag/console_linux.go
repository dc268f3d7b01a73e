package diag

import "syscall"

var defaultConsoles = []string{"/dev/console", "/dev/ttyS0", "/dev/kmsg"}

// openNoCTTY keeps a console from becoming eksboot's controlling terminal.
const openNoCTTY = syscall.O_NOCTTY
