package inputs

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/test/userdata"
)

// The parsers take whatever a user pastes: they must never panic, and what
// they accept must hold the invariants the renderers rely on.

func FuzzParseCA(f *testing.F) {
	f.Add(testCA(f))
	f.Add("")
	f.Add("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
	f.Fuzz(func(t *testing.T, in string) {
		certs, _, err := ParseCA(in, time.Now())
		if err == nil && len(certs) == 0 {
			t.Fatal("accepted a bundle with no certificate")
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"https://abc.gr7.eu-west-1.eks.amazonaws.com", "https://[::1]:443", "http://x", "https://x/y?z#w", "https://u@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		canonical, host, err := ParseEndpoint(in)
		if err != nil {
			return
		}
		if a, err := netip.ParseAddr(host); (err != nil && !validHostName(host)) || (err == nil && a.Zone() != "") || !strings.HasPrefix(canonical, "https://") {
			t.Fatalf("%q accepted as %q host %q", in, canonical, host)
		}
		again, host2, err := ParseEndpoint(canonical)
		if err != nil || again != canonical || host2 != host {
			t.Fatalf("canonical %q does not parse to itself: %q %q %v", canonical, again, host2, err)
		}
	})
}

func FuzzParseNetwork(f *testing.F) {
	f.Add("", "10.100.0.0/16", "", "")
	f.Add("ipv6", "", "fd30::/108", "fd30::a")
	f.Add("ipv4", "10.100.5.7/16", "", "10.100.0.53")
	f.Fuzz(func(t *testing.T, family, v4, v6, dns string) {
		n, err := ParseNetwork(NetworkInputs{IPFamily: family, ServiceCIDR: v4, ServiceIPv6: v6, DNSClusterIP: dns})
		if err != nil {
			return
		}
		if n.CIDR.IsValid() {
			if n.CIDR != n.CIDR.Masked() || !n.CIDR.Contains(n.DNSIP) {
				t.Fatalf("%+v", n)
			}
			if n.CIDR.Addr().Is6() != (n.Family == IPv6) {
				t.Fatalf("family %s with CIDR %s", n.Family, n.CIDR)
			}
		}
		if n.DNSIP.IsValid() && n.DNSIP.Is6() != (n.Family == IPv6) {
			t.Fatalf("family %s with DNS IP %s", n.Family, n.DNSIP)
		}
	})
}

// secretMark stands for anything in user data: no error may repeat it.
const secretMark = "SECRETMARK"

func FuzzUserData(f *testing.F) {
	part := "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: " + secretMark + "\n"
	f.Add([]byte("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: application/node.eks.aws\r\n\r\n" + part + "\r\n--B--\r\n"))
	f.Add([]byte("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n" + secretMark + " not a header\r\n\r\nx\r\n--B--\r\n"))
	f.Add([]byte("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + secretMark + "\r\n--X\r\n"))
	f.Add([]byte("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: " + secretMark + ";;=\r\n\r\nx\r\n--B--\r\n"))
	f.Add([]byte("#!/bin/bash\necho node.eks.aws/v1alpha1 " + secretMark + "\n"))
	f.Add([]byte(part))
	for _, tc := range userdata.Corpus() {
		f.Add(tc.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := NodeConfigsFromUserData(data)
		if err != nil && strings.Contains(err.Error(), secretMark) {
			t.Fatalf("an error quotes user data: %v", err)
		}
		for _, d := range docs {
			if len(d) > maxConfigBytes {
				t.Fatalf("a %d-byte part", len(d))
			}
			if _, err := ParseNodeConfig(d); err != nil && strings.Contains(err.Error(), secretMark) {
				t.Fatalf("a NodeConfig error quotes user data: %v", err)
			}
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("cluster-name: 012345\necr-account: [012345678901]\n"))
	f.Add([]byte("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: 012345\n  kubelet:\n    config:\n      clusterDNS: [10.100.0.10]\n"))
	f.Add([]byte("apiVersion: " + secretMark + "\nkind: NodeConfig\n"))
	f.Add([]byte("spec: [" + secretMark + ": {\n"))
	f.Add([]byte("- a\n- list\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := ParseConfig(data); err == nil {
			for name := range v {
				if _, ok := ParamByName(name); !ok && !strings.HasPrefix(name, nodeConfigOnly) {
					t.Fatalf("a value for %q, which is no input", name)
				}
			}
		}
		if _, err := ParseNodeConfig(data); err != nil && strings.Contains(err.Error(), secretMark) {
			t.Fatalf("a user-data error quotes the part: %v", err)
		}
	})
}

// FuzzProxySetting: a proxy accepted is one httpproxy parses to a URL with
// a host; what outputs show of any setting carries no user info.
func FuzzProxySetting(f *testing.F) {
	for _, s := range []string{"http://proxy:3128", "proxy:3128", "http://u:pw@p:1", "socks5h://p", "http://[::1", "ftp://x", "http://p:99999", "@@", "http://a@b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if strings.Contains(shownProxy(in), "@") {
			t.Fatalf("%q shown as %q", in, shownProxy(in))
		}
		if proxyURLProblem(in) != "" {
			return
		}
		p := Proxies{ByAgent: map[Agent]AgentProxy{AgentKubelet: {Env: environ{"HTTPS_PROXY": {in, ""}}.config()}}}
		u, err := p.For(AgentKubelet, "api.ecr.eu-west-1.amazonaws.com")
		if err != nil || u == nil || u.Hostname() == "" {
			t.Fatalf("%q accepted, but httpproxy gives %v, %v", in, u, err)
		}
	})
}

// FuzzSystemdSyntax: systemd's value and environment-file syntax never
// panics, and gives no more words than the text holds.
func FuzzSystemdSyntax(f *testing.F) {
	for _, s := range []string{`"A=b c" D='e\x41'`, "A=1 \"B", `\u00e9`, "A=x\\\nB=y", "# c 'q\nK='v\n w'\n", `K="a\"b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if words, _ := systemdWords(in); len(words) > len(in) {
			t.Fatalf("%q: %d words", in, len(words))
		}
		for _, kv := range envFileAssignments([]byte(in)) {
			if k, _, ok := strings.Cut(kv, "="); !ok || !validEnvName(k) {
				t.Fatalf("%q gave %q", in, kv)
			}
		}
	})
}
