package probes

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// dialer is the seam tests use to stand in for the network.
type dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// dialTCP connects to addr:port within timeout and classifies a failure.
func dialTCP(ctx context.Context, d dialer, addr netip.AddrPort, timeout time.Duration) (net.Conn, Code, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr.String())
	if err == nil {
		return conn, OK, nil
	}
	return nil, classifyDialErr(err), err
}

func classifyDialErr(err error) Code {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return TCPRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return TCPUnreachable
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return TCPTimeout
	}
	return TCPUnreachable
}
