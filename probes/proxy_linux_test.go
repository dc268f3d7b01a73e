package probes

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/awssim"
	"github.com/eksboot/eksboot/test/connectproxy"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/loopvpc"
	"github.com/eksboot/eksboot/test/netns"
	"github.com/eksboot/eksboot/test/testpki"
	"golang.org/x/net/http/httpproxy"
)

// proxyWorld is the loopback VPC with only the API server's endpoint in
// it: every other endpoint's name resolves to a public address the node
// cannot reach, and the agents reach AWS (the simulation, on the
// "internet" behind the proxy) through an HTTPS proxy on loopback.
type proxyWorld struct {
	*world
	proxy *connectproxy.Proxy
	aws   string // where the simulated AWS answers, behind the proxy
	ca    *testpki.CA
}

// newProxyWorld stands it up; configure sets the proxy's behaviour before
// it starts, via makes each non-API endpoint's proxy URL from the
// proxy's address ("" leaves the endpoint direct).
func newProxyWorld(t *testing.T, configure func(*connectproxy.Proxy), via func(endpoint, proxyAddr string) string) *proxyWorld {
	t.Helper()
	w := &proxyWorld{world: newWorld(t, true)}
	inst := imdsmock.Default()
	sim := loopvpc.AWS(inst)
	var err error
	if w.ca, err = testpki.NewCA("aws (proxy test)"); err != nil {
		t.Fatal(err)
	}
	leaf, err := w.ca.Leaf(sim.Hosts())
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: sim, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{leaf}}))
	t.Cleanup(func() { srv.Close() })
	w.aws = l.Addr().String()

	w.proxy = &connectproxy.Proxy{Upstream: func(string) string { return w.aws }}
	if configure != nil {
		configure(w.proxy)
	}
	connectproxy.Start(t, "127.0.0.1:0", w.proxy)
	for i, e := range w.plan.Endpoints {
		if e.Kind == Cluster {
			continue
		}
		w.both(e.Name, "198.51.100.7") // public: a direct probe would fail
		if v := via(e.Name, w.proxy.Addr); v != "" {
			u, err := url.Parse(v)
			if err != nil {
				t.Fatal(err)
			}
			w.plan.Endpoints[i].Via = u
		}
	}
	w.plan.AWS = &AWSPlan{Region: inst.Region, InstanceID: inst.InstanceID, Credentials: w.plan.Identity.Credentials, Roots: w.ca.Pool(),
		// AWS's names would resolve where the node cannot go; the proxy is
		// dialed as named.
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			switch host, port, _ := net.SplitHostPort(addr); {
			case strings.HasSuffix(host, ".amazonaws.com"):
				addr = w.aws
			case host == "proxy.corp.internal": // the node zone's answer, as the system resolver would give it
				addr = "127.0.0.1:" + port
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
	return w
}

func allVia(_, addr string) string { return "http://" + addr }

// check runs the plan and checks what holds of every run through a proxy:
// no secret in any result, each result's path, and the proxy's results
// carrying check: proxy for their endpoint.
func (w *proxyWorld) check(t *testing.T, secrets ...string) Report {
	t.Helper()
	rep := w.run(t)
	for _, r := range rep.Results {
		line := fmt.Sprintf("%+v", r)
		for _, s := range append(secrets, awssim.Secrets()...) {
			if strings.Contains(line, s) {
				t.Errorf("a result shows %q: %s", s, line)
			}
		}
		e, _ := w.plan.endpoint(r.Endpoint)
		switch {
		case r.Endpoint == "":
		case e.Kind == Cluster && (r.Kind == report.KindDNS || r.Kind == report.KindTCP || r.Kind == report.KindTLS) && r.Via != ViaDirect:
			t.Errorf("the API server is probed directly, yet %s", line)
		case e.Kind != Cluster && r.Kind != report.KindConfig && r.Via != Via(e.Via):
			t.Errorf("via %q, want %q: %s", r.Via, Via(e.Via), line)
		}
		if e.Via != nil && e.Kind != Cluster && (r.Kind == report.KindTCP || r.Kind == report.KindDNS && r.Status != report.Skip) {
			t.Errorf("an endpoint reached through the proxy is judged by the node's DNS or TCP: %s", line)
		}
	}
	for _, q := range w.proxy.Log() {
		if strings.Contains(q.Target, "169.254.169.254") {
			t.Errorf("IMDS went to the proxy: %+v", q)
		}
	}
	return rep
}

func TestProxyOnlyVPCPasses(t *testing.T) {
	w := newProxyWorld(t, nil, allVia)
	rep := w.check(t)
	for _, r := range rep.Results {
		if r.Status != report.Pass && r.Status != report.Skip {
			t.Errorf("not a pass: %+v", r)
		}
	}
	via := "proxy " + w.proxy.Addr
	for _, name := range []string{"ec2", "ecr.api", "ecr.dkr", "s3", "sts"} {
		r := find(t, rep, name, report.KindProxy, report.OK)
		if r.Via != via || r.Addr != w.proxy.Addr || !strings.Contains(r.Msg, "opened a tunnel to "+w.hosts[name]+":443") {
			t.Errorf("%+v", r)
		}
		if r := find(t, rep, name, report.KindTLS, report.OK); !strings.Contains(r.Msg, "aws (proxy test)") {
			t.Errorf("%+v", r)
		}
		if r := find(t, rep, name, report.KindDNS, report.OK); r.Status != report.Skip || !strings.Contains(r.Msg, "the proxy "+w.proxy.Addr+", which resolves it") {
			t.Errorf("%+v", r)
		}
	}
	for _, action := range []string{actionDescribeInstances, actionGetAuthToken, actionBatchGetImage, actionGetObject, actionGetCallerIdentity} {
		var seen bool
		for _, r := range rep.Results {
			if r.Action == action && r.Status == report.Pass && r.Via == via {
				seen = true
			}
		}
		if !seen {
			t.Errorf("no %s passed through the proxy:\n%s", action, dump(rep.Results))
		}
	}
	find(t, rep, "api", report.KindTLS, report.OK)
	find(t, rep, "", report.KindAuth, report.OK)
	if v := report.Decide(rep.Results, report.FailOnRequired); !v.Passed {
		t.Fatalf("verdict %+v", v)
	}
	targets := map[string]bool{}
	for _, q := range w.proxy.Log() {
		targets[q.Target] = true
		if q.Host != q.Target || q.Auth != "" {
			t.Errorf("CONNECT %+v: want a Host header naming the target and no credentials", q)
		}
	}
	for _, h := range []string{w.hosts["ec2"], w.hosts["s3"], awssim.LayerBucket("eu-west-1") + ".s3.eu-west-1.amazonaws.com"} {
		if !targets[h+":443"] {
			t.Errorf("the proxy was not asked for %s: %v", h, targets)
		}
	}
	if targets[apiHost+":443"] {
		t.Error("the API server's traffic went to the proxy")
	}
}

// TestProxyFindings creates each fault of the path through the proxy and
// checks its code, where it shows, and its hint.
func TestProxyFindings(t *testing.T) {
	mitm, err := testpki.NewCA("Corp TLS Inspection CA")
	if err != nil {
		t.Fatal(err)
	}
	refuse := func(host string, status int) func(*connectproxy.Proxy) {
		return func(p *connectproxy.Proxy) { p.Refuse = map[string]int{host: status} }
	}
	ecrAPI := "api.ecr.eu-west-1.amazonaws.com"
	layerHost := "prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com"
	for _, c := range []struct {
		name      string
		configure func(*connectproxy.Proxy)
		via       func(endpoint, addr string) string
		endpoint  string
		check     string
		code      report.Code
		msg, hint string
		// skipped are the calls left unasked, the endpoint's own finding
		// saying why.
		skipped []string
	}{
		{"refuses ecr", refuse(ecrAPI, http.StatusForbidden), allVia, "ecr.api", report.KindProxy, report.ProxyRefused,
			"refused CONNECT " + ecrAPI + ":443: HTTP/1.1 403 Forbidden", "allow CONNECT to " + ecrAPI + ":443 on the proxy",
			[]string{actionGetAuthToken}},
		{"refuses the layer bucket", refuse(layerHost, http.StatusForbidden), allVia, "s3", report.KindProxy, report.ProxyRefused,
			"did not get through: the proxy", "allow CONNECT to " + layerHost + ":443 on the proxy", nil},
		{"wants credentials", refuse("*", http.StatusProxyAuthRequired), allVia, "sts", report.KindProxy, report.ProxyRefused,
			"407 Proxy Authentication Required; it wants credentials, which kubelet and containerd send only when the proxy URL carries them", "put them in the proxy URL of HTTPS_PROXY",
			[]string{actionGetCallerIdentity, actionDescribeInstances, actionGetAuthToken}},
		{"bad gateway", func(p *connectproxy.Proxy) { p.Upstream = func(string) string { return "127.0.0.1:1" } }, allVia, "ec2", report.KindProxy, report.ProxyRefused,
			"HTTP/1.1 502 Bad Gateway", "com.amazonaws.eu-west-1.ec2", []string{actionDescribeInstances}},
		{"proxy down", nil, func(string, string) string { return "http://127.0.0.1:1" }, "ec2", report.KindProxy, report.ProxyUnreachable,
			"TCP to the proxy 127.0.0.1:1 was refused", "listening on 1", []string{actionDescribeInstances}},
		{"proxy dropped", nil, func(string, string) string { return "http://" + netns.BlackholeAddr + ":443" }, "sts", report.KindProxy, report.ProxyUnreachable,
			"timed out", "inbound TCP 443 from the node's subnet 127.0.1.0/24 or its security groups sg-0abc", []string{actionGetCallerIdentity}},
		{"inspects TLS", func(p *connectproxy.Proxy) { p.Inspect = mitm }, allVia, "ecr.dkr", report.KindTLS, report.ProxyInterceptsTLS,
			"issued by CN=Corp TLS Inspection CA, does not verify", "exempt .amazonaws.com from inspection",
			[]string{actionBatchGetImage, actionGetCallerIdentity}},
		{"proxy name unknown", nil, func(string, string) string { return "http://proxy.corp.internal:3128" }, "s3", report.KindProxy, report.ProxyUnreachable,
			"the proxy's name proxy.corp.internal has no address through the node resolver", "cannot resolve the proxy's name proxy.corp.internal", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newProxyWorld(t, c.configure, c.via)
			rep := w.check(t)
			r := find(t, rep, c.endpoint, c.check, c.code)
			if r.Status != report.Fail || !strings.Contains(r.Msg, c.msg) || !strings.Contains(r.Hint, c.hint) {
				t.Errorf("status %s, msg %q (want %q), hint %q (want %q)", r.Status, r.Msg, c.msg, r.Hint, c.hint)
			}
			if !strings.HasPrefix(r.Via, "proxy ") {
				t.Errorf("via %q", r.Via)
			}
			for _, action := range c.skipped {
				for _, a := range rep.Results {
					if a.Action == action && a.Status != report.Skip {
						t.Errorf("%s: the tunnel's failure is reported again: %+v", action, a)
					}
				}
			}
			if v := report.Decide(rep.Results, report.FailOnRequired); v.Passed {
				t.Errorf("verdict passes:\n%s", dump(rep.Results))
			}
		})
	}
}

// The proxy URL's credentials go to the proxy, as the agents send them,
// and never into a result.
func TestProxyCredentialsNeverShow(t *testing.T) {
	w := newProxyWorld(t, refuse407, func(_, addr string) string { return "http://pxuser:s3cr3t-pw@" + addr })
	rep := w.check(t, "s3cr3t-pw", "pxuser")
	r := find(t, rep, "ec2", report.KindProxy, report.ProxyRefused)
	if !strings.Contains(r.Msg, "does not take the credentials the proxy URL carries") || r.Via != "proxy "+w.proxy.Addr {
		t.Errorf("%+v", r)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("pxuser:s3cr3t-pw"))
	for _, q := range w.proxy.Log() {
		if q.Auth != want {
			t.Errorf("CONNECT %s carried %q, want the URL's credentials", q.Target, q.Auth)
		}
	}
}

func refuse407(p *connectproxy.Proxy) { p.Refuse = map[string]int{"*": http.StatusProxyAuthRequired} }

// kubelet would send the API server's traffic to the proxy: that fails,
// naming the NO_PROXY entry, and the API server is still probed directly.
func TestProxyCarriesTheAPIServer(t *testing.T) {
	w := newProxyWorld(t, nil, allVia)
	u, _ := url.Parse("http://" + w.proxy.Addr)
	w.plan.Endpoints[0].Via = u
	rep := w.check(t)
	r := find(t, rep, "api", report.KindProxy, report.ProxyCarriesAPI)
	if r.Status != report.Fail || r.Via != "proxy "+w.proxy.Addr || !strings.Contains(r.Msg, "(add .eks.amazonaws.com)") ||
		!strings.Contains(r.Hint, "add .eks.amazonaws.com to NO_PROXY") || !strings.Contains(r.Hint, "a VPC CIDR in NO_PROXY does not cover a host name") {
		t.Errorf("%+v", r)
	}
	if r := find(t, rep, "api", report.KindTLS, report.OK); r.Via != ViaDirect {
		t.Errorf("%+v", r)
	}
	find(t, rep, "", report.KindAuth, report.OK)
	if rep.User == nil {
		t.Error("the identity went unchecked")
	}
}

// A proxy named by a host name is looked up with the node's resolver; an
// https:// proxy is spoken TLS to first; a socks5 one is not probed.
func TestProxyByNameHTTPSAndSOCKS(t *testing.T) {
	proxyCA := loopvpc.NewCA(t, "proxy CA")
	proxyCert := proxyCA.ServerCert(t, []string{"proxy.corp.internal"})
	w := newProxyWorld(t, func(p *connectproxy.Proxy) { p.TLS = &proxyCert }, func(name, addr string) string {
		_, port, _ := net.SplitHostPort(addr)
		switch name {
		case "sts":
			return "socks5://" + addr
		case "ec2":
			return "" // direct: the proxy's certificate is not the system's, but ec2 never meets it
		}
		return "https://proxy.corp.internal:" + port
	})
	w.node.Set("proxy.corp.internal", "127.0.0.1")
	w.vpc.Set("proxy.corp.internal", "127.0.0.1")
	w.both("ec2", "127.0.1.2")
	// The agents trust the proxy's CA through the system store, as they
	// would a corporate proxy's.
	w.plan.AWS.Roots.AddCert(proxyCA.Cert)
	rep := w.check(t)
	_, port, _ := net.SplitHostPort(w.proxy.Addr)
	if r := find(t, rep, "ecr.api", report.KindProxy, report.OK); r.Addr != "127.0.0.1:"+port || r.Via != "proxy proxy.corp.internal:"+port {
		t.Errorf("%+v", r)
	}
	find(t, rep, "ecr.api", report.KindTLS, report.OK)
	if r := find(t, rep, "sts", report.KindProxy, report.OK); r.Status != report.Skip || !strings.Contains(r.Msg, "socks5 proxy") {
		t.Errorf("%+v", r)
	}
	find(t, rep, "ec2", report.KindTCP, report.OK)
	var passed bool
	for _, r := range rep.Results {
		if r.Action == actionGetAuthToken && r.Status == report.Pass && r.Via == "proxy proxy.corp.internal:"+port {
			passed = true
		}
	}
	if !passed {
		t.Errorf("ecr-auth did not pass through the https proxy:\n%s", dump(rep.Results))
	}
}

// IMDS never goes through a proxy, whatever the environment says: the
// metadata service answers at its own address, and the proxy hears
// nothing of it (nodeadm and the agents never send it there either).
func TestIMDSNeverGoesToTheProxy(t *testing.T) {
	if out, err := exec.Command("ip", "addr", "add", "169.254.169.254/32", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	defer exec.Command("ip", "addr", "del", "169.254.169.254/32", "dev", "lo").Run()
	l, err := net.Listen("tcp", "169.254.169.254:80")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/latest/meta-data/instance-id" {
			io.WriteString(w, "i-0123456789abcdef0")
		}
	})}
	go srv.Serve(l)
	defer srv.Close()
	p := connectproxy.Start(t, "127.0.0.1:0", &connectproxy.Proxy{})
	for _, v := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		t.Setenv(v, "http://"+p.Addr)
	}
	t.Setenv("NO_PROXY", "")
	if !imds.New("").AnswersV1(context.Background(), 2*time.Second) {
		t.Error("IMDS did not answer at 169.254.169.254")
	}
	if log := p.Log(); len(log) > 0 {
		t.Errorf("the proxy heard of IMDS: %+v", log)
	}
}

// A proxy that takes TCP but never answers CONNECT, or answers it with
// what is not HTTP, refuses within the probe's timeout.
func TestProxyThatDoesNotAnswerCONNECT(t *testing.T) {
	for _, c := range []struct{ addr, reply, msg string }{
		{"127.0.1.30", "", "did not answer CONNECT api.ecr.eu-west-1.amazonaws.com:443 within 500ms"},
		{"127.0.1.31", "SSH-2.0-OpenSSH_9.6\r\n\r\n", "answered CONNECT api.ecr.eu-west-1.amazonaws.com:443 with something not HTTP"},
		{"127.0.1.32", "HTTP/1.1 204 No Content\r\n\r\n", "take only 200 as a tunnel"},
	} {
		t.Run(c.addr, func(t *testing.T) {
			loopvpc.ServeRaw(t, c.addr, c.reply)
			w := newProxyWorld(t, nil, func(string, string) string { return "http://" + c.addr + ":443" })
			start := time.Now()
			rep := w.check(t)
			if took := time.Since(start); took > 2*w.plan.Timeout {
				t.Errorf("took %s", took)
			}
			if r := find(t, rep, "ecr.api", report.KindProxy, report.ProxyRefused); !strings.Contains(r.Msg, c.msg) || r.Via != "proxy "+c.addr+":443" {
				t.Errorf("%+v", r)
			}
		})
	}
}

// An https:// proxy URL without a port is dialed at 443, as Go's
// transport dials it (kubelet and containerd), by the endpoint's own proxy
// check as by its calls.
func TestHTTPSProxyWithoutPortIsDialedAt443(t *testing.T) {
	proxyCA := loopvpc.NewCA(t, "proxy CA")
	proxyCert := proxyCA.ServerCert(t, []string{"proxy.corp.internal"})
	w := newProxyWorld(t, nil, func(string, string) string { return "https://proxy.corp.internal" })
	p := connectproxy.Start(t, "127.0.1.41:443", &connectproxy.Proxy{TLS: &proxyCert, Upstream: func(string) string { return w.aws }})
	w.node.Set("proxy.corp.internal", "127.0.1.41")
	w.vpc.Set("proxy.corp.internal", "127.0.1.41")
	w.plan.AWS.Roots.AddCert(proxyCA.Cert)
	dial := w.plan.AWS.Dial
	w.plan.AWS.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "proxy.corp.internal:443" {
			addr = p.Addr
		}
		return dial(ctx, network, addr)
	}
	rep := w.check(t)
	if r := find(t, rep, "ecr.api", report.KindProxy, report.OK); r.Status != report.Pass || r.Addr != p.Addr || r.Via != "proxy proxy.corp.internal:443" {
		t.Errorf("%+v", r)
	}
}

// The layer download's host is the bucket's, under s3's: containerd sends
// it where httpproxy decides for that host, which with NO_PROXY
// .s3.REGION.amazonaws.com (subdomains only) is direct while s3's own host
// goes to the proxy.
func TestLayerBucketTakesItsOwnPath(t *testing.T) {
	w := newProxyWorld(t, nil, allVia)
	proxies := inputs.Proxies{ByAgent: map[inputs.Agent]inputs.AgentProxy{}}
	for _, a := range inputs.Agents {
		proxies.ByAgent[a] = inputs.AgentProxy{Env: httpproxy.Config{HTTPSProxy: "http://" + w.proxy.Addr, NoProxy: ".s3.eu-west-1.amazonaws.com"}}
	}
	for i, e := range w.plan.Endpoints {
		w.plan.Endpoints[i].Via, _ = proxies.For(inputs.Agent(e.Agent), e.Host)
	}
	w.plan.ProxyFor = func(agent, host string) *url.URL {
		u, _ := proxies.For(inputs.Agent(agent), host)
		return u
	}
	rep := w.run(t)
	bucket := layerBucket("eu-west-1") + ".s3.eu-west-1.amazonaws.com"
	for _, q := range w.proxy.Log() {
		if strings.HasPrefix(q.Target, bucket) {
			t.Errorf("the layer went through the proxy: %+v", q)
		}
	}
	for _, r := range rep.Results {
		if r.Endpoint == "s3" && r.Kind == report.KindAWS && (r.Status != report.Pass || r.Via != ViaDirect) {
			t.Errorf("%+v", r)
		}
	}
}

// A proxy named in the node's hosts file (a local proxy as localhost, a
// corporate one pinned there) is found there, as Go's resolver finds it
// for kubelet and containerd, before any DNS server is asked.
func TestProxyNamedInTheHostsFile(t *testing.T) {
	w := newProxyWorld(t, nil, func(_, addr string) string {
		_, port, _ := net.SplitHostPort(addr)
		return "http://localhost:" + port
	})
	rep := w.check(t)
	if r := find(t, rep, "ecr.api", report.KindProxy, report.OK); r.Status != report.Pass || r.Addr != w.proxy.Addr {
		t.Errorf("%+v", r)
	}
}
