package inputs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTargetsNamedOnlyInThePlatformTables: what differs between platforms
// is a column of Platforms (and bootstrap's render and handover table); a
// target constant compared anywhere else is a switch the next platform
// would have to find.
func TestTargetsNamedOnlyInThePlatformTables(t *testing.T) {
	tables := map[string]bool{"inputs/platform.go": true, "bootstrap/platform.go": true}
	target := regexp.MustCompile(`\bTarget(AL2|AL2023|Windows|Bottlerocket)\b`)
	root, _ := filepath.Abs("..")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, path)
		switch {
		case err != nil:
			return err
		case d.IsDir() && (rel == "test" || strings.HasPrefix(d.Name(), ".")):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || tables[filepath.ToSlash(rel)]:
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if m := target.Find(src); m != nil {
			t.Errorf("%s names %s: make the difference a column of the platform table", rel, m)
		}
		return nil
	})
}
