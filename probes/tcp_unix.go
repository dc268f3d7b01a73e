//go:build !windows

package probes

import (
	"syscall"

	"github.com/eksboot/eksboot/report"
)

// dialErrnos are the errnos a refused or unroutable connect gives here.
// EACCES and EPERM: a local firewall rule (an nftables reject) said no.
var dialErrnos = map[syscall.Errno]report.Code{
	syscall.ECONNREFUSED: report.TCPRefused,
	syscall.EHOSTUNREACH: report.TCPUnreachable,
	syscall.ENETUNREACH:  report.TCPUnreachable,
	syscall.EACCES:       report.TCPUnreachable,
	syscall.EPERM:        report.TCPUnreachable,
	syscall.ETIMEDOUT:    report.TCPTimeout,
}
