package probes

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"time"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// probeProxied is the check of an endpoint the agent reaches through its
// proxy: the node's own DNS answer for the endpoint is not the agent's
// (the proxy resolves it), so what is probed is the proxy's address, TCP
// to it, CONNECT HOST:443, and TLS through the tunnel verified as the
// agent verifies AWS. One tunnel per endpoint host.
func (rn *Runner) probeProxied(ctx context.Context, p Plan, e Endpoint, add func(report.Result, bool)) {
	u := e.Via
	add(report.Result{Kind: report.KindDNS, Status: report.Skip, Code: report.OK,
		Msg: fmt.Sprintf("%s: %s is not looked up on the node: the requests of %s for it go to the proxy %s, which resolves it", e.Name, e.Host, agentWords(e.Agent), proxyAddr(u))}, false)
	if why := proxySupported(u); why != "" {
		add(report.Result{Kind: report.KindProxy, Addr: proxyAddr(u), Status: report.Skip, Code: report.OK, Msg: e.Name + ": " + why}, false)
		return
	}
	start := time.Now()
	fail := func(code report.Code, addr, msg string) {
		add(report.Result{Kind: report.KindProxy, Addr: addr, Status: report.Fail, Code: code, Duration: time.Since(start), Msg: e.Name + ": " + msg}, false)
	}
	addr, err := p.proxyAddress(ctx, u)
	if err != "" {
		fail(report.ProxyUnreachable, proxyAddr(u), err)
		return
	}
	target := net.JoinHostPort(e.Host, "443")
	c, perr := reachProxy(ctx, (&net.Dialer{}).DialContext, u, addr, p.awsRoots(), p.Timeout)
	if perr == nil {
		if perr = connectTunnel(ctx, c, u, target, p.Timeout); perr != nil {
			c.Close()
		}
	}
	var pe *proxyError
	if errors.As(perr, &pe) {
		fail(pe.code, addr, pe.msg)
		return
	}
	add(report.Result{Kind: report.KindProxy, Addr: addr, Status: report.Pass, Code: report.OK, Duration: time.Since(start),
		Msg: fmt.Sprintf("%s: the proxy %s opened a tunnel to %s in %s", e.Name, proxyAddr(u), target, roundMS(time.Since(start)))}, false)

	start = time.Now()
	tc, err2 := verifiedTLS(ctx, c, e.Host, p.awsRoots(), p.Timeout)
	r := report.Result{Kind: report.KindTLS, Addr: addr, Status: report.Pass, Code: report.OK}
	if err2 == nil {
		leaf := tc.ConnectionState().PeerCertificates[0]
		tc.Close()
		r.Msg = fmt.Sprintf("%s: TLS to %s through the proxy %s verified: the certificate is the endpoint's (issued by %s)", e.Name, e.Host, proxyAddr(u), CleanServerString(leaf.Issuer.String()))
	} else {
		r.Status, r.Code = report.Fail, tlsThroughCode(err2)
		switch r.Code {
		case report.ProxyInterceptsTLS:
			r.Msg = fmt.Sprintf("%s: TLS to %s through the proxy %s is not the endpoint's: the certificate, issued by %s, does not verify for %s with the system's trust store (a TLS-inspecting proxy)", e.Name, e.Host, proxyAddr(u), presentedIssuer(err2), e.Host)
		case report.TLSTimeout:
			r.Msg = fmt.Sprintf("%s: TLS to %s through the proxy %s did not finish within %s", e.Name, e.Host, proxyAddr(u), p.Timeout)
		default:
			r.Msg = fmt.Sprintf("%s: TLS to %s through the proxy %s failed: %s", e.Name, e.Host, proxyAddr(u), CleanServerString(quiet(err2).Error()))
		}
	}
	r.Duration = time.Since(start)
	add(r, false)
}

// proxyAddress is the proxy's address to dial: an address as given, or
// the name looked up as the agents' Go resolver looks it up (the hosts
// file, then resolv.conf's search list and ndots) but asking the node
// resolver the plan names; a message saying what went wrong otherwise.
// An IPv4 address comes first, as Go's dialer tries it first.
func (p Plan) proxyAddress(ctx context.Context, u *url.URL) (string, string) {
	host, port, _ := net.SplitHostPort(proxyAddr(u))
	if a, err := netip.ParseAddr(host); err == nil {
		return net.JoinHostPort(a.String(), port), ""
	}
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	r := &net.Resolver{PreferGo: true}
	where := "node's resolver (resolv.conf)"
	if len(p.Resolvers) > 0 {
		res := p.Resolvers[len(p.Resolvers)-1] // the node's, when known: it is last
		for _, rs := range p.Resolvers {
			if rs.Role == RoleNode {
				res = rs
			}
		}
		where = res.String()
		r.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, res.Addr.String())
		}
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		why := "no address"
		var de *net.DNSError
		if errors.As(err, &de) {
			why = de.Err
		}
		return "", fmt.Sprintf("the proxy's name %s has no address through the %s (%s)", host, where, why)
	}
	pick := addrs[0].Unmap()
	for _, a := range addrs {
		if a.Unmap().Is4() {
			pick = a.Unmap()
			break
		}
	}
	return net.JoinHostPort(pick.String(), port), ""
}

// proxyCarriesAPI is the finding of an API server the agent would send to
// its proxy: kubelet must reach the cluster endpoint directly (the proxy
// would see the node's token, and cannot reach the private endpoint's
// addresses anyway). The direct probe still runs.
func proxyCarriesAPI(e Endpoint) report.Result {
	return report.Result{Kind: report.KindProxy, Addr: proxyAddr(e.Via), Via: Via(e.Via), Status: report.Fail, Code: report.ProxyCarriesAPI,
		Msg: fmt.Sprintf("%s: %s would send the API server's traffic to the proxy %s: its NO_PROXY does not cover %s (add %s); eksboot probes the API server directly below", e.Name, agentWords(e.Agent), proxyAddr(e.Via), e.Host, hints.NoProxyEntry(e.Host))}
}

// awsRoots verify AWS endpoints' certificates; nil is the system's.
func (p Plan) awsRoots() *x509.CertPool {
	if p.AWS == nil {
		return nil
	}
	return p.AWS.Roots
}

func agentWords(agent string) string {
	if agent == "" || agent == "default" {
		return "the node's agents"
	}
	return agent
}
