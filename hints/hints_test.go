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
