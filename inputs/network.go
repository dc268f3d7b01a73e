package inputs

import (
	"fmt"
	"net/netip"
	"strings"
)

// IP families.
const (
	IPv4 = "ipv4"
	IPv6 = "ipv6"
)

// ServiceNetwork is the cluster's service CIDR and cluster DNS IP for the
// node's IP family, and how the DNS IP was found.
type ServiceNetwork struct {
	Family string
	CIDR   netip.Prefix // masked; invalid when unknown
	DNSIP  netip.Addr
	Source string // flag, service-cidr, certificate, vpc-guess
}

// Sources of the cluster DNS IP, most trusted first.
const (
	DNSFromFlag        = "flag"
	DNSFromServiceCIDR = "service-cidr"
	DNSFromCertificate = "certificate"
	DNSFromVPCGuess    = "vpc-guess"
)

// ClusterDNSIP is the address the cluster DNS service gets in a service
// CIDR: the masked base + 10 (IPv6: + 0xa, the same number). Masking first
// makes 10.100.5.7/16 give 10.100.0.10, where cutting the string at its
// last dot (as nodeadm does) gives 10.100.5.10.
func ClusterDNSIP(cidr netip.Prefix) netip.Addr {
	return addToAddr(cidr.Masked().Addr(), 10)
}

func addToAddr(a netip.Addr, n byte) netip.Addr {
	b := a.AsSlice()
	for i := len(b) - 1; i >= 0 && n > 0; i-- {
		sum := uint16(b[i]) + uint16(n)
		b[i] = byte(sum)
		n = byte(sum >> 8)
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// VPCGuess is what bootstrap.sh assumes when it is given no DNS IP: EKS's
// default service CIDR, 172.20.0.0/16 when any VPC CIDR is in 10.0.0.0/8,
// else 10.100.0.0/16. Right only for clusters made with the default.
func VPCGuess(vpcCIDRs []netip.Prefix) netip.Prefix {
	ten := netip.MustParsePrefix("10.0.0.0/8")
	for _, c := range vpcCIDRs {
		if ten.Contains(c.Addr()) {
			return netip.MustParsePrefix("172.20.0.0/16")
		}
	}
	return netip.MustParsePrefix("10.100.0.0/16")
}

// NetworkInputs are the raw network inputs, as given.
type NetworkInputs struct {
	IPFamily     string
	ServiceCIDR  string
	ServiceIPv6  string
	DNSClusterIP string
	// DNSAnyAddress: the DNS IP came from a NodeConfig, where nodeadm
	// takes any address, so it need not be in the service CIDR.
	DNSAnyAddress bool
}

// ParseNetwork checks the CIDRs, the IP family and the DNS IP against one
// another and derives what it can without IMDS: the family from the CIDR
// given, the DNS IP from the service CIDR. CIDR and DNSIP stay invalid when
// they cannot be known yet.
func ParseNetwork(in NetworkInputs) (ServiceNetwork, error) {
	var n ServiceNetwork
	var v4, v6 netip.Prefix
	var err error
	if in.ServiceCIDR != "" {
		if v4, err = parseCIDR(FlagServiceCIDR, in.ServiceCIDR, false); err != nil {
			return n, err
		}
	}
	if in.ServiceIPv6 != "" {
		if v6, err = parseCIDR(FlagServiceIPv6CIDR, in.ServiceIPv6, true); err != nil {
			return n, err
		}
	}
	switch in.IPFamily {
	case IPv4, IPv6:
		n.Family = in.IPFamily
	case "":
		n.Family = IPv4
		switch {
		case v6.IsValid() && v4.IsValid(): // a cluster has one family: guessing would hand an IPv6 cluster's pods an IPv4 DNS IP
			return n, Errorf(FlagIPFamily, "is needed: both --%s and --%s are given, and a cluster has one IP family; pass --%s ipv4 or ipv6 (kubernetesNetworkConfig.ipFamily)", FlagServiceCIDR, FlagServiceIPv6CIDR, FlagIPFamily)
		case v6.IsValid():
			n.Family = IPv6
		}
	default:
		return n, Errorf(FlagIPFamily, "%q is neither %s nor %s", in.IPFamily, IPv4, IPv6)
	}
	switch {
	case n.Family == IPv4 && v6.IsValid() && !v4.IsValid():
		return n, Errorf(FlagServiceIPv6CIDR, "is given but --%s is ipv4; pass --%s ipv6 for an IPv6 cluster, or --%s", FlagIPFamily, FlagIPFamily, FlagServiceCIDR)
	case n.Family == IPv6 && in.ServiceIPv6 == "" && in.DNSClusterIP == "":
		return n, Errorf(FlagServiceIPv6CIDR, "is required with --%s ipv6 (kubernetesNetworkConfig.serviceIpv6Cidr of describe-cluster)", FlagIPFamily)
	}
	n.CIDR = v4
	if n.Family == IPv6 {
		n.CIDR = v6
	}
	if n.CIDR.IsValid() {
		n.DNSIP, n.Source = ClusterDNSIP(n.CIDR), DNSFromServiceCIDR
	}
	if in.DNSClusterIP != "" {
		ip, err := netip.ParseAddr(in.DNSClusterIP)
		if err != nil || ip.Zone() != "" {
			return n, Errorf(FlagDNSClusterIP, "%q is not an IP address", in.DNSClusterIP)
		}
		if ip.Is6() != (n.Family == IPv6) || ip.Is4In6() {
			return n, Errorf(FlagDNSClusterIP, "%s is not an %s address, and the cluster's IP family is %s", ip, n.Family, n.Family)
		}
		if n.CIDR.IsValid() && !n.CIDR.Contains(ip) && !in.DNSAnyAddress {
			return n, Errorf(FlagDNSClusterIP, "%s is outside the service CIDR %s", ip, n.CIDR)
		}
		n.DNSIP, n.Source = ip, DNSFromFlag
	}
	return n, nil
}

func parseCIDR(flag, s string, want6 bool) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return p, Errorf(flag, "%q is not a CIDR such as %s", s, map[bool]string{false: "10.100.0.0/16", true: "fd30:1c53:5f8a::/108"}[want6])
	}
	if p.Addr().Is6() != want6 || p.Addr().Is4In6() {
		return p, Errorf(flag, "%s is not an %s CIDR", p, map[bool]string{false: "IPv4", true: "IPv6"}[want6])
	}
	// EKS takes IPv4 service CIDRs from /12 to /24, and assigns IPv6 ones as
	// /108; anything narrower than /120 could not hold the DNS IP at base+10.
	if !want6 && (p.Bits() < 12 || p.Bits() > 24) {
		return p, Errorf(flag, "%s: EKS service CIDRs are /12 to /24", p)
	}
	if want6 && p.Bits() > 120 {
		return p, Errorf(flag, "%s is too narrow for a service CIDR (EKS assigns a /108)", p)
	}
	return p.Masked(), nil
}

// CompleteFromVPC fills a network that has no DNS IP yet with bootstrap.sh's
// guess from the VPC CIDRs, and a known DNS IP without a CIDR with the
// guessed CIDR if it holds that IP. It returns the warning to report.
func (n *ServiceNetwork) CompleteFromVPC(vpcCIDRs []netip.Prefix) string {
	guess := VPCGuess(vpcCIDRs)
	switch {
	case n.Family != IPv4 || n.CIDR.IsValid():
		return ""
	case n.DNSIP.IsValid():
		if guess.Contains(n.DNSIP) {
			n.CIDR = guess
		}
		return ""
	}
	n.CIDR, n.DNSIP, n.Source = guess, ClusterDNSIP(guess), DNSFromVPCGuess
	return fmt.Sprintf("no service CIDR or DNS IP given: guessed service CIDR %s and cluster DNS IP %s from the VPC CIDRs, as bootstrap.sh does; a cluster with a custom service CIDR needs --%s", guess, n.DNSIP, FlagServiceCIDR)
}

// widestServiceCIDR is the widest service CIDR EKS allows (/12): a DNS IP
// given alone must at least share that much with the certificate's
// kubernetes service IP.
const widestServiceCIDR = 12

// ServiceIPJudgement is what the inputs make of the kubernetes service IP
// that the API server's certificate names.
type ServiceIPJudgement struct {
	Mismatch string          // how the IP contradicts the inputs; "" when it does not
	Agrees   string          // otherwise, what the IP confirms or gives
	Derived  *ServiceNetwork // the network to write, when the inputs had only a guess
}

// AgainstServiceIP judges n by ip, the kubernetes service ClusterIP (the
// first address of the real service CIDR). A network the operator gave
// must agree with it; a guessed one gives way to it, except on Windows,
// whose pod DNS goes to -DNSClusterIP through the -ServiceCIDR routes, so
// a wrong guess there is a mismatch to fix, not to paper over.
func (n ServiceNetwork) AgainstServiceIP(ip netip.Addr, windows bool) ServiceIPJudgement {
	base := ip.Prev()
	if n.Source == DNSFromFlag || n.Source == DNSFromServiceCIDR {
		if first := n.CIDR.Masked().Addr().Next(); n.CIDR.IsValid() && first != ip {
			return ServiceIPJudgement{Mismatch: fmt.Sprintf("the API server's certificate names the kubernetes service IP %s, but the service CIDR given is %s (its first address is %s)", ip, n.CIDR, first)}
		}
		wide := netip.PrefixFrom(ip, min(widestServiceCIDR, ip.BitLen())).Masked()
		if !wide.Contains(n.DNSIP) {
			return ServiceIPJudgement{Mismatch: fmt.Sprintf("the cluster DNS IP %s is far from the kubernetes service IP %s that the API server's certificate names", n.DNSIP, ip)}
		}
		return ServiceIPJudgement{Agrees: fmt.Sprintf("the certificate's kubernetes service IP %s agrees with the service network given", ip)}
	}
	derived := n
	derived.DNSIP, derived.Source = addToAddr(base, 10), DNSFromCertificate
	if n.CIDR.IsValid() && !n.CIDR.Contains(ip) {
		if windows {
			return ServiceIPJudgement{Mismatch: fmt.Sprintf("the API server's certificate names the kubernetes service IP %s, outside the guessed service CIDR %s; Windows needs the real one", ip, n.CIDR)}
		}
		derived.CIDR = alignedPrefix(base)
	}
	return ServiceIPJudgement{Agrees: fmt.Sprintf("the cluster DNS IP is %s, from the kubernetes service IP %s in the API server's certificate", derived.DNSIP, ip), Derived: &derived}
}

// alignedPrefix guesses the service CIDR from its base address: the /16 if
// the base is /16-aligned (as EKS's defaults are), else its /24. nodeadm
// needs some cidr; the DNS IP itself is written explicitly.
func alignedPrefix(base netip.Addr) netip.Prefix {
	for _, bits := range []int{16, 24, 112, 120} {
		if bits <= base.BitLen() {
			if p := netip.PrefixFrom(base, bits); p.Masked().Addr() == base && (bits >= 112) == base.Is6() {
				return p
			}
		}
	}
	return netip.PrefixFrom(base, base.BitLen()-8).Masked()
}
