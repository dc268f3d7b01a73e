package probes

import (
	"context"
	"net/netip"

	"github.com/eksboot/eksboot/report"
)

// ServiceVerdict is the inputs' word on the kubernetes service IP that the
// API server's certificate names: the prober reports the IP, the inputs
// decide what it means.
type ServiceVerdict struct {
	Mismatch bool
	Msg      string
	Settled  bool // the IP answers what the inputs had only guessed
}

// serviceCIDRCheck compares the service network of the inputs with the API
// server's certificate. A mismatch fails a Windows node and warns a Linux
// one: Windows pod DNS goes to -DNSClusterIP through the -ServiceCIDR
// routes.
var serviceCIDRCheck = Check{Name: CheckServiceCIDR, RequiredOnWindows: true, Once: true, Needs: []string{CheckAPI},
	Why: "the service CIDR and cluster DNS IP agree with the kubernetes service IP in the API server's certificate",
	Run: func(_ context.Context, p Plan, f *Findings) []report.Result {
		if f.API == nil || p.JudgeServiceIP == nil {
			return nil
		}
		r := report.Result{Kind: report.KindConfig, Endpoint: "api", Host: f.API.host, Status: report.Skip, Code: report.OK,
			Msg: "service-cidr: the API server's certificate names no kubernetes service IP to check the service CIDR against"}
		ip, found := netip.Addr{}, false
		if f.ServerCert != nil {
			ip, found = ServiceIPFromCertificate(f.ServerCert, p.VPCCIDRs)
		}
		if !found {
			return []report.Result{r}
		}
		f.ServiceIP = ip
		v := p.JudgeServiceIP(ip)
		f.ServiceSettled = v.Settled
		r.Status, r.Msg = report.Pass, "service-cidr: "+v.Msg
		if v.Mismatch {
			r.Status, r.Code = report.Fail, report.ServiceCIDRMismatch
		}
		return []report.Result{r}
	}}
