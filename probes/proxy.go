package probes

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eksboot/eksboot/report"
)

// maxProxyHeader caps the proxy's answer to CONNECT: a status line and a
// few headers.
const maxProxyHeader = 16 << 10

// ViaDirect is the path of what goes to its endpoint itself.
const ViaDirect = "direct"

// Via names the path through u as results carry it: "direct" for nil,
// else "proxy HOST:PORT", never the URL's user or password.
func Via(u *url.URL) string {
	if u == nil {
		return ViaDirect
	}
	return "proxy " + proxyAddr(u)
}

// proxyAddr is the proxy's HOST:PORT, the scheme's port when the URL names
// none, as Go's transport (and so kubelet and containerd) dials it.
func proxyAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// proxyError is a tunnel that did not open, with the code it earns; its
// message names the proxy and the host, never the URL's credentials.
type proxyError struct {
	code report.Code
	msg  string
}

func (e *proxyError) Error() string { return e.msg }

// dialFunc dials a TCP address.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// reachProxy connects to the proxy u at addr (its address, or its HOST:PORT
// for dial to resolve): TCP, then TLS for an https proxy, as Go's
// transport does, verified with roots.
func reachProxy(ctx context.Context, dial dialFunc, u *url.URL, addr string, roots *x509.CertPool, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := dial(ctx, "tcp", addr)
	if err != nil {
		code := classifyDialErr(err)
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("no answer in time")
		}
		return nil, &proxyError{report.ProxyUnreachable, fmt.Sprintf("TCP to the proxy %s %s", proxyAddr(u), describeTCP(code, err, timeout))}
	}
	if u.Scheme != "https" {
		return c, nil
	}
	tc := tls.Client(c, &tls.Config{ServerName: u.Hostname(), RootCAs: roots, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, &proxyError{report.ProxyUnreachable, fmt.Sprintf("TLS to the https proxy %s failed: %v", proxyAddr(u), err)}
	}
	return tc, nil
}

// connectTunnel asks the proxy on c for a tunnel to target (HOST:443), as
// Go's transport does: CONNECT with a Host header, and the URL's
// credentials as Proxy-Authorization when it carries them (the agents send
// none otherwise). A 200 opens the tunnel (Go's transport takes no other
// status); c is then the tunnel.
func connectTunnel(ctx context.Context, c net.Conn, u *url.URL, target string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	c.SetDeadline(deadline)
	defer c.SetDeadline(time.Time{})
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) }) // a cancelled run does not wait out the timeout
	defer stop()

	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: target}, Host: target, Header: http.Header{}}
	if u.User != nil {
		pw, _ := u.User.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw)))
	}
	proxy := proxyAddr(u)
	if err := req.Write(c); err != nil {
		return &proxyError{report.ProxyRefused, fmt.Sprintf("the proxy %s took TCP but not CONNECT %s: %v", proxy, target, quiet(err))}
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.LimitReader(c, maxProxyHeader)), req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return &proxyError{report.ProxyRefused, fmt.Sprintf("the proxy %s did not answer CONNECT %s within %s", proxy, target, timeout)}
		}
		return &proxyError{report.ProxyRefused, fmt.Sprintf("the proxy %s answered CONNECT %s with something not HTTP, or over %d KiB of it (%s)", proxy, target, maxProxyHeader>>10, CleanServerString(err.Error()))}
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	status := CleanServerString(resp.Proto + " " + resp.Status)
	msg := fmt.Sprintf("the proxy %s refused CONNECT %s: %s", proxy, target, status)
	switch {
	case resp.StatusCode/100 == 2: // Go's transport opens the tunnel on 200 alone
		msg = fmt.Sprintf("the proxy %s answered CONNECT %s with %s, and kubelet and containerd (Go's transport) take only 200 as a tunnel", proxy, target, status)
	case resp.StatusCode == http.StatusProxyAuthRequired:
		if u.User == nil {
			msg += "; it wants credentials, which kubelet and containerd send only when the proxy URL carries them (http://USER:PASSWORD@HOST:PORT)"
		} else {
			msg += "; it does not take the credentials the proxy URL carries"
		}
	}
	return &proxyError{report.ProxyRefused, msg}
}

// openTunnel is the whole way to target through u: reach the proxy, then
// CONNECT. dial reaches the proxy's HOST:PORT.
func openTunnel(ctx context.Context, dial dialFunc, u *url.URL, target string, roots *x509.CertPool, timeout time.Duration) (net.Conn, error) {
	c, err := reachProxy(ctx, dial, u, proxyAddr(u), roots, timeout)
	if err != nil {
		return nil, err
	}
	if err := connectTunnel(ctx, c, u, target, timeout); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// quiet is err without the addresses a net.OpError repeats.
func quiet(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Err
	}
	return err
}

// proxySupported says why the probes cannot follow u, "" when they can:
// kubelet and containerd speak socks5 too, eksboot does not.
func proxySupported(u *url.URL) string {
	switch u.Scheme {
	case "http", "https", "":
		return ""
	}
	return fmt.Sprintf("the proxy %s is a %s proxy, which eksboot does not probe through (only http:// and https:// proxies)", proxyAddr(u), u.Scheme)
}

// verifiedTLS runs TLS to host over c (a tunnel, or a direct connection),
// verified with roots (nil: the system's, as the agents verify AWS).
// Through a tunnel, a certificate that does not verify for host is the
// proxy's, not the endpoint's.
func verifiedTLS(ctx context.Context, c net.Conn, host string, roots *x509.CertPool, timeout time.Duration) (*tls.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tc := tls.Client(c, &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return tc, nil
}

// presentedIssuer is the issuer of the certificate a failed verification
// saw, "" when the failure was not a verification's.
func presentedIssuer(err error) string {
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ve) || len(ve.UnverifiedCertificates) == 0 {
		return ""
	}
	c := ve.UnverifiedCertificates[0]
	issuer := c.Issuer.String()
	if issuer == "" {
		issuer = "an unnamed issuer"
	}
	return CleanServerString(issuer)
}

// tlsThroughCode classifies a failed TLS through a tunnel.
func tlsThroughCode(err error) report.Code {
	var ne net.Error
	switch {
	case presentedIssuer(err) != "":
		return report.ProxyInterceptsTLS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return report.TLSTimeout
	}
	return report.TLSError
}

// viaFor is the proxy a call to host goes through: that of the agent of
// the endpoint whose host it is or lies under (a bucket's virtual host
// under S3's), decided for host itself, since NO_PROXY may tell the two
// apart; nil goes direct. The API server is never an AWS call's.
func (p Plan) viaFor(host string) *url.URL {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, e := range p.Endpoints {
		switch {
		case e.Kind == Cluster:
		case host == e.Host:
			return e.Via
		case strings.HasSuffix(host, "."+e.Host):
			if p.ProxyFor != nil {
				return p.ProxyFor(e.Agent, host)
			}
			return e.Via
		}
	}
	return nil
}

// callVia is the path an AWS call's result took: its host's, or where it
// has none its endpoint's.
func (p Plan) callVia(r report.Result) string {
	if r.Host != "" {
		return Via(p.viaFor(r.Host))
	}
	e, _ := p.endpoint(r.Endpoint)
	return Via(e.Via)
}

// tunnelFailed is a call's way through the proxy that failed where the
// endpoint's own check looks (the tunnel, or TLS through it): the call was
// not reached.
type tunnelFailed struct{ err error }

func (e tunnelFailed) Error() string        { return e.err.Error() }
func (e tunnelFailed) Is(target error) bool { return target == errNotReached }
func (e tunnelFailed) Unwrap() error        { return e.err }
