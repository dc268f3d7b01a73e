package probes

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// maxAddrsPerEndpoint bounds the TCP checks of one host (S3 answers many).
const maxAddrsPerEndpoint = 8

// Plan is what one run probes, built first as data.
type Plan struct {
	Endpoints []Endpoint
	Resolvers []Resolver // the VPC resolver first when known, then the node's
	IPv6      bool       // ask AAAA as well as A
	VPCCIDRs  []netip.Prefix
	CA        *x509.CertPool
	Timeout   time.Duration // one probe's limit
	Facts     NodeFacts
	// Identity plans the identity check on the API server; nil leaves it out.
	Identity *IdentityPlan
	// ClockRequired makes a clock skew over the failing limit fail the
	// verdict, rather than warn.
	ClockRequired bool
	// Deadline ends the first round of probes; zero means one Timeout (and
	// a tenth) from its start. The agent starts it before reading IMDS, so
	// the whole run costs one timeout.
	Deadline time.Time
}

// Report is what a run found.
type Report struct {
	Results       []Result
	ServerVersion string            // the API server's gitVersion, when /version answered
	ServerCert    *x509.Certificate // the API server's leaf, when TLS succeeded
	User          *UserInfo         // who the API server says the node is
}

// Runner runs a Plan. Dialer is the seam for tests; nil means net.Dialer.
type Runner struct {
	Dialer dialer
}

// Run probes every endpoint of p concurrently, all under one deadline: a
// run costs about one probe timeout at worst, not the sum of them.
func (rn *Runner) Run(ctx context.Context, p Plan) Report {
	parent := ctx
	deadline := p.Deadline
	if deadline.IsZero() {
		deadline = time.Now().Add(p.Timeout + p.Timeout/10)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var mu sync.Mutex
	var rep Report
	var wg sync.WaitGroup
	for i, e := range p.Endpoints {
		wg.Go(func() {
			er := rn.probeEndpoint(ctx, p, e)
			mu.Lock()
			defer mu.Unlock()
			for j := range er.results {
				er.results[j].order = i
				er.results[j].source = endpointKey(e.Name, e.Host)
			}
			rep.Results = append(rep.Results, er.results...)
			if e.Kind == Cluster {
				rep.ServerVersion, rep.ServerCert, rep.User = er.version, er.cert, er.user
			}
		})
	}
	wg.Wait()
	if parent.Err() != nil {
		markInterrupted(rep.Results)
	}
	SortResults(rep.Results)
	return rep
}

// markInterrupted turns what did not pass into skips: a probe cut short by
// SIGTERM or SIGINT found nothing wrong, it was stopped.
func markInterrupted(rs []Result) {
	for i, r := range rs {
		if r.Status == Fail || r.Status == Warn {
			rs[i].Status, rs[i].Code, rs[i].Hint = Skip, Interrupted, ""
			rs[i].Msg += " (interrupted before it finished)"
		}
	}
}

// Placed gives r, made outside the runner, the place of its endpoint in
// the plan, so that it sorts beside that endpoint's own results.
func (p Plan) Placed(r Result) Result {
	if i := slices.IndexFunc(p.Endpoints, func(e Endpoint) bool { return e.Name == r.Endpoint }); i >= 0 {
		r.order = i
	}
	return r
}

// SortResults orders results by endpoint in plan order, then by check.
func SortResults(rs []Result) {
	checkOrder := map[string]int{CheckConfig: 0, CheckIMDS: 1, CheckDNS: 2, CheckTCP: 3, CheckTLS: 4, CheckAPI: 5, CheckAuth: 6, CheckClock: 7}
	for i := range rs {
		if rs[i].Check == CheckConfig || rs[i].Check == CheckIMDS {
			rs[i].order = -1 // node-wide results come first
		}
	}
	slices.SortStableFunc(rs, func(a, b Result) int {
		return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(checkOrder[a.Check], checkOrder[b.Check]))
	})
}

type endpointReport struct {
	results []Result
	version string
	cert    *x509.Certificate
	user    *UserInfo
}

func (rn *Runner) dialer() dialer {
	if rn.Dialer != nil {
		return rn.Dialer
	}
	return &net.Dialer{}
}

func (rn *Runner) probeEndpoint(ctx context.Context, p Plan, e Endpoint) *endpointReport {
	out := &endpointReport{}
	add := func(r Result, viaNode bool) {
		r.Endpoint, r.Host = e.Name, e.Host
		r = OnFailure(r, e.Required)
		if r.Status != Pass {
			r.Hint = hintFor(r, e, p.Facts, viaNode)
		}
		out.results = append(out.results, r)
	}

	if len(p.Resolvers) == 0 {
		add(Result{Check: CheckDNS, Status: Fail, Code: NoResolver, Msg: fmt.Sprintf("%s: no resolver to ask for %s", e.Name, e.Host)}, false)
		return out
	}
	if a, err := netip.ParseAddr(e.Host); err == nil { // an endpoint given as an address needs no DNS
		rn.connect(ctx, p, e, []netip.Addr{a.Unmap()}, add, out)
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
		if ans.code == OK {
			if res.Role == RoleVPC {
				vpcAnswer = &answers[i]
			} else if vpcAnswer != nil && e.Kind != Gateway && !sameAddrs(vpcAnswer.addrs, ans.addrs) {
				add(Result{Check: CheckDNS, Addr: res.Addr.Addr().String(), Status: Warn, Code: DNSMismatch,
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
		rn.connect(ctx, p, e, addrs, add, out)
	}
	return out
}

// dnsResult judges one resolver's answer for e: no address, or addresses
// inside or outside the VPC.
func dnsResult(e Endpoint, res Resolver, ans lookupResult, vpc []netip.Prefix) Result {
	r := Result{Check: CheckDNS, Addr: res.Addr.Addr().String(), Status: Pass, Code: OK, Duration: ans.elapsed}
	if ans.code != OK {
		r.Status, r.Code = Fail, ans.code
		r.Msg = fmt.Sprintf("%s: the %s found no address for %s (%v)", e.Name, res, e.Host, ans.err)
		return r
	}
	r.Code = classify(e, ans.addrs, vpc)
	r.Msg = fmt.Sprintf("%s: %s resolves to %s through the %s", e.Name, e.Host, joinAddrs(ans.addrs), res)
	if r.Code != OK {
		r.Status = Fail
		r.Msg += ", outside the VPC"
	}
	return r
}

func (rn *Runner) resolve(ctx context.Context, p Plan, res Resolver, host string) lookupResult {
	start := time.Now()
	ans := lookup(ctx, res.Addr, host, dns.TypeA, p.Timeout)
	if p.IPv6 {
		if v6 := lookup(ctx, res.Addr, host, dns.TypeAAAA, p.Timeout); v6.code == OK {
			ans.addrs = append(ans.addrs, v6.addrs...)
			ans.code, ans.err = OK, nil
		}
	}
	ans.elapsed = time.Since(start)
	return ans
}

// classify says whether answers fit the endpoint's kind.
func classify(e Endpoint, addrs []netip.Addr, vpc []netip.Prefix) Code {
	if e.Kind == Gateway {
		return OK // S3's gateway endpoint keeps public names; routing makes it private
	}
	for _, a := range addrs {
		if !IsPrivate(a, vpc) {
			if e.Kind == Cluster {
				return APIPrivateAccess
			}
			return DNSPublic
		}
	}
	return OK
}

// connect dials every address; for the cluster it then runs TLS on each
// and asks /version over the first that verifies.
func (rn *Runner) connect(ctx context.Context, p Plan, e Endpoint, addrs []netip.Addr, add func(Result, bool), out *endpointReport) {
	type conn struct {
		addr   netip.Addr
		tcp    Result
		tls    *Result
		tlsCon *tls.Conn
	}
	conns := make([]conn, len(addrs))
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Go(func() {
			ap := netip.AddrPortFrom(a, 443)
			start := time.Now()
			c, code, err := dialTCP(ctx, rn.dialer(), ap, p.Timeout)
			r := Result{Check: CheckTCP, Addr: ap.String(), Route: routeTo(a), Status: Pass, Code: code, Duration: time.Since(start)}
			if code == OK {
				r.Msg = fmt.Sprintf("%s: TCP 443 to %s connected in %s", e.Name, a, roundMS(r.Duration))
			} else {
				r.Status = Fail
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
			tr := Result{Check: CheckTLS, Addr: ap.String(), Status: Pass, Code: code, Duration: time.Since(start)}
			if code == OK {
				tr.Msg = fmt.Sprintf("%s: TLS to %s verified against the cluster CA", e.Name, a)
			} else {
				tr.Status = Fail
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
		out.cert = c.tlsCon.ConnectionState().PeerCertificates[0]
		rn.talkToAPI(ctx, p, e, netip.AddrPortFrom(c.addr, 443), c.tlsCon, add, out)
	}
}

// talkToAPI runs, over the first address whose TLS verified: an anonymous
// health request, the clock against the server's Date, and with the node's
// own token the identity review and GET /version.
func (rn *Runner) talkToAPI(ctx context.Context, p Plan, e Endpoint, addr netip.AddrPort, tc *tls.Conn, add func(Result, bool), out *endpointReport) {
	api := newAPIClient(tc, addr, e.Host, p.CA, p.Timeout)
	defer api.close()
	var clockOff bool
	nodeWide := func(r Result, required bool) {
		r.Host = e.Host
		r = OnFailure(r, required)
		if r.Status != Pass {
			r.Hint = hintFor(r, e, p.Facts, false)
		}
		if r.Code == AuthUnmapped && clockOff {
			r.Hint = "first set the node's clock right (chrony with the Amazon Time Sync Service, 169.254.169.123): STS refuses a token signed by a clock that is minutes off, and the API server then answers 401 as for an unmapped role; if the clock is right, " + r.Hint
		}
		out.results = append(out.results, r)
	}

	start := time.Now()
	path, first, err := api.health(ctx)
	r := Result{Check: CheckAPI, Addr: addr.String(), Status: Pass, Code: OK, Duration: time.Since(start)}
	if err == nil {
		r.Msg = fmt.Sprintf("%s: GET %s answered 200 to an anonymous request", e.Name, path)
	} else {
		r.Status, r.Code, r.Msg = Fail, APIHTTPError, fmt.Sprintf("%s: %v", e.Name, err)
	}
	add(r, false)
	if cr, ok := clockResult(first); ok {
		clockOff = cr.Code == ClockSkew
		nodeWide(cr, p.ClockRequired)
	}

	token := ""
	if ip := p.Identity; ip != nil {
		var ar Result
		ar, token = checkIdentity(ctx, ip, api, out)
		nodeWide(ar, ip.Required)
	}

	start = time.Now()
	version, err := api.serverVersion(ctx, token)
	vr := Result{Check: CheckAPI, Addr: addr.String(), Status: Pass, Code: OK, Duration: time.Since(start),
		Msg: fmt.Sprintf("%s: GET /version answered %s", e.Name, version)}
	if err != nil {
		vr.Status, vr.Msg = Skip, fmt.Sprintf("%s: the server version is unknown: %v", e.Name, err)
	}
	out.version = version
	add(vr, false)
}

// checkIdentity asks the API server who the node's token makes it, as the
// kubelet will be; it returns the result and the token, "" when there is
// none to sign.
func checkIdentity(ctx context.Context, ip *IdentityPlan, api *apiClient, out *endpointReport) (Result, string) {
	start := time.Now()
	r := Result{Check: CheckAuth, Status: Fail, Code: IAMNoRole, Msg: "auth: " + ip.NoRole}
	token := ""
	switch {
	case ip.Unknown != "":
		r.Status, r.Code, r.Msg = Skip, OK, "auth: the node's identity is not checked: "+ip.Unknown
	case ip.Credentials != nil:
		var err error
		if token, err = IdentityToken(ctx, *ip.Credentials, ip.Cluster, ip.Region, ip.Domain, time.Now()); err != nil {
			r.Code, r.Msg = APIHTTPError, "auth: signing the node's token failed: "+err.Error()
		} else {
			var path string
			out.user, path, err = api.review(ctx, token)
			r = identityResult(ip, out.user, path, err)
		}
	}
	r.Duration = time.Since(start)
	return r, token
}

func describeTCP(code Code, err error, timeout time.Duration) string {
	switch code {
	case TCPTimeout:
		return "timed out after " + timeout.String()
	case TCPRefused:
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
