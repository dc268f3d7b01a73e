package imds

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoIMDSRequestOutsideThisPackage: IMDS is asked only through this
// package's client, which takes no proxy and follows no redirect; a path
// of IMDS's spelled out elsewhere is a request made around it.
func TestNoIMDSRequestOutsideThisPackage(t *testing.T) {
	root, _ := filepath.Abs("..")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, path)
		switch {
		case err != nil:
			return err
		case d.IsDir() && (rel == "imds" || rel == "test" || strings.HasPrefix(d.Name(), ".")):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, p := range []string{"/latest/meta-data", "/latest/api/token", "/latest/dynamic", "/latest/user-data"} {
			if strings.Contains(string(src), p) {
				t.Errorf("%s asks IMDS (%s) outside the imds package", rel, p)
			}
		}
		return nil
	})
}
