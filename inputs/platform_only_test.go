package inputs

import (
	"regexp"
	"testing"

	"github.com/eksboot/eksboot/test/gosource"
)

// TestTargetsNamedOnlyInThePlatformTables: what differs between platforms
// is a column of Platforms (and bootstrap's render and handover table); a
// target constant compared anywhere else is a switch the next platform
// would have to find.
func TestTargetsNamedOnlyInThePlatformTables(t *testing.T) {
	tables := map[string]bool{"inputs/platform.go": true, "bootstrap/platform.go": true}
	target := regexp.MustCompile(`\bTarget(AL2|AL2023|Windows|Bottlerocket)\b`)
	gosource.EachFile(t, func(rel string, src []byte) {
		if m := target.Find(src); m != nil && !tables[rel] {
			t.Errorf("%s names %s: make the difference a column of the platform table", rel, m)
		}
	})
}
