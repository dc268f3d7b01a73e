// Package gosource walks the project's own Go source for tests that keep
// a rule about where something may be written.
package gosource

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EachFile calls fn with every non-test Go file of the repository (its
// path from the root, slash-separated, and its text), from a test in a
// package one level below the root. It skips test/ and hidden folders, and
// the folders in skip.
func EachFile(t *testing.T, fn func(rel string, src []byte), skip ...string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir() && (rel == "test" || strings.HasPrefix(d.Name(), ".") || contains(skip, rel)):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn(rel, src)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
