package probes

import (
	"context"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/eksboot/eksboot/report"
	"golang.org/x/sys/windows"
)

// TestWinsockErrors: a refused TCP 443 on Windows is tcp_refused, not the
// "no route" of tcp_unreachable (GOOS=windows go test -exec wine64).
func TestWinsockErrors(t *testing.T) {
	for errno, want := range map[windows.Errno]report.Code{windows.WSAECONNREFUSED: report.TCPRefused, windows.WSAENETUNREACH: report.TCPUnreachable,
		windows.WSAEHOSTUNREACH: report.TCPUnreachable, windows.WSAETIMEDOUT: report.TCPTimeout} {
		err := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connectex", errno)}
		if got := classifyDialErr(err); got != want {
			t.Errorf("%v: %s, want %s", errno, got, want)
		}
	}
}

// TestRefusedPortOnWindows: a real refused connect, through Winsock, is
// tcp_refused.
func TestRefusedPortOnWindows(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddrPort(ln.Addr().String())
	ln.Close() // nothing listens there now
	if c, code, err := dialTCP(context.Background(), &net.Dialer{}, addr, time.Second); code != report.TCPRefused {
		if c != nil {
			c.Close()
		}
		t.Fatalf("%s (%v), want %s", code, err, report.TCPRefused)
	}
}
