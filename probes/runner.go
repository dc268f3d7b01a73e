package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
	"github.com/miekg/dns"
)

// maxAddrsPerEndpoint bounds the TCP checks of one host (S3 answers many).
const maxAddrsPerEndpoint = 8

// Plan is what one run checks, built first as data.
type Plan struct {
	Endpoints []Endpoint
	// Checks are the checks besides the endpoints (NodeChecks, usually).
	Checks []Check
	// Selection's Require and Optional weigh every check.
	Selection Selection
	Resolvers []Resolver // the VPC resolver first when known, then the node's
	IPv6      bool       // ask AAAA as well as A
	VPCCIDRs  []netip.Prefix
	CA        *x509.CertPool
	Timeout   time.Duration // one probe's limit
	Facts     hints.NodeFacts
	// ProxyFor is the proxy agent sends a request for https://host to, nil
	// for direct: the inputs' httpproxy decision, for the hosts under an
	// endpoint's (a bucket's virtual host under s3's). Nil: they take
	// their endpoint's Via.
	ProxyFor func(agent, host string) *url.URL

	// What the node checks judge.
	IMDS     IMDSRead
	Identity *IdentityPlan // nil leaves the identity unchecked
	AWS      *AWSPlan      // nil leaves the agents' AWS calls unasked
	Kubelet  func() string // kubelet's version, "" when unknown; nil when there is no kubelet to ask
	// JudgeServiceIP is the inputs' judgement of the kubernetes service IP
	// the certificate names; nil leaves the service network unchecked.
	JudgeServiceIP func(netip.Addr) ServiceVerdict
	Config         []report.Result // what the inputs deserve a word about

	now func() time.Time // the runner's clock

	// Deadline ends the first round of checks; zero means one Timeout (and
	// a tenth) from its start. The agent starts it before reading IMDS, so
	// the whole run costs one timeout.
	Deadline time.Time
}

// Report is what a run found.
type Report struct {
	Results       []report.Result
	ServerVersion string            // the API server's gitVersion, when /version answered
	ServerCert    *x509.Certificate // the API server's leaf, when TLS succeeded
	User          *report.UserInfo  // who the API server says the node is
	// ServiceIP is the kubernetes service IP the API server's certificate
	// names; invalid when it names none.
	ServiceIP netip.Addr
}

// Runner runs a Plan. Now is the node's clock, nil meaning time.Now: the
// clock check, the token's signing time and the rounds' deadlines read it,
// so a test sets the node's clock without touching the machine's.
type Runner struct {
	Now func() time.Time
}

// Run runs every check of p concurrently, each as soon as the checks it
// needs have finished, all under one deadline: a run costs about one probe
// timeout at worst, not the sum of them.
func (rn *Runner) Run(ctx context.Context, p Plan) Report {
	s := rn.start(p)
	defer s.close()
	s.round(ctx, p.Deadline, s.all())
	return s.report(ctx.Err() != nil)
}

// probeEndpoint is the check of one endpoint: DNS through each resolver,
// TCP 443 to each address, and for the cluster TLS and health.
func (rn *Runner) probeEndpoint(ctx context.Context, p Plan, e Endpoint, f *Findings) []report.Result {
	var out []report.Result
	path := Via(e.Via)
	if e.Kind == Cluster {
		path = ViaDirect // probed directly even when kubelet would not go so: proxy_carries_api says that
	}
	add := func(r report.Result, viaNode bool) {
		r.Endpoint, r.Host = e.Name, e.Host
		if r.Via == "" {
			r.Via = path
		}
		if r.Status != report.Pass {
			r.Hint = hints.For(r, e.forHint(), p.Facts, viaNode)
		}
		out = append(out, r)
	}

	switch {
	case e.Via != nil && e.Kind == Cluster:
		add(proxyCarriesAPI(e), false)
	case e.Via != nil:
		rn.probeProxied(ctx, p, e, add)
		return out
	}
	if len(p.Resolvers) == 0 {
		add(report.Result{Kind: report.KindDNS, Status: report.Fail, Code: report.NoResolver, Msg: fmt.Sprintf("%s: no resolver to ask for %s", e.Name, e.Host)}, false)
		return out
	}
	if a, err := netip.ParseAddr(e.Host); err == nil { // an endpoint given as an address needs no DNS
		rn.connect(ctx, p, e, []netip.Addr{a.Unmap()}, add, f)
		return out
	}
	answers := make([]lookupResult, len(p.Resolvers))
	var wg sync.WaitGroup
	for i, res := range p.Resolvers {
		wg.Go(func() { answers[i] = rn.resolve(ctx, p, res, e.Host) })
	}
	wg.Wait()

	var addrs []netip.Addr
	var vpcAnswer *lookupResult
	for i, res := range p.Resolvers {
		ans := answers[i]
		viaNode := res.Role == RoleNode
		add(dnsResult(e, res, ans, p.VPCCIDRs), viaNode)
		if ans.code == report.OK {
			if res.Role == RoleVPC {
				vpcAnswer = &answers[i]
			} else if vpcAnswer != nil && e.Kind != Gateway && !sameAddrs(vpcAnswer.addrs, ans.addrs) {
				add(report.Result{Kind: report.KindDNS, Addr: res.Addr.Addr().String(), Status: report.Warn, Code: report.DNSMismatch,
					Msg: fmt.Sprintf("%s: the %s answers %s for %s, the VPC resolver %s", e.Name, res, joinAddrs(ans.addrs), e.Host, joinAddrs(vpcAnswer.addrs))}, true)
			}
			for _, a := range ans.addrs {
				if !slices.Contains(addrs, a) && len(addrs) < maxAddrsPerEndpoint {
					addrs = append(addrs, a)
				}
			}
		}
	}
	if len(addrs) > 0 {
		rn.connect(ctx, p, e, addrs, add, f)
	}
	return out
}

// dnsResult judges one resolver's answer for e: no address, or addresses
// inside or outside the VPC.
func dnsResult(e Endpoint, res Resolver, ans lookupResult, vpc []netip.Prefix) report.Result {
	r := report.Result{Kind: report.KindDNS, Addr: res.Addr.Addr().String(), Status: report.Pass, Code: report.OK, Duration: ans.elapsed}
	if ans.code != report.OK {
		r.Status, r.Code = report.Fail, ans.code
		r.Msg = fmt.Sprintf("%s: the %s found no address for %s (%v)", e.Name, res, e.Host, ans.err)
		return r
	}
	r.Code = classify(e, ans.addrs, vpc)
	r.Msg = fmt.Sprintf("%s: %s resolves to %s through the %s", e.Name, e.Host, joinAddrs(ans.addrs), res)
	if r.Code != report.OK {
		r.Status = report.Fail
		r.Msg += ", outside the VPC"
	}
	return r
}

func (rn *Runner) resolve(ctx context.Context, p Plan, res Resolver, host string) lookupResult {
	start := time.Now()
	ans := lookup(ctx, res.Addr, host, dns.TypeA, p.Timeout)
	if p.IPv6 {
		if v6 := lookup(ctx, res.Addr, host, dns.TypeAAAA, p.Timeout); v6.code == report.OK {
			ans.addrs = append(ans.addrs, v6.addrs...)
			ans.code, ans.err = report.OK, nil
		}
	}
	ans.elapsed = time.Since(start)
	return ans
}

// classify says whether answers fit the endpoint's kind.
func classify(e Endpoint, addrs []netip.Addr, vpc []netip.Prefix) report.Code {
	if e.Kind == Gateway {
		return report.OK // S3's gateway endpoint keeps public names; routing makes it private
	}
	for _, a := range addrs {
		if !IsPrivate(a, vpc) {
			if e.Kind == Cluster {
				return report.APIPrivateAccess
			}
			return report.DNSPublic
		}
	}
	return report.OK
}

// connect dials every address; for the cluster it then runs TLS on each
// and asks for health over the first that verifies.
func (rn *Runner) connect(ctx context.Context, p Plan, e Endpoint, addrs []netip.Addr, add func(report.Result, bool), f *Findings) {
	type conn struct {
		addr   netip.Addr
		tcp    report.Result
		tls    *report.Result
		tlsCon *tls.Conn
	}
	conns := make([]conn, len(addrs))
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Go(func() {
			ap := netip.AddrPortFrom(a, 443)
			start := time.Now()
			c, code, err := dialTCP(ctx, &net.Dialer{}, ap, p.Timeout)
			r := report.Result{Kind: report.KindTCP, Addr: ap.String(), Route: routeTo(a), Status: report.Pass, Code: code, Duration: time.Since(start)}
			if code == report.OK {
				r.Msg = fmt.Sprintf("%s: TCP 443 to %s connected in %s", e.Name, a, roundMS(r.Duration))
			} else {
				r.Status = report.Fail
				r.Msg = fmt.Sprintf("%s: TCP 443 to %s %s", e.Name, a, describeTCP(code, err, p.Timeout))
			}
			conns[i] = conn{addr: a, tcp: r}
			if c == nil {
				return
			}
			if e.Kind != Cluster {
				c.Close()
				return
			}
			start = time.Now()
			tc, code, err := handshake(ctx, c, e.Host, p.CA, p.Timeout)
			tr := report.Result{Kind: report.KindTLS, Addr: ap.String(), Status: report.Pass, Code: code, Duration: time.Since(start)}
			if code == report.OK {
				tr.Msg = fmt.Sprintf("%s: TLS to %s verified against the cluster CA", e.Name, a)
			} else {
				tr.Status = report.Fail
				tr.Msg = fmt.Sprintf("%s: TLS to %s failed: %v", e.Name, a, err)
			}
			conns[i].tls, conns[i].tlsCon = &tr, tc
		})
	}
	wg.Wait()
	var apiDone bool
	for _, c := range conns {
		add(c.tcp, false)
		if c.tls != nil {
			add(*c.tls, false)
		}
		if c.tlsCon == nil {
			continue
		}
		if apiDone {
			c.tlsCon.Close()
			continue
		}
		apiDone = true
		add(askHealth(ctx, p, e, netip.AddrPortFrom(c.addr, 443), c.tlsCon, f), false)
	}
}

// askHealth asks the API server for its health, anonymously, over the
// connection whose TLS verified, and keeps that connection for the checks
// that need the api check.
func askHealth(ctx context.Context, p Plan, e Endpoint, addr netip.AddrPort, tc *tls.Conn, f *Findings) report.Result {
	f.ServerCert = tc.ConnectionState().PeerCertificates[0]
	if f.API != nil { // from an earlier round of --wait
		f.API.close()
	}
	f.API = newAPIClient(tc, addr, e.Host, p.CA, p.Timeout, p.clock)
	start := time.Now()
	path, first, err := f.API.health(ctx)
	f.Health = first
	r := report.Result{Kind: report.KindAPI, Addr: addr.String(), Status: report.Pass, Code: report.OK, Duration: time.Since(start)}
	if err == nil {
		r.Msg = fmt.Sprintf("%s: GET %s answered 200 to an anonymous request", e.Name, path)
	} else {
		r.Status, r.Code, r.Msg = report.Fail, report.APIHTTPError, fmt.Sprintf("%s: %v", e.Name, err)
	}
	return r
}

func describeTCP(code report.Code, err error, timeout time.Duration) string {
	switch code {
	case report.TCPTimeout:
		return "timed out after " + timeout.String()
	case report.TCPRefused:
		return "was refused"
	}
	return fmt.Sprintf("is unreachable (%v)", err)
}

func roundMS(d time.Duration) string { return d.Round(time.Millisecond).String() }

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

func sameAddrs(a, b []netip.Addr) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.SortFunc(x, netip.Addr.Compare)
	slices.SortFunc(y, netip.Addr.Compare)
	return slices.Equal(x, y)
}

// clock reads the runner's clock; a plan run by no runner (a check's test)
// reads the machine's.
func (p Plan) clock() time.Time {
	if p.now == nil {
		return time.Now()
	}
	return p.now()
}
