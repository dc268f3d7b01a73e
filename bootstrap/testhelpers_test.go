package bootstrap

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"testing"
	"time"
)

// testCA is the committed test CA bundle, base64 as describe-cluster gives it.
func testCA(t testing.TB) string {
	t.Helper()
	pemBytes, err := os.ReadFile("testdata/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pemBytes)
}

// makeCert returns a PEM certificate valid from notBefore to notAfter.
func makeCert(t testing.TB, cn string, isCA bool, notBefore, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// validValues are complete inputs for every target.
func validValues(t testing.TB) Values {
	return Values{
		FlagClusterName: {"prod-eu_1"},
		FlagEndpoint:    {"https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"},
		FlagCA:          {testCA(t)},
		FlagServiceCIDR: {"10.100.0.0/16"},
	}
}

// noHost is a machine with neither nodeadm nor bootstrap.sh.
var noHost = Host{GOOS: "linux", LookPath: func(string) (string, error) { return "", os.ErrNotExist }, Exists: func(string) bool { return false }}

// noIMDS fails every fact lookup.
func noIMDS() *InstanceFacts {
	return &InstanceFacts{fetch: func() (*Facts, error) { return nil, os.ErrNotExist }}
}
