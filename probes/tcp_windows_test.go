package probes

import (
	"net"
	"os"
	"testing"

	"golang.org/x/sys/windows"
)

// TestWinsockErrors: a refused TCP 443 on Windows is tcp_refused, not the
// "no route" of tcp_unreachable (GOOS=windows go test -exec wine64).
func TestWinsockErrors(t *testing.T) {
	for errno, want := range map[windows.Errno]Code{windows.WSAECONNREFUSED: TCPRefused, windows.WSAENETUNREACH: TCPUnreachable,
		windows.WSAEHOSTUNREACH: TCPUnreachable, windows.WSAETIMEDOUT: TCPTimeout} {
		err := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connectex", errno)}
		if got := classifyDialErr(err); got != want {
			t.Errorf("%v: %s, want %s", errno, got, want)
		}
	}
}
