//go:build !windows

package inputs

import "syscall"

// openNonblock keeps an open from waiting on a FIFO's other end.
const openNonblock = syscall.O_NONBLOCK
