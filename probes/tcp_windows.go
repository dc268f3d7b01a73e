package probes

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// dialErrnos are the Winsock errors a refused or unroutable connect gives:
// Windows never returns the Unix errnos Go's syscall package names.
var dialErrnos = map[syscall.Errno]Code{
	windows.WSAECONNREFUSED: TCPRefused,
	windows.WSAENETUNREACH:  TCPUnreachable,
	windows.WSAEHOSTUNREACH: TCPUnreachable,
	windows.WSAETIMEDOUT:    TCPTimeout,
}
