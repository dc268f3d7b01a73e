package inputs

import (
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BottlerocketTrustStore is the host's CA bundle as certdog writes it
// (bottlerocket-core-kit sources/api/certdog: the factory bundle plus every
// trusted settings.pki bundle). Bottlerocket's own agents (pluto, host-ctr,
// kubelet's ECR credential provider) verify AWS with it; the container sees
// it under /.bottlerocket/rootfs.
const BottlerocketTrustStore = "etc/pki/tls/certs/ca-bundle.crt"

// brTrustStoreMax bounds the bundle read: the factory bundle is about
// 200 KiB, and settings.pki adds a few certificates.
const brTrustStoreMax = 4 << 20

// bottlerocketRoots is the host's trust store inside a bootstrap container
// (nil outside one): the image carries no store of its own, and an AWS
// endpoint behind a TLS-inspecting proxy is trusted on the node only
// through settings.pki.
func bottlerocketRoots() (*x509.CertPool, error) {
	if !InBottlerocketContainer() {
		return nil, nil
	}
	path := filepath.Join(bottlerocketRoot, brHostRoot, BottlerocketTrustStore)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the host's trust store: %w; a Bottlerocket host writes it at boot (certdog), so mount the host's root at /.bottlerocket/rootfs", err)
	}
	defer f.Close()
	pem, err := io.ReadAll(io.LimitReader(f, brTrustStoreMax+1))
	if err == nil && len(pem) > brTrustStoreMax {
		err = fmt.Errorf("over %d bytes", brTrustStoreMax)
	}
	if err != nil {
		return nil, fmt.Errorf("the host's trust store %s: %w", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the host's trust store %s holds no PEM certificate", path)
	}
	return pool, nil
}
