package probes

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/imdsmock"
)

// TestLongNodeNamePasses: with a custom DHCP domain-name the private DNS
// name passes 90 characters; the username the server gives is the whole
// name, and it is compared whole.
func TestLongNodeNamePasses(t *testing.T) {
	long := "ip-10-0-1-10." + strings.Repeat("eksboot-", 9) + "corp.example.internal"
	if n := len(nodeUserPrefix + long); n <= 100 {
		t.Fatalf("the name is %d bytes: not long enough to test", n)
	}
	w := newWorld(t, true)
	w.api.Access.PrivateDNSName[imdsmock.Default().InstanceID] = long
	w.plan.Identity.NodeName, w.plan.Facts.NodeName = long, long
	rep := w.run(t)
	find(t, rep, "", report.KindAuth, report.OK)
	if rep.User == nil || rep.User.Username != nodeUserPrefix+long {
		t.Fatalf("user %+v", rep.User)
	}
}

// TestServerStringsAreCutWhole: a cut never splits a rune.
func TestServerStringsAreCutWhole(t *testing.T) {
	for n := range 4 {
		got := CleanServerString(strings.Repeat("a", maxServerString-n) + strings.Repeat("é", 100))
		if !utf8.ValidString(got) {
			t.Fatalf("cut %d: %q", n, got)
		}
	}
}

// TestTokenSigningFailureHasItsOwnCode: a token the node cannot sign is
// not an answer of the API server's.
func TestTokenSigningFailureHasItsOwnCode(t *testing.T) {
	w := newWorld(t, true)
	w.plan.Identity.Region = "eu west 1" // no host name: the request cannot be built
	r := find(t, w.run(t), "", report.KindAuth, report.TokenSigningFailed)
	if r.Status != report.Fail || !strings.Contains(r.Hint, "region") {
		t.Fatalf("%+v", r)
	}
}
