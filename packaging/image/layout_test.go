package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func fakeBinaries(t *testing.T) []binary {
	dir := t.TempDir()
	var bins []binary
	for _, arch := range []string{"amd64", "arm64"} {
		p := filepath.Join(dir, "eksboot-"+arch)
		if err := os.WriteFile(p, []byte("binary for "+arch), 0o755); err != nil {
			t.Fatal(err)
		}
		bins = append(bins, binary{OS: "linux", Arch: arch, Path: p})
	}
	return bins
}

// TestReproducible: two builds from the same binaries and time, into
// different places and with files touched in between, give one digest and
// byte-identical tarballs.
func TestReproducible(t *testing.T) {
	bins := fakeBinaries(t)
	created := time.Unix(1700000000, 0).UTC()
	var digests []string
	var tars [][]byte
	for i := 0; i < 2; i++ {
		dir := filepath.Join(t.TempDir(), "oci")
		l := &layout{Created: created, Tag: "v1"}
		d, err := l.Write(dir, bins)
		if err != nil {
			t.Fatal(err)
		}
		tp := filepath.Join(t.TempDir(), "oci.tar")
		if err := tarDir(tp, dir, created); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(tp)
		if err != nil {
			t.Fatal(err)
		}
		digests, tars = append(digests, d), append(tars, b)
		for _, b := range bins {
			os.Chtimes(b.Path, time.Now(), time.Now())
		}
	}
	if digests[0] != digests[1] || !bytes.Equal(tars[0], tars[1]) {
		t.Fatalf("two builds differ: %v", digests)
	}
}

// TestIndexShape: index.json names one image index, which lists one
// manifest per platform, and every blob referenced is present.
func TestIndexShape(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "oci")
	l := &layout{Created: time.Unix(0, 0).UTC(), Tag: "v1"}
	digest, err := l.Write(dir, fakeBinaries(t))
	if err != nil {
		t.Fatal(err)
	}
	var top struct{ Manifests []descriptor }
	readJSON(t, filepath.Join(dir, "index.json"), &top)
	if len(top.Manifests) != 1 || top.Manifests[0].Digest != digest || top.Manifests[0].MediaType != mediaIndex ||
		top.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "v1" {
		t.Fatalf("index.json: %+v", top)
	}
	var index struct{ Manifests []descriptor }
	readJSON(t, blobPath(dir, digest), &index)
	var arches []string
	for _, m := range index.Manifests {
		arches = append(arches, m.Platform.OS+"/"+m.Platform.Architecture)
		var man struct {
			Config descriptor
			Layers []descriptor
		}
		readJSON(t, blobPath(dir, m.Digest), &man)
		for _, d := range append(man.Layers, man.Config) {
			if st, err := os.Stat(blobPath(dir, d.Digest)); err != nil || st.Size() != d.Size {
				t.Fatalf("blob %s: %v", d.Digest, err)
			}
		}
	}
	if len(arches) != 2 || arches[0] != "linux/amd64" || arches[1] != "linux/arm64" {
		t.Fatalf("platforms %v", arches)
	}
}

func blobPath(dir, digest string) string {
	return filepath.Join(dir, "blobs", "sha256", digest[len("sha256:"):])
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
