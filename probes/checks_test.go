package probes

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/loopvpc"
	"github.com/miekg/dns"
)

const apiHost = "abc.gr7.eu-west-1.eks.amazonaws.com"

func TestServiceIPFromCertificate(t *testing.T) {
	ca := loopvpc.NewCA(t, "kubernetes")
	leaf := ca.ServerCert(t, []string{apiHost}, "10.100.0.1", "10.0.5.20", "127.0.0.1")
	cert, _ := x509.ParseCertificate(leaf.Certificate[0])
	vpc := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	if ip, ok := ServiceIPFromCertificate(cert, vpc); !ok || ip.String() != "10.100.0.1" {
		t.Fatalf("service IP %s %v", ip, ok)
	}
}

func TestCheckSkew(t *testing.T) {
	for _, tc := range []struct {
		kubelet, server string
		code            report.Code
		status          report.Status
	}{
		{"v1.31.2", "v1.31.2-eks-7f9249a", report.OK, report.Pass},
		{"v1.28.0", "v1.31.2-eks-7f9249a", report.OK, report.Pass},
		{"v1.27.9", "v1.31.2-eks-7f9249a", report.VersionSkew, report.Warn},
		{"v1.32.0", "v1.31.2-eks-7f9249a", report.VersionSkew, report.Fail},
	} {
		r, ok := CheckSkew(tc.kubelet, tc.server)
		if !ok || r.Code != tc.code || r.Status != tc.status {
			t.Errorf("%s vs %s: %+v", tc.kubelet, tc.server, r)
		}
	}
	if _, ok := CheckSkew("", "v1.31.2"); ok {
		t.Error("no kubelet, nothing to say")
	}
}

func TestIMDSResult(t *testing.T) {
	ok := IMDSResult(context.Background(), "http://127.0.0.1:1", nil, 3*time.Millisecond, time.Second)
	if ok.Code != report.OK || ok.Status != report.Pass {
		t.Fatalf("%+v", ok)
	}
	down := IMDSResult(context.Background(), "http://127.0.0.1:1", context.DeadlineExceeded, time.Second, 200*time.Millisecond)
	if down.Code != report.IMDSUnreachable || down.Status != report.Fail || !strings.Contains(down.Hint, "--http-endpoint enabled") {
		t.Fatalf("%+v", down)
	}
	// An IMDS whose token call is refused while plain GETs answer.
	v1 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.Write([]byte("i-0123456789abcdef0"))
	}))
	defer v1.Close()
	only := IMDSResult(context.Background(), v1.URL, context.DeadlineExceeded, time.Second, time.Second)
	if only.Code != report.IMDSV1Only || !strings.Contains(only.Hint, "hop limit") {
		t.Fatalf("%+v", only)
	}
}

func TestEndpointsCatalog(t *testing.T) {
	eps := Endpoints(Selection{Region: "cn-north-1", APIHost: "x.cn-north-1.eks.amazonaws.com.cn", ECRAccounts: []string{"123456789012", "918309763551"}})
	hosts := map[string][]string{}
	for _, e := range eps {
		hosts[e.Name] = append(hosts[e.Name], e.Host)
		if e.Name == "ec2" && e.Service != "cn.com.amazonaws.cn-north-1.ec2" {
			t.Errorf("service name %s", e.Service)
		}
	}
	if got := strings.Join(hosts["ecr.dkr"], " "); got != "918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn 123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn" {
		t.Errorf("ecr.dkr hosts: %s", got)
	}
	if len(hosts) != 6 {
		t.Errorf("default endpoints: %v", hosts)
	}
	eps = Endpoints(Selection{Region: "us-gov-west-1", Domain: "amazonaws.com", APIHost: "h", Require: []string{"eks-auth"}})
	if eps[len(eps)-1].Host != "eks-auth.us-gov-west-1.api.aws" || !eps[len(eps)-1].Required {
		t.Errorf("eks-auth: %+v", eps[len(eps)-1])
	}
	if EKSImageAccount("us-gov-west-1") != "013241004608" || EKSImageAccount("eu-west-1") != "602401143452" {
		t.Error("image accounts")
	}
	for _, n := range []string{"ssm", "api", report.KindAuth, report.KindClock} {
		if !KnownName(n) {
			t.Errorf("%s unknown", n)
		}
	}
	if KnownName("nope") {
		t.Error("nope known")
	}
}

func TestServerStringsAreCut(t *testing.T) {
	got := CleanServerString("v1.33\x1b]0;owned\x07" + strings.Repeat("9", 4096))
	if strings.ContainsAny(got, "\x1b\x07") || len(got) > maxServerString+len("…") {
		t.Fatalf("%q", got)
	}
}

func FuzzDNSAnswer(f *testing.F) {
	m := new(dns.Msg)
	m.SetQuestion("sts.eu-west-1.amazonaws.com.", dns.TypeA)
	m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: "sts.eu-west-1.amazonaws.com.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET}, Target: "vpce.example."},
		&dns.A{Hdr: dns.RR_Header{Name: "vpce.example.", Rrtype: dns.TypeA, Class: dns.ClassINET}, A: net.ParseIP("10.0.3.13")})
	packed, _ := m.Pack()
	f.Add(packed)
	f.Add([]byte{0, 1, 0x81, 0x80, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		var resp dns.Msg
		if resp.Unpack(data) != nil {
			return
		}
		addrs, next := answerAddrs(&resp, "sts.eu-west-1.amazonaws.com.")
		if len(addrs) > len(resp.Answer) || (len(addrs) > 0 && next != "") {
			t.Fatalf("%d addresses from %d answers, next %q", len(addrs), len(resp.Answer), next)
		}
	})
}

// The role's own trouble (no credentials, or credentials that cannot
// work) is the auth check's finding even when the API server never
// answered: the AWS calls' skips point at it. A good role with no API
// server to ask is a skip that says so.
func TestAuthWithoutTheAPIServer(t *testing.T) {
	api := Endpoint{Name: "api", Kind: Cluster, Host: "ABC.gr7.eu-west-1.eks.amazonaws.com"}
	for _, tc := range []struct {
		identity IdentityPlan
		status   report.Status
		code     report.Code
	}{
		{IdentityPlan{NoRole: "IMDS iam/security-credentials/r: the credentials expired", CredentialsInvalid: true}, report.Fail, report.CredentialsInvalid},
		{IdentityPlan{NoRole: "the instance has no instance profile"}, report.Fail, report.IAMNoRole},
		{IdentityPlan{Credentials: &aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}}, report.Skip, report.OK},
	} {
		p := Plan{Endpoints: []Endpoint{api}, Identity: &tc.identity}
		rs := authCheck.Run(context.Background(), p, &Findings{})
		if len(rs) != 1 || rs[0].Status != tc.status || rs[0].Code != tc.code || rs[0].Host != api.Host {
			t.Errorf("%+v: %+v", tc.identity.NoRole, rs)
		}
	}
}
