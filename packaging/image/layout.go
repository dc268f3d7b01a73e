package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// OCI media types (image-spec v1.1).
const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayerGz  = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// binaryPath is where the binary sits in the image, and its entrypoint.
const binaryPath = "eksboot"

// defaultCmd is what a Bottlerocket bootstrap container runs: probe (which
// writes nothing and exits 1 on a failed verdict) on the settings that
// render put in the container's user data, which Bottlerocket mounts there.
var defaultCmd = []string{"probe", "--config", "/.bottlerocket/bootstrap-containers/current/user-data"}

type binary struct{ OS, Arch, Path string }

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type layout struct {
	Created time.Time
	Tag     string
	blobs   map[string][]byte
}

// Write replaces dir with the layout of one index over bins, in the order
// given, and returns the index's digest.
func (l *layout) Write(dir string, bins []binary) (string, error) {
	l.blobs = map[string][]byte{}
	var manifests []descriptor
	for _, b := range bins {
		d, err := l.image(b)
		if err != nil {
			return "", err
		}
		manifests = append(manifests, d)
	}
	index, err := l.add(mediaIndex, map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": manifests})
	if err != nil {
		return "", err
	}
	index.Annotations = map[string]string{"org.opencontainers.image.ref.name": l.Tag}
	top, err := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": []descriptor{index}})
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755); err != nil {
		return "", err
	}
	files := map[string][]byte{
		"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`),
		"index.json": top,
	}
	for d, blob := range l.blobs {
		files[filepath.Join("blobs", "sha256", d)] = blob
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return index.Digest, nil
}

// image adds the layer, config and manifest of one platform's image.
func (l *layout) image(b binary) (descriptor, error) {
	bin, err := os.ReadFile(b.Path)
	if err != nil {
		return descriptor{}, err
	}
	layerTar, err := l.layerTar(bin)
	if err != nil {
		return descriptor{}, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // a zero header: no name, no mtime
	if _, err := zw.Write(layerTar); err != nil {
		return descriptor{}, err
	}
	if err := zw.Close(); err != nil {
		return descriptor{}, err
	}
	layer := l.addRaw(mediaLayerGz, gz.Bytes())
	created := l.Created.Format(time.RFC3339)
	config, err := l.add(mediaConfig, map[string]any{
		"created":      created,
		"architecture": b.Arch,
		"os":           b.OS,
		"config": map[string]any{
			"Entrypoint": []string{"/" + binaryPath},
			"Cmd":        defaultCmd,
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + sum(layerTar)}},
		"history": []map[string]string{{"created": created, "created_by": "eksboot packaging/image"}},
	})
	if err != nil {
		return descriptor{}, err
	}
	m, err := l.add(mediaManifest, map[string]any{
		"schemaVersion": 2, "mediaType": mediaManifest, "config": config, "layers": []descriptor{layer},
	})
	if err != nil {
		return descriptor{}, err
	}
	m.Platform = &platform{Architecture: b.Arch, OS: b.OS}
	return m, nil
}

// layerTar is the one file, owned by root, dated the commit.
func (l *layout) layerTar(bin []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Name: binaryPath, Mode: 0o755, Size: int64(len(bin)), ModTime: l.Created, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (l *layout) add(mediaType string, doc any) (descriptor, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return descriptor{}, fmt.Errorf("%s: %w", mediaType, err)
	}
	return l.addRaw(mediaType, data), nil
}

func (l *layout) addRaw(mediaType string, data []byte) descriptor {
	d := sum(data)
	l.blobs[d] = data
	return descriptor{MediaType: mediaType, Digest: "sha256:" + d, Size: int64(len(data))}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
