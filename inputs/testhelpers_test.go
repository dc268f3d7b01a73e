package inputs

import (
	"encoding/base64"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/test/testpki"
)

// testCA is the committed test CA bundle, base64 as describe-cluster gives it.
func testCA(testing.TB) string { return b64(testpki.ClusterCAPEM) }

var testNow = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

// makeCert returns a PEM certificate valid from notBefore to notAfter.
func makeCert(t testing.TB, cn string, isCA bool, notBefore, notAfter time.Time) []byte {
	t.Helper()
	pemBytes, err := testpki.SelfSigned(cn, isCA, notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	return pemBytes
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// validValues are complete inputs for every target.
func validValues(t testing.TB) Values {
	return Values{
		FlagClusterName: {"prod-eu_1"},
		FlagEndpoint:    {"https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"},
		FlagCA:          {testCA(t)},
		FlagServiceCIDR: {"10.100.0.0/16"},
	}
}

// noHost is a machine with neither nodeadm nor bootstrap.sh.
var noHost = Host{GOOS: "linux", LookPath: func(string) (string, error) { return "", os.ErrNotExist }, Exists: func(string) bool { return false }}

// noIMDS fails every fact lookup.
func noIMDS() *InstanceFacts {
	return &InstanceFacts{fetch: func() (*imds.Facts, error) { return nil, os.ErrNotExist }}
}

// prefixes parses a space-separated list of CIDRs.
func prefixes(s string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Fields(s) {
		out = append(out, netip.MustParsePrefix(f))
	}
	return out
}
