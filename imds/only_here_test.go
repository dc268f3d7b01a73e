package imds

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/gosource"
)

// TestNoIMDSRequestOutsideThisPackage: IMDS is asked only through this
// package's client, which takes no proxy and follows no redirect; a path
// of IMDS's spelled out elsewhere is a request made around it.
func TestNoIMDSRequestOutsideThisPackage(t *testing.T) {
	gosource.EachFile(t, func(rel string, src []byte) {
		for _, p := range []string{"/latest/meta-data", "/latest/api/token", "/latest/dynamic", "/latest/user-data"} {
			if strings.Contains(string(src), p) {
				t.Errorf("%s asks IMDS (%s) outside the imds package", rel, p)
			}
		}
	}, "imds")
}
