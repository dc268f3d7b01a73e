package bootstrap

import (
	"net/netip"
	"strings"
	"testing"
	"time"
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
