//go:build linux

package inputs

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/test/testpki"
)

// TestBottlerocketRootsAreTheHosts: in a bootstrap container the AWS
// endpoints are verified with the host's bundle under /.bottlerocket/rootfs
// (what settings.pki adds is in it), not the image's, which has none.
func TestBottlerocketRootsAreTheHosts(t *testing.T) {
	startFakeBottlerocket(t, nil)
	ca, err := testpki.NewCA("settings.pki bundle")
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(bottlerocketRoot, brHostRoot, BottlerocketTrustStore)
	if err := os.MkdirAll(filepath.Dir(bundle), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bundle, ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	v := validValues(t)
	v[FlagTarget] = []string{"bottlerocket"}
	c, err := Resolve(v, noHost, noIMDS(), time.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf([]string{"ec2.eu-west-1.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.AWSRoots == nil {
		t.Fatal("no roots from the host's trust store")
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: c.AWSRoots, DNSName: "ec2.eu-west-1.amazonaws.com"}); err != nil {
		t.Fatalf("a certificate of the host's bundle does not verify: %v", err)
	}
}

// TestBottlerocketRootsMissing: a container without the host's bundle says
// which file, before anything is probed, rather than failing every AWS
// endpoint's TLS with an unknown authority.
func TestBottlerocketRootsMissing(t *testing.T) {
	startFakeBottlerocket(t, nil)
	v := validValues(t)
	v[FlagTarget] = []string{"bottlerocket"}
	_, err := Resolve(v, noHost, noIMDS(), time.Now(), true)
	if err == nil || !strings.Contains(err.Error(), "ca-bundle.crt") {
		t.Fatalf("got %v, want the trust store named", err)
	}
}

// TestBottlerocketDetected: --target auto is bottlerocket in a bootstrap
// container, and only there.
func TestBottlerocketDetected(t *testing.T) {
	if got, _ := ParseTarget("auto", noHost); got == TargetBottlerocket {
		t.Fatal("detected Bottlerocket outside a container")
	}
	startFakeBottlerocket(t, nil)
	if got, err := ParseTarget("auto", noHost); err != nil || got != TargetBottlerocket {
		t.Fatalf("got %q, %v; want bottlerocket", got, err)
	}
}
