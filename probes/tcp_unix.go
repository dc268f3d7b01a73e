//go:build !windows

package probes

import "syscall"

// dialErrnos are the errnos a refused or unroutable connect gives here.
// EACCES and EPERM: a local firewall rule (an nftables reject) said no.
var dialErrnos = map[syscall.Errno]Code{
	syscall.ECONNREFUSED: TCPRefused,
	syscall.EHOSTUNREACH: TCPUnreachable,
	syscall.ENETUNREACH:  TCPUnreachable,
	syscall.EACCES:       TCPUnreachable,
	syscall.EPERM:        TCPUnreachable,
	syscall.ETIMEDOUT:    TCPTimeout,
}
