package awssim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// The simulated eks/pause:3.5, content-addressed as a registry's images
// are: an image index of linux/amd64 and linux/arm64, each a manifest, a
// config and one gzipped tar layer, every digest and size the sha256 and
// length of the bytes served. Real clients (skopeo, containerd) check each
// byte they fetch against them.
const (
	pauseRepository = "eks/pause"
	pauseTag        = "3.5"

	mediaIndex    = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaManifest = "application/vnd.docker.distribution.manifest.v2+json"
	mediaConfig   = "application/vnd.docker.container.image.v1+json"
	mediaLayer    = "application/vnd.docker.image.rootfs.diff.tar.gzip"
)

type image struct {
	index       []byte
	indexDigest string
	manifests   map[string][]byte // by digest
	blobs       map[string][]byte // configs and layers, by digest
}

var pause = newPauseImage()

type descriptor struct {
	MediaType string    `json:"mediaType"`
	Size      int       `json:"size"`
	Digest    string    `json:"digest"`
	Platform  *platform `json:"platform,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func describe(mediaType string, b []byte) descriptor {
	return descriptor{MediaType: mediaType, Size: len(b), Digest: digest(b)}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func newPauseImage() *image {
	img := &image{manifests: map[string][]byte{}, blobs: map[string][]byte{}}
	var platforms []descriptor
	for _, arch := range []string{"amd64", "arm64"} {
		layerTar := tarOf("pause", []byte("simulated pause for linux/"+arch+"\n"))
		layer := gzipOf(layerTar)
		config := mustJSON(map[string]any{
			"architecture": arch, "os": "linux",
			"config": map[string]any{"Entrypoint": []string{"/pause"}},
			"rootfs": map[string]any{"type": "layers", "diff_ids": []string{digest(layerTar)}},
		})
		manifest := mustJSON(map[string]any{
			"schemaVersion": 2, "mediaType": mediaManifest,
			"config": describe(mediaConfig, config), "layers": []descriptor{describe(mediaLayer, layer)},
		})
		img.blobs[digest(layer)] = layer
		img.blobs[digest(config)] = config
		img.manifests[digest(manifest)] = manifest
		d := describe(mediaManifest, manifest)
		d.Platform = &platform{Architecture: arch, OS: "linux"}
		platforms = append(platforms, d)
	}
	img.index = mustJSON(map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": platforms})
	img.indexDigest = digest(img.index)
	return img
}

// tarOf is a tar of one executable file, dated as the image's epoch so the
// digests never change.
func tarOf(name string, content []byte) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(content)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Format: tar.FormatPAX})
	tw.Write(content)
	tw.Close()
	return b.Bytes()
}

func gzipOf(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}
