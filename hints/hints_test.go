package hints

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/report"
)

// TestUnmappedHintNamesTheOtherCauses: a 401 also comes from a wrong
// --cluster-name (the token names the cluster) and from the control
// plane's authenticator; the hint lists them after the mapping.
func TestUnmappedHintNamesTheOtherCauses(t *testing.T) {
	h := For(report.Result{Kind: report.KindAuth, Code: report.AuthUnmapped}, Endpoint{}, NodeFacts{ClusterName: "prod"}, false)
	mapping, name, authn := strings.Index(h, "mapRoles"), strings.Index(h, "check --cluster-name prod"), strings.Index(h, "authenticator logs")
	if mapping < 0 || name < mapping || authn < name {
		t.Fatalf("%s", h)
	}
}

// The API server has no interface endpoint: a VPC-wide failure to resolve
// it privately is the cluster's endpoint access, in those words.
func TestFleetFixForTheAPIServersName(t *testing.T) {
	for _, code := range []report.Code{report.DNSNXDomain, report.DNSPublic} {
		fix := FleetFix(report.Result{Endpoint: "api", Code: code}, Place{Scope: ScopeVPC})
		if !strings.Contains(fix, "private endpoint access") || strings.Contains(fix, "interface endpoint for the cluster's") {
			t.Errorf("%s: %q", code, fix)
		}
	}
}
