package probes

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// maxVersionBytes caps the /version answer.
const maxVersionBytes = 64 << 10

// handshake runs TLS over conn with SNI host, verified against roots.
func handshake(ctx context.Context, conn net.Conn, host string, roots *x509.CertPool, timeout time.Duration) (*tls.Conn, Code, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	err := tc.HandshakeContext(ctx)
	if err == nil {
		return tc, OK, nil
	}
	conn.Close()
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var ne net.Error
	switch {
	case errors.As(err, &unknown):
		return nil, TLSUnknownCA, err
	case errors.As(err, &hostErr):
		return nil, TLSHostname, err
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return nil, TLSTimeout, errors.New("handshake did not finish in time")
	}
	return nil, TLSError, err
}

// serverVersion asks the API server GET /version anonymously over tc.
func serverVersion(ctx context.Context, tc *tls.Conn, host string, timeout time.Duration) (string, Code, error) {
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	tc.SetDeadline(deadline)
	req, _ := http.NewRequest(http.MethodGet, "https://"+host+"/version", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "eksboot")
	req.Close = true
	if err := req.Write(tc); err != nil {
		return "", APIHTTPError, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(tc), req)
	if err != nil {
		return "", APIHTTPError, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxVersionBytes))
	if err != nil {
		return "", APIHTTPError, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", APIHTTPError, fmt.Errorf("GET /version answered %s", resp.Status)
	}
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.GitVersion == "" {
		return "", APIHTTPError, fmt.Errorf("GET /version answered no gitVersion")
	}
	return v.GitVersion, OK, nil
}

// ServiceIPFromCertificate finds the kubernetes service ClusterIP among the
// API server certificate's IP SANs: the SAN outside the VPC CIDRs (and not
// loopback) that is the first address after a range's base.
func ServiceIPFromCertificate(cert *x509.Certificate, vpcCIDRs []netip.Prefix) (netip.Addr, bool) {
	for _, ip := range cert.IPAddresses {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		a = a.Unmap()
		if a.IsLoopback() || a.IsUnspecified() || inAny(a, vpcCIDRs) {
			continue
		}
		b := a.AsSlice()
		if b[len(b)-1] == 1 {
			return a, true
		}
	}
	return netip.Addr{}, false
}

func inAny(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
