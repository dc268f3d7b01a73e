package probes

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/eksapi"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/loopvpc"
	"github.com/eksboot/eksboot/test/netns"
	"github.com/miekg/dns"
)

// world is a private VPC on loopback: a VPC resolver and a node resolver,
// each endpoint a listener on its own 127.0.1.x, the API server with TLS
// from a test CA whose certificate names the kubernetes service IP.
type world struct {
	vpc, node *loopvpc.Zone
	ca        *loopvpc.CA
	api       *eksapi.Server
	plan      Plan
	hosts     map[string]string // endpoint name -> host
}

var endpointAddrs = map[string]string{"api": "127.0.1.1", "ec2": "127.0.1.2", "ecr.api": "127.0.1.3", "ecr.dkr": "127.0.1.4", "s3": "127.0.1.5", "sts": "127.0.1.6"}

func newWorld(t *testing.T, serve bool) *world {
	t.Helper()
	inst := imdsmock.Default()
	w := &world{vpc: loopvpc.NewZone(), node: loopvpc.NewZone(), ca: loopvpc.NewCA(t, "kubernetes"), hosts: map[string]string{},
		api: loopvpc.EKS(inst, "prod")}
	vpcAddr := loopvpc.StartDNS(t, "127.0.0.2:0", w.vpc)
	nodeAddr := loopvpc.StartDNS(t, "127.0.0.3:0", w.node)
	endpoints := Endpoints(Selection{Region: "eu-west-1", APIHost: apiHost})
	for _, e := range endpoints {
		w.hosts[e.Name] = e.Host
		w.both(e.Name, endpointAddrs[e.Name])
		if !serve {
			continue
		}
		if e.Name == "api" {
			loopvpc.ServeAPI(t, endpointAddrs["api"], w.ca.ServerCert(t, []string{apiHost}, "10.100.0.1", "127.0.1.1"), w.api)
		} else {
			loopvpc.ListenTCP(t, endpointAddrs[e.Name])
		}
	}
	w.plan = Plan{
		Endpoints: endpoints,
		Resolvers: []Resolver{{RoleVPC, vpcAddr}, {RoleNode, nodeAddr}},
		VPCCIDRs:  []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		CA:        w.ca.Pool(),
		Timeout:   500 * time.Millisecond,
		Facts: hints.NodeFacts{ClusterName: "prod", SubnetCIDR: netip.MustParsePrefix("127.0.1.0/24"), SecurityGroups: []string{"sg-0abc"}, VPCResolver: vpcAddr,
			RoleARN: "arn:aws:iam::111122223333:role/eksboot-node", InstanceProfileARN: inst.InstanceProfileARN, NodeName: inst.LocalHostname},
		Checks: NodeChecks,
		IMDS:   IMDSRead{Took: time.Millisecond},
		JudgeServiceIP: func(ip netip.Addr) ServiceVerdict {
			return ServiceVerdict{Msg: "the certificate's kubernetes service IP " + ip.String() + " agrees"}
		},
		Identity: &IdentityPlan{Cluster: "prod", Region: "eu-west-1", NodeName: inst.LocalHostname,
			Credentials: &aws.Credentials{AccessKeyID: inst.Credentials.AccessKeyID, SecretAccessKey: inst.Credentials.SecretAccessKey, SessionToken: inst.Credentials.Token}},
	}
	return w
}

// both points an endpoint's host at addrs in both resolvers.
func (w *world) both(endpoint string, addrs ...string) {
	w.vpc.Set(w.hosts[endpoint], addrs...)
	w.node.Set(w.hosts[endpoint], addrs...)
}

func (w *world) run(t *testing.T) Report {
	t.Helper()
	return (&Runner{}).Run(context.Background(), w.plan)
}

// find returns the first result of endpoint and check with code, failing
// the test when there is none.
func find(t *testing.T, rep Report, endpoint, check string, code report.Code) report.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Endpoint == endpoint && r.Kind == check && r.Code == code {
			return r
		}
	}
	t.Fatalf("no %s %s result with code %s in:\n%s", endpoint, check, code, dump(rep.Results))
	return report.Result{}
}

func dump(rs []report.Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(string(r.Status) + " " + r.Kind + " " + r.Endpoint + " " + r.Addr + " " + string(r.Code) + " " + r.Msg + "\n")
	}
	return b.String()
}

func TestHealthyVPC(t *testing.T) {
	w := newWorld(t, true)
	rep := w.run(t)
	for _, r := range rep.Results {
		if r.Status != report.Pass {
			t.Errorf("not a pass: %+v", r)
		}
	}
	if rep.ServerVersion != loopvpc.APIVersion || rep.ServerCert == nil {
		t.Fatalf("server version %q", rep.ServerVersion)
	}
	if rep.User == nil || rep.User.Username != "system:node:ip-10-0-1-10.eu-west-1.compute.internal" {
		t.Fatalf("identity %+v", rep.User)
	}
	find(t, rep, "", report.KindAuth, report.OK)
	find(t, rep, "", report.KindClock, report.OK)
	for name := range endpointAddrs {
		find(t, rep, name, report.KindDNS, report.OK)
		find(t, rep, name, report.KindTCP, report.OK)
	}
	find(t, rep, "api", report.KindTLS, report.OK)
	find(t, rep, "api", report.KindAPI, report.OK)
	if v := report.Decide(rep.Results, report.FailOnRequired); !v.Passed || v.Counts.Fail != 0 {
		t.Fatalf("verdict %+v", v)
	}
	if r := find(t, rep, "ec2", report.KindTCP, report.OK); !strings.Contains(r.Route, "dev lo") {
		t.Errorf("route %q: want the kernel's route through lo", r.Route)
	}
}

// TestEachFailureCode creates each condition for real and checks the code,
// the status and that the hint names what to change.
func TestEachFailureCode(t *testing.T) {
	otherCA := loopvpc.NewCA(t, "another-cluster")
	cases := []struct {
		name     string
		setup    func(t *testing.T, w *world)
		endpoint string
		check    string
		code     report.Code
		status   report.Status
		hint     string
	}{
		{"no interface endpoint", func(t *testing.T, w *world) { w.both("ec2", "198.51.100.7") }, "ec2", report.KindDNS, report.DNSPublic, report.Fail, "com.amazonaws.eu-west-1.ec2"},
		{"public answer is unreachable", func(t *testing.T, w *world) { w.both("ec2", "198.51.100.7") }, "ec2", report.KindTCP, report.TCPUnreachable, report.Fail, "route table"},
		{"private access off", func(t *testing.T, w *world) { w.both("api", "198.51.100.8") }, "api", report.KindDNS, report.APIPrivateAccess, report.Fail, "private endpoint access"},
		{"nxdomain", func(t *testing.T, w *world) { w.vpc.Rcode(w.hosts["sts"], dns.RcodeNameError) }, "sts", report.KindDNS, report.DNSNXDomain, report.Fail, "com.amazonaws.eu-west-1.sts"},
		{"servfail", func(t *testing.T, w *world) { w.node.Rcode(w.hosts["ecr.api"], dns.RcodeServerFailure) }, "ecr.api", report.KindDNS, report.DNSServFail, report.Fail, "DHCP options"},
		{"refused", func(t *testing.T, w *world) { w.node.Rcode(w.hosts["ecr.api"], dns.RcodeRefused) }, "ecr.api", report.KindDNS, report.DNSRefused, report.Fail, "custom DNS server"},
		{"resolver silent", func(t *testing.T, w *world) { w.vpc.Silence(w.hosts["ecr.dkr"]) }, "ecr.dkr", report.KindDNS, report.DNSTimeout, report.Fail, "enableDnsSupport"},
		{"no A record", func(t *testing.T, w *world) { w.both("sts", "fd00::6") }, "sts", report.KindDNS, report.DNSNoData, report.Fail, "interface VPC endpoint"},
		{"custom DNS disagrees", func(t *testing.T, w *world) {
			w.node.Set(w.hosts["ec2"], "127.0.1.2", "127.0.1.22")
			loopvpc.ListenTCP(t, "127.0.1.22")
		}, "ec2", report.KindDNS, report.DNSMismatch, report.Warn, "DHCP options set"},
		{"security group drops", func(t *testing.T, w *world) { w.both("sts", netns.BlackholeAddr) }, "sts", report.KindTCP, report.TCPTimeout, report.Fail, "allow inbound TCP 443 from the node's subnet 127.0.1.0/24 or its security groups sg-0abc"},
		{"nothing listening", func(t *testing.T, w *world) { w.both("ec2", "127.0.1.99") }, "ec2", report.KindTCP, report.TCPRefused, report.Fail, "refused"},
		{"no route", func(t *testing.T, w *world) { w.both("ecr.dkr", "10.254.0.1") }, "ecr.dkr", report.KindTCP, report.TCPUnreachable, report.Fail, "route table"},
		{"another cluster's CA", func(t *testing.T, w *world) {
			w.both("api", "127.0.1.11")
			loopvpc.ServeAPI(t, "127.0.1.11", otherCA.ServerCert(t, []string{apiHost}), w.api)
		}, "api", report.KindTLS, report.TLSUnknownCA, report.Fail, "--b64-cluster-ca belongs to another cluster"},
		{"wrong host name", func(t *testing.T, w *world) {
			w.both("api", "127.0.1.12")
			loopvpc.ServeAPI(t, "127.0.1.12", w.ca.ServerCert(t, []string{"other.example"}), w.api)
		}, "api", report.KindTLS, report.TLSHostname, report.Fail, "does not name"},
		{"TLS never finishes", func(t *testing.T, w *world) { w.both("api", "127.0.1.13"); loopvpc.ServeRaw(t, "127.0.1.13", "") }, "api", report.KindTLS, report.TLSTimeout, report.Fail, "TLS-inspecting"},
		{"not TLS", func(t *testing.T, w *world) {
			w.both("api", "127.0.1.14")
			loopvpc.ServeRaw(t, "127.0.1.14", "HTTP/1.1 400 Bad Request\r\n\r\n")
		}, "api", report.KindTLS, report.TLSError, report.Fail, "intercepts TLS"},
		{"not ready", func(t *testing.T, w *world) {
			w.both("api", "127.0.1.15")
			loopvpc.ServeAPI(t, "127.0.1.15", w.ca.ServerCert(t, []string{apiHost}), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
		}, "api", report.KindAPI, report.APIHTTPError, report.Fail, "ACTIVE"},
		{"megabytes of headers", func(t *testing.T, w *world) {
			w.both("api", "127.0.1.17")
			loopvpc.ServeAPI(t, "127.0.1.17", w.ca.ServerCert(t, []string{apiHost}), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Flood", strings.Repeat("a", 8<<20))
			}))
		}, "api", report.KindAPI, report.APIHTTPError, report.Fail, "ACTIVE"},
		{"role unmapped", func(t *testing.T, w *world) { w.api.Access.Entries = nil }, "", report.KindAuth, report.AuthUnmapped, report.Fail,
			"does not map the role arn:aws:iam::111122223333:role/eksboot-node: create an access entry of type EC2_LINUX"},
		{"role mapped with its path", func(t *testing.T, w *world) {
			w.api.Access.Entries[0].RoleARN = "arn:aws:iam::111122223333:role/nodes/eksboot-node"
		}, "", report.KindAuth, report.AuthUnmapped, report.Fail, "rolearn arn:aws:iam::111122223333:role/eksboot-node (the role ARN without its path, not the instance profile ARN arn:aws:iam::111122223333:instance-profile/nodes/eksboot-node)"},
		{"access entry STANDARD", func(t *testing.T, w *world) { w.api.Access.Entries[0].Type = "STANDARD" }, "", report.KindAuth, report.AuthGroups, report.Fail, "type STANDARD"},
		{"node name mismatch", func(t *testing.T, w *world) {
			w.api.Access.Entries[0] = eksapi.Entry{RoleARN: "arn:aws:iam::111122223333:role/eksboot-node", Type: "aws-auth",
				Username: "system:node:{{SessionName}}", Groups: []string{"system:bootstrappers", "system:nodes"}}
		}, "", report.KindAuth, report.AuthNodeName, report.Fail, "system:node:{{EC2PrivateDNSName}} exactly"},
		{"windows without the kube-proxy group", func(t *testing.T, w *world) { w.plan.Identity.Windows, w.plan.Facts.Windows = true, true }, "", report.KindAuth, report.AuthWindowsGroup, report.Warn, "type EC2_WINDOWS"},
		{"no instance profile", func(t *testing.T, w *world) {
			w.plan.Identity.Credentials, w.plan.Identity.NoRole = nil, "the instance has no instance profile"
		}, "", report.KindAuth, report.IAMNoRole, report.Fail, "attach an instance profile"},
		{"clock ten minutes behind", func(t *testing.T, w *world) {
			w.both("api", "127.0.1.16")
			loopvpc.ServeAPI(t, "127.0.1.16", w.ca.ServerCert(t, []string{apiHost}), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Date", time.Now().Add(10*time.Minute).UTC().Format(http.TimeFormat))
				w.api.ServeHTTP(rw, r)
			}))
		}, "", report.KindClock, report.ClockSkew, report.Fail, "Amazon Time Sync Service"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, true)
			tc.setup(t, w)
			rep := w.run(t)
			r := find(t, rep, tc.endpoint, tc.check, tc.code)
			if r.Status != tc.status || !strings.Contains(r.Hint, tc.hint) || r.Msg == "" {
				t.Fatalf("status %s (want %s), msg %q, hint %q (want %q)", r.Status, tc.status, r.Msg, r.Hint, tc.hint)
			}
			if v := report.Decide(rep.Results, report.FailOnRequired); v.Passed == (tc.status == report.Fail) {
				t.Fatalf("verdict %+v", v)
			}
		})
	}
}

func TestCNAMEChainIsFollowed(t *testing.T) {
	w := newWorld(t, true)
	w.vpc.CNAME(w.hosts["ecr.api"], "vpce-0abc.ecr.api.vpce.amazonaws.com")
	w.vpc.Set("vpce-0abc.ecr.api.vpce.amazonaws.com", "127.0.1.3")
	rep := w.run(t)
	if r := find(t, rep, "ecr.api", report.KindDNS, report.OK); !strings.Contains(r.Msg, "127.0.1.3") {
		t.Fatalf("%+v", r)
	}
}

func TestGatewayPublicAnswerIsFine(t *testing.T) {
	if out, err := exec.Command("ip", "addr", "add", "203.0.113.5/32", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	defer exec.Command("ip", "addr", "del", "203.0.113.5/32", "dev", "lo").Run()
	w := newWorld(t, true)
	loopvpc.ListenTCP(t, "203.0.113.5")
	w.both("s3", "203.0.113.5")
	rep := w.run(t)
	find(t, rep, "s3", report.KindDNS, report.OK)
	find(t, rep, "s3", report.KindTCP, report.OK)
}

func TestOptionalFailureOnlyWarns(t *testing.T) {
	w := newWorld(t, true)
	w.plan.Endpoints = Endpoints(Selection{Region: "eu-west-1", APIHost: apiHost, Optional: []string{"sts"}, Require: []string{"ssm"}})
	w.both("sts", "127.0.1.99")
	w.hosts["ssm"] = "ssm.eu-west-1.amazonaws.com"
	w.both("ssm", "127.0.1.98")
	rep := w.run(t)
	if r := find(t, rep, "sts", report.KindTCP, report.TCPRefused); r.Status != report.Warn {
		t.Fatalf("optional sts: %s", r.Status)
	}
	if r := find(t, rep, "ssm", report.KindTCP, report.TCPRefused); r.Status != report.Fail {
		t.Fatalf("required ssm: %s", r.Status)
	}
	v := report.Decide(rep.Results, report.FailOnRequired)
	if v.Passed || len(v.Failed) != 1 || v.Failed[0] != "ssm" {
		t.Fatalf("verdict %+v", v)
	}
	if v := report.Decide(rep.Results, report.FailOnNever); !v.Passed {
		t.Fatal("fail-on never must pass")
	}
}

func TestFailOnAnyCountsWarnings(t *testing.T) {
	w := newWorld(t, true)
	w.node.Set(w.hosts["ec2"], "127.0.1.2", "127.0.1.22")
	loopvpc.ListenTCP(t, "127.0.1.22")
	rep := w.run(t)
	if !report.Decide(rep.Results, report.FailOnRequired).Passed {
		t.Fatalf("a mismatch alone only warns:\n%s", dump(rep.Results))
	}
	if v := report.Decide(rep.Results, report.FailOnAny); v.Passed {
		t.Fatalf("fail-on any: %+v", v)
	}
}

func TestWaitReprobesUntilTheEndpointComesUp(t *testing.T) {
	w := newWorld(t, true)
	w.both("sts", "127.0.1.66")
	go func() {
		time.Sleep(700 * time.Millisecond)
		loopvpc.ListenTCP(t, "127.0.1.66")
	}()
	var heard []string
	rep := (&Runner{}).RunUntil(context.Background(), w.plan, 20*time.Second, func(failing []string, left time.Duration) {
		heard = append(heard, strings.Join(failing, ","))
	})
	find(t, rep, "sts", report.KindTCP, report.OK)
	if len(heard) == 0 || heard[0] != "sts" {
		t.Fatalf("progress heard %q", heard)
	}
	if !report.Decide(rep.Results, report.FailOnRequired).Passed {
		t.Fatalf("%s", dump(rep.Results))
	}
	if rep.ServerVersion == "" {
		t.Fatal("the API server's version was lost in the merge")
	}
}

func TestWaitGivesUp(t *testing.T) {
	w := newWorld(t, true)
	w.both("sts", "127.0.1.99")
	rep := (&Runner{}).RunUntil(context.Background(), w.plan, 300*time.Millisecond, nil)
	find(t, rep, "sts", report.KindTCP, report.TCPRefused)
}

func TestNoResolver(t *testing.T) {
	w := newWorld(t, true)
	w.plan.Resolvers = nil
	rep := w.run(t)
	if r := find(t, rep, "ec2", report.KindDNS, report.NoResolver); !strings.Contains(r.Hint, "--resolver") {
		t.Fatal(r.Hint)
	}
}

func TestIPv6AsksAAAA(t *testing.T) {
	w := newWorld(t, true)
	w.plan.IPv6 = true
	w.plan.VPCCIDRs = append(w.plan.VPCCIDRs, netip.MustParsePrefix("::1/128"))
	w.both("ec2", "127.0.1.2", "::1")
	loopvpc.ListenTCP(t, "::1")
	rep := w.run(t)
	if r := find(t, rep, "ec2", report.KindDNS, report.OK); !strings.Contains(r.Msg, "::1") {
		t.Fatalf("AAAA not asked: %s", r.Msg)
	}
	found := false
	for _, r := range rep.Results {
		found = found || (r.Endpoint == "ec2" && r.Kind == report.KindTCP && r.Addr == "[::1]:443" && r.Code == report.OK)
	}
	if !found {
		t.Fatalf("no TCP to [::1]:443:\n%s", dump(rep.Results))
	}
}

// rawUDP answers every query on addr with reply(query).
func rawUDP(t *testing.T, addr string, reply func(q []byte) []byte) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(reply(buf[:n]), from)
		}
	}()
	return netip.MustParseAddrPort(pc.LocalAddr().String())
}

// TestDNSErrorsThatAreNotTimeouts: a resolver that answers garbage, or says
// "truncated" with TCP 53 closed, is dns_error, not dns_timeout.
func TestDNSErrorsThatAreNotTimeouts(t *testing.T) {
	garbage := rawUDP(t, "127.0.0.5:0", func(q []byte) []byte { return append(q[:2:2], 0x81, 0x80, 0xff, 0xff, 0xff) })
	truncated := rawUDP(t, "127.0.0.6:0", func(q []byte) []byte {
		m := new(dns.Msg)
		m.Unpack(q)
		r := new(dns.Msg)
		r.SetReply(m)
		r.Truncated = true
		b, _ := r.Pack()
		return b
	})
	for name, res := range map[string]netip.AddrPort{"garbage": garbage, "truncated, TCP refused": truncated} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, true)
			w.plan.Resolvers = []Resolver{{RoleVPC, res}}
			r := find(t, w.run(t), "sts", report.KindDNS, report.DNSError)
			if r.Status != report.Fail || !strings.Contains(r.Hint, "not in a form a resolver may") || !strings.Contains(r.Msg, "unusable answer") {
				t.Errorf("%+v", r)
			}
		})
	}
}

// TestServerStringsAreCut: a version or user name the server chose reaches
// no output with control characters, nor longer than the cap.
// FuzzDNSAnswer: whatever a resolver sends, reading it never panics and
// keeps no more addresses than the answer holds.
// TestServerVersionWithoutAToken: a node without credentials still asks
// /version anonymously, which clusters before 1.32 answer and 1.32+ refuse.
func TestServerVersionWithoutAToken(t *testing.T) {
	for _, anonymous := range []bool{true, false} {
		t.Run(fmt.Sprint("anonymous version ", anonymous), func(t *testing.T) {
			w := newWorld(t, true)
			w.api.AnonymousVersion = anonymous
			w.plan.Identity = nil
			rep := w.run(t)
			var version report.Result
			for _, r := range rep.Results {
				if r.Endpoint == "api" && strings.Contains(r.Msg, "/version") {
					version = r
				}
			}
			switch {
			case anonymous && rep.ServerVersion != loopvpc.APIVersion:
				t.Fatalf("1.31: version %q: %s", rep.ServerVersion, dump(rep.Results))
			case !anonymous && (rep.ServerVersion != "" || version.Status != report.Skip || !strings.Contains(version.Msg, "GET /version answered 401 to an anonymous request")):
				t.Fatalf("1.32+: version %q, %s %s", rep.ServerVersion, version.Status, version.Msg)
			}
		})
	}
}

// TestNodeCheckResultsSortBesideTheirEndpoint: what the node checks say
// of the API server (its version, the skew, the service CIDR) sorts with
// the api endpoint wherever the plan puts it; IMDS and config come first.
func TestNodeCheckResultsSortBesideTheirEndpoint(t *testing.T) {
	w := newWorld(t, true)
	slices.Reverse(w.plan.Endpoints)
	w.plan.Kubelet = func() string { return "v1.27.1" }
	w.plan.Config = []report.Result{ConfigWarning(report.CAValidity, "the CA expires in 20 days")}
	rep := w.run(t)
	var got []string
	for _, r := range rep.Results {
		if r.Endpoint == "" || r.Endpoint == "api" || r.Endpoint == "sts" {
			got = append(got, r.Kind+"/"+r.Endpoint)
		}
	}
	want := "config/ imds/ dns/sts dns/sts tcp/sts config/api dns/api dns/api tcp/api tls/api api/api api/api api/api auth/ clock/"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s\n%s", strings.Join(got, " "), want, dump(rep.Results))
	}
	if r := find(t, rep, "api", report.KindAPI, report.VersionSkew); r.Status != report.Warn || !strings.Contains(r.Hint, "kubelet") {
		t.Fatalf("skew: %+v", r)
	}
}

// TestSeverityIsDecidedOnce: a service CIDR the certificate contradicts
// warns a Linux node and fails a Windows one, and --optional and
// --require turn either way; the same for any check by name.
func TestSeverityIsDecidedOnce(t *testing.T) {
	for _, tc := range []struct {
		name              string
		windows           bool
		require, optional []string
		want              report.Status
	}{
		{"linux", false, nil, nil, report.Warn},
		{"windows", true, nil, nil, report.Fail},
		{"linux, required", false, []string{"service-cidr"}, nil, report.Fail},
		{"windows, optional", true, nil, []string{"service-cidr"}, report.Warn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, true)
			w.plan.Facts.Windows, w.plan.Identity.Windows = tc.windows, tc.windows
			w.plan.Selection.Require, w.plan.Selection.Optional = tc.require, tc.optional
			w.plan.JudgeServiceIP = func(ip netip.Addr) ServiceVerdict {
				return ServiceVerdict{Mismatch: true, Msg: "the certificate names " + ip.String() + ", the service CIDR given is 172.20.0.0/16"}
			}
			var progressed bool
			rep := (&Runner{}).RunUntil(context.Background(), w.plan, time.Minute, func([]string, time.Duration) { progressed = true })
			r := find(t, rep, "api", report.KindConfig, report.ServiceCIDRMismatch)
			if r.Status != tc.want || !strings.Contains(r.Hint, "--service-ipv4-cidr") {
				t.Fatalf("%s: %+v", r.Status, r)
			}
			if progressed {
				t.Fatal("--wait waited on a mismatch that waiting cannot change")
			}
		})
	}
	w := newWorld(t, true)
	w.api.Access.Entries = nil
	w.plan.Selection.Optional = []string{report.KindAuth}
	if r := find(t, w.run(t), "", report.KindAuth, report.AuthUnmapped); r.Status != report.Warn {
		t.Fatalf("--optional auth: %+v", r)
	}
}

// TestWaitRunsTheAPIAgainForItsIdentity: a role mapped while eksboot waits
// is found by asking the API server again, over a new connection.
func TestWaitRunsTheAPIAgainForItsIdentity(t *testing.T) {
	w := newWorld(t, true)
	unmapped := loopvpc.EKS(imdsmock.Default(), "prod")
	unmapped.Access.Entries = nil
	var mapped atomic.Bool
	w.both("api", "127.0.1.18")
	loopvpc.ServeAPI(t, "127.0.1.18", w.ca.ServerCert(t, []string{apiHost}, "10.100.0.1"), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if mapped.Load() {
			w.api.ServeHTTP(rw, r)
		} else {
			unmapped.ServeHTTP(rw, r)
		}
	}))
	var heard []string
	rep := (&Runner{}).RunUntil(context.Background(), w.plan, 20*time.Second, func(failing []string, _ time.Duration) {
		heard = append(heard, strings.Join(failing, ","))
		mapped.Store(true)
	})
	find(t, rep, "", report.KindAuth, report.OK)
	if len(heard) != 1 || heard[0] != report.KindAuth || rep.User == nil || rep.ServerVersion == "" {
		t.Fatalf("heard %q, user %+v, version %q:\n%s", heard, rep.User, rep.ServerVersion, dump(rep.Results))
	}
}
