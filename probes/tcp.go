package probes

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/eksboot/eksboot/report"
)

// dialer is the seam tests use to stand in for the network.
type dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// dialTCP connects to addr:port within timeout and classifies a failure.
func dialTCP(ctx context.Context, d dialer, addr netip.AddrPort, timeout time.Duration) (net.Conn, report.Code, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr.String())
	if err == nil {
		return conn, report.OK, nil
	}
	return nil, classifyDialErr(err), err
}

// classifyDialErr turns a failed connect into a code by the errno the OS
// gave (dialErrnos: the platform's own, Windows' WSAE* are not Unix's).
func classifyDialErr(err error) report.Code {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if code, ok := dialErrnos[errno]; ok {
			return code
		}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return report.TCPTimeout
	}
	return report.TCPUnreachable
}
