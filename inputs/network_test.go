package inputs

import (
	"net/netip"
	"strings"
	"testing"
)

func TestClusterDNSIPMasksFirst(t *testing.T) {
	for cidr, want := range map[string]string{
		"10.100.0.0/16":          "10.100.0.10",
		"10.100.5.7/16":          "10.100.0.10", // nodeadm's string cut says 10.100.5.10
		"172.20.0.0/16":          "172.20.0.10",
		"192.168.128.0/17":       "192.168.128.10",
		"10.0.0.250/24":          "10.0.0.10",
		"fd30:1c53:5f8a::/108":   "fd30:1c53:5f8a::a",
		"fd30:1c53:5f8a::ff/108": "fd30:1c53:5f8a::a",
	} {
		if got := ClusterDNSIP(netip.MustParsePrefix(cidr)).String(); got != want {
			t.Errorf("%s: got %s, want %s", cidr, got, want)
		}
	}
	if got := addToAddr(netip.MustParseAddr("10.0.0.250"), 10).String(); got != "10.0.1.4" {
		t.Errorf("carry: %s", got)
	}
}

func TestVPCGuessFollowsBootstrapSh(t *testing.T) {
	for cidrs, want := range map[string]string{
		"10.0.0.0/16":                "172.20.0.0/16",
		"192.168.0.0/16":             "10.100.0.0/16",
		"192.168.0.0/16 10.1.0.0/16": "172.20.0.0/16", // any 10/8 VPC CIDR counts
		"":                           "10.100.0.0/16",
	} {
		if got := VPCGuess(prefixes(cidrs)).String(); got != want {
			t.Errorf("%q: got %s, want %s", cidrs, got, want)
		}
	}
}

func TestParseNetwork(t *testing.T) {
	ok := map[string]struct {
		in                        NetworkInputs
		family, cidr, dns, source string
	}{
		"v4 cidr":          {NetworkInputs{ServiceCIDR: "10.100.0.0/16"}, IPv4, "10.100.0.0/16", "10.100.0.10", DNSFromServiceCIDR},
		"v4 non-canonical": {NetworkInputs{ServiceCIDR: "10.100.5.7/16"}, IPv4, "10.100.0.0/16", "10.100.0.10", DNSFromServiceCIDR},
		"v4 dns override":  {NetworkInputs{ServiceCIDR: "10.100.0.0/16", DNSClusterIP: "10.100.0.53"}, IPv4, "10.100.0.0/16", "10.100.0.53", DNSFromFlag},
		"dns only":         {NetworkInputs{DNSClusterIP: "172.20.0.10"}, IPv4, "invalid Prefix", "172.20.0.10", DNSFromFlag},
		"nothing":          {NetworkInputs{}, IPv4, "invalid Prefix", "invalid IP", ""},
		"v6 inferred":      {NetworkInputs{ServiceIPv6: "fd30:1c53:5f8a::/108"}, IPv6, "fd30:1c53:5f8a::/108", "fd30:1c53:5f8a::a", DNSFromServiceCIDR},
		"v6 explicit":      {NetworkInputs{IPFamily: IPv6, ServiceIPv6: "fd30:1c53:5f8a::/108"}, IPv6, "fd30:1c53:5f8a::/108", "fd30:1c53:5f8a::a", DNSFromServiceCIDR},
		"v6 with v4 too":   {NetworkInputs{IPFamily: IPv6, ServiceCIDR: "172.20.0.0/16", ServiceIPv6: "fd30::/108"}, IPv6, "fd30::/108", "fd30::a", DNSFromServiceCIDR},
		"v4 with both":     {NetworkInputs{IPFamily: IPv4, ServiceCIDR: "172.20.0.0/16", ServiceIPv6: "fd30::/108"}, IPv4, "172.20.0.0/16", "172.20.0.10", DNSFromServiceCIDR},
		"v6 dns only":      {NetworkInputs{IPFamily: IPv6, DNSClusterIP: "fd30::a"}, IPv6, "invalid Prefix", "fd30::a", DNSFromFlag},
	}
	for name, tc := range ok {
		n, err := ParseNetwork(tc.in)
		if err != nil || n.Family != tc.family || n.CIDR.String() != tc.cidr || n.DNSIP.String() != tc.dns || n.Source != tc.source {
			t.Errorf("%s: got %+v %v", name, n, err)
		}
	}
	bad := map[string]struct {
		in             NetworkInputs
		flag, fragment string
	}{
		"bad v4 cidr":      {NetworkInputs{ServiceCIDR: "10.100.0.0"}, FlagServiceCIDR, "not a CIDR"},
		"v6 as v4 cidr":    {NetworkInputs{ServiceCIDR: "fd30::/108"}, FlagServiceCIDR, "not an IPv4 CIDR"},
		"v4 as v6 cidr":    {NetworkInputs{IPFamily: IPv6, ServiceIPv6: "10.0.0.0/16"}, FlagServiceIPv6CIDR, "not an IPv6 CIDR"},
		"v4 too wide":      {NetworkInputs{ServiceCIDR: "10.0.0.0/8"}, FlagServiceCIDR, "/12 to /24"},
		"v4 too narrow":    {NetworkInputs{ServiceCIDR: "10.0.0.0/28"}, FlagServiceCIDR, "/12 to /24"},
		"v6 too narrow":    {NetworkInputs{IPFamily: IPv6, ServiceIPv6: "fd30::/124"}, FlagServiceIPv6CIDR, "too narrow"},
		"bad family":       {NetworkInputs{IPFamily: "dual"}, FlagIPFamily, "neither"},
		"both, no family":  {NetworkInputs{ServiceCIDR: "172.20.0.0/16", ServiceIPv6: "fd30::/108"}, FlagIPFamily, "one IP family"}, // an IPv6 cluster's describe-cluster gives both
		"v6 cidr, v4 fam":  {NetworkInputs{IPFamily: IPv4, ServiceIPv6: "fd30::/108"}, FlagServiceIPv6CIDR, "--ip-family is ipv4"},
		"v6 without cidr":  {NetworkInputs{IPFamily: IPv6}, FlagServiceIPv6CIDR, "is required"},
		"dns not an ip":    {NetworkInputs{ServiceCIDR: "10.100.0.0/16", DNSClusterIP: "kube-dns"}, FlagDNSClusterIP, "not an IP"},
		"dns outside cidr": {NetworkInputs{ServiceCIDR: "10.100.0.0/16", DNSClusterIP: "172.20.0.10"}, FlagDNSClusterIP, "outside the service CIDR 10.100.0.0/16"},
		"dns v6 in v4":     {NetworkInputs{ServiceCIDR: "10.100.0.0/16", DNSClusterIP: "fd30::a"}, FlagDNSClusterIP, "not an ipv4 address"},
		"dns v4 in v6":     {NetworkInputs{IPFamily: IPv6, ServiceIPv6: "fd30::/108", DNSClusterIP: "10.0.0.10"}, FlagDNSClusterIP, "not an ipv6 address"},
		"dns 4in6":         {NetworkInputs{DNSClusterIP: "::ffff:10.100.0.10"}, FlagDNSClusterIP, "not an ipv4 address"},
		"dns with zone":    {NetworkInputs{DNSClusterIP: "fe80::1%eth0"}, FlagDNSClusterIP, "not an IP"},
	}
	for name, tc := range bad {
		_, err := ParseNetwork(tc.in)
		t.Run(name, func(t *testing.T) { wantInputError(t, err, tc.flag, tc.fragment) })
	}
}

func TestCompleteFromVPC(t *testing.T) {
	vpc := prefixes("10.0.0.0/16")
	n, _ := ParseNetwork(NetworkInputs{})
	warning := n.CompleteFromVPC(vpc)
	if n.CIDR.String() != "172.20.0.0/16" || n.DNSIP.String() != "172.20.0.10" || n.Source != DNSFromVPCGuess || !strings.Contains(warning, "guessed") {
		t.Fatalf("guess: %+v %q", n, warning)
	}
	n, _ = ParseNetwork(NetworkInputs{DNSClusterIP: "172.20.0.53"})
	if warning := n.CompleteFromVPC(vpc); warning != "" || n.CIDR.String() != "172.20.0.0/16" || n.DNSIP.String() != "172.20.0.53" {
		t.Fatalf("dns given inside the guess: %+v %q", n, warning)
	}
	n, _ = ParseNetwork(NetworkInputs{DNSClusterIP: "192.168.0.10"})
	if n.CompleteFromVPC(vpc); n.CIDR.IsValid() {
		t.Fatalf("dns given outside the guess must not get a CIDR: %+v", n)
	}
	n, _ = ParseNetwork(NetworkInputs{ServiceCIDR: "10.100.0.0/16"})
	if warning := n.CompleteFromVPC(vpc); warning != "" || n.Source != DNSFromServiceCIDR {
		t.Fatalf("a given CIDR is kept: %+v", n)
	}
}

func TestServiceNetworkAgainstServiceIP(t *testing.T) {
	ip := netip.MustParseAddr("10.100.0.1") // the certificate's kubernetes service IP
	given := func(cidr, dnsIP string) ServiceNetwork {
		n := ServiceNetwork{Family: IPv4, Source: DNSFromFlag}
		if cidr != "" {
			n.CIDR = netip.MustParsePrefix(cidr)
			n.DNSIP, n.Source = ClusterDNSIP(n.CIDR), DNSFromServiceCIDR
		}
		if dnsIP != "" {
			n.DNSIP = netip.MustParseAddr(dnsIP)
		}
		return n
	}
	if j := given("10.100.0.0/16", "").AgainstServiceIP(ip, false); j.Mismatch != "" || j.Derived != nil || j.Agrees == "" {
		t.Fatalf("agreeing: %+v", j)
	}
	if j := given("172.20.0.0/16", "").AgainstServiceIP(ip, false); !strings.Contains(j.Mismatch, "10.100.0.1") {
		t.Fatalf("mismatch: %+v", j)
	}
	if j := given("", "172.20.0.10").AgainstServiceIP(ip, false); j.Mismatch == "" {
		t.Fatalf("DNS IP alone far from the service IP: %+v", j)
	}
	guessed := ServiceNetwork{Family: IPv4, CIDR: netip.MustParsePrefix("172.20.0.0/16"), DNSIP: netip.MustParseAddr("172.20.0.10"), Source: DNSFromVPCGuess} // EKS's default beside a 10/8 VPC
	j := guessed.AgainstServiceIP(ip, false)
	if j.Mismatch != "" || j.Derived == nil || j.Derived.DNSIP.String() != "10.100.0.10" || j.Derived.CIDR.String() != "10.100.0.0/16" || j.Derived.Source != DNSFromCertificate {
		t.Fatalf("derived from the certificate: %+v %+v", j, j.Derived)
	}
	if j := guessed.AgainstServiceIP(ip, true); j.Mismatch == "" || j.Derived != nil {
		t.Fatalf("Windows with a wrong guess: %+v", j)
	}
}
