package probes

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/netip"

	"github.com/eksboot/eksboot/report"
)

// widestServiceCIDR is the widest service CIDR EKS allows (/12): a DNS IP
// given alone must at least share that much with the certificate's
// kubernetes service IP.
const widestServiceCIDR = 12

// ServiceNetwork is what the inputs say of the cluster's service network.
type ServiceNetwork struct {
	CIDR  netip.Prefix // invalid when unknown
	DNSIP netip.Addr
	Given bool // the operator gave the CIDR or the DNS IP; false when guessed from the VPC
}

// serviceCIDRCheck compares the service network of the inputs with the API
// server's certificate. A mismatch fails a Windows node and warns a Linux
// one: Windows pod DNS goes to -DNSClusterIP through the -ServiceCIDR
// routes.
var serviceCIDRCheck = Check{Name: "service-cidr", RequiredOnWindows: true, Once: true, Needs: []string{"api"},
	Why: "the service CIDR and cluster DNS IP agree with the kubernetes service IP in the API server's certificate",
	Run: func(_ context.Context, p Plan, f *Findings) []report.Result {
		if f.API == nil {
			return nil
		}
		r, derived := CheckServiceNetwork(p.Service, f.ServerCert, p.VPCCIDRs, p.Facts.Windows, f.API.host)
		f.Network = derived
		return []report.Result{r}
	}}

// CheckServiceNetwork compares the service network of the inputs with the
// kubernetes service IP the API server's certificate names. It returns the
// result and, when the inputs gave no service CIDR or DNS IP of their own,
// the network derived from the certificate for the renderers to use.
func CheckServiceNetwork(n ServiceNetwork, cert *x509.Certificate, vpc []netip.Prefix, windows bool, host string) (report.Result, *ServiceNetwork) {
	r := report.Result{Kind: report.KindAPI, Endpoint: "api", Host: host, Status: report.Pass, Code: report.OK}
	ip, found := netip.Addr{}, false
	if cert != nil {
		ip, found = ServiceIPFromCertificate(cert, vpc)
	}
	if !found {
		r.Status, r.Code = report.Skip, report.OK
		r.Msg = "api: the API server's certificate names no kubernetes service IP to check the service CIDR against"
		return r, nil
	}
	base := ip.Prev()
	mismatch := func(msg string) (report.Result, *ServiceNetwork) {
		r.Status, r.Code, r.Msg = report.Fail, report.ServiceCIDRMismatch, "api: "+msg
		return r, nil
	}
	if n.Given {
		if first := n.CIDR.Masked().Addr().Next(); n.CIDR.IsValid() && first != ip {
			return mismatch(fmt.Sprintf("the API server's certificate names the kubernetes service IP %s, but the service CIDR given is %s (its first address is %s)", ip, n.CIDR, first))
		}
		wide := netip.PrefixFrom(ip, min(widestServiceCIDR, ip.BitLen())).Masked()
		if !wide.Contains(n.DNSIP) {
			return mismatch(fmt.Sprintf("the cluster DNS IP %s is far from the kubernetes service IP %s that the API server's certificate names", n.DNSIP, ip))
		}
		r.Msg = fmt.Sprintf("api: the certificate's kubernetes service IP %s agrees with the service network given", ip)
		return r, nil
	}
	derived := n
	derived.DNSIP = ipPlus(base, 10)
	if n.CIDR.IsValid() && !n.CIDR.Contains(ip) {
		if windows {
			return mismatch(fmt.Sprintf("the API server's certificate names the kubernetes service IP %s, outside the guessed service CIDR %s; Windows needs the real one", ip, n.CIDR))
		}
		derived.CIDR = alignedPrefix(base)
	}
	r.Msg = fmt.Sprintf("api: the cluster DNS IP is %s, from the kubernetes service IP %s in the API server's certificate", derived.DNSIP, ip)
	return r, &derived
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

func ipPlus(a netip.Addr, n int) netip.Addr {
	for range n {
		a = a.Next()
	}
	return a
}
