package probes

import (
	"syscall"

	"github.com/eksboot/eksboot/report"
	"golang.org/x/sys/windows"
)

// dialErrnos are the Winsock errors a refused or unroutable connect gives:
// Windows never returns the Unix errnos Go's syscall package names.
var dialErrnos = map[syscall.Errno]report.Code{
	windows.WSAECONNREFUSED: report.TCPRefused,
	windows.WSAENETUNREACH:  report.TCPUnreachable,
	windows.WSAEHOSTUNREACH: report.TCPUnreachable,
	windows.WSAETIMEDOUT:    report.TCPTimeout,
}
