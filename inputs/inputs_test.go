package inputs

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func wantInputError(t *testing.T, err error, flag, fragment string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an InputError for --%s", err, flag)
	}
	if ie.Flag != flag || !strings.Contains(ie.Error(), fragment) {
		t.Fatalf("got %q, want --%s and %q", ie.Error(), flag, fragment)
	}
	if strings.Contains(ie.Error(), "\n") {
		t.Fatalf("error %q is more than one line", ie.Error())
	}
}

func TestParseClusterName(t *testing.T) {
	for _, name := range []string{"a", "prod", "prod-eu_1", "0cluster", strings.Repeat("x", 100)} {
		if _, err := ParseClusterName(name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for name, fragment := range map[string]string{
		"":                       "is required",
		strings.Repeat("x", 101): "at most 100",
		"-prod":                  "must start with a letter or digit",
		"_prod":                  "must start",
		"prod.eu":                "not an EKS cluster name",
		"prod eu":                "not an EKS cluster name",
		"prod;rm -rf":            "not an EKS cluster name",
		"prodé":                  "not an EKS cluster name",
	} {
		_, err := ParseClusterName(name)
		wantInputError(t, err, FlagClusterName, fragment)
	}
}

func TestParseEndpoint(t *testing.T) {
	for in, want := range map[string][2]string{
		"https://ABC.gr7.eu-west-1.eks.amazonaws.com":     {"https://ABC.gr7.eu-west-1.eks.amazonaws.com", "ABC.gr7.eu-west-1.eks.amazonaws.com"},
		"https://abc.gr7.eu-west-1.eks.amazonaws.com/":    {"https://abc.gr7.eu-west-1.eks.amazonaws.com", "abc.gr7.eu-west-1.eks.amazonaws.com"},
		"https://abc.gr7.eu-west-1.eks.amazonaws.com:443": {"https://abc.gr7.eu-west-1.eks.amazonaws.com", "abc.gr7.eu-west-1.eks.amazonaws.com"},
		"https://10.0.1.5":      {"https://10.0.1.5", "10.0.1.5"},
		"https://[fd00::1]:443": {"https://[fd00::1]", "fd00::1"},
	} {
		canonical, host, err := ParseEndpoint(in)
		if err != nil || canonical != want[0] || host != want[1] {
			t.Errorf("%q: got %q %q %v, want %q %q", in, canonical, host, err, want[0], want[1])
		}
	}
	for in, fragment := range map[string]string{
		"":                             "is required",
		"http://abc.eks.amazonaws.com": "must start with https://",
		"abc.eks.amazonaws.com":        "must start with https://",
		"https://":                     "has no host",
		"https:abc":                    "has no host",
		"https://u:p@abc.example":      "user info",
		"https://abc.example/path":     "no path",
		"https://abc.example/?x=1":     "no query",
		"https://abc.example?":         "no query",
		"https://abc.example#frag":     "no fragment",
		"https://abc.example:6443":     "port must be 443",
		"https://abc.example:notaport": "not a URL",
		"https://abc example.com":      "not a URL",
	} {
		_, _, err := ParseEndpoint(in)
		wantInputError(t, err, FlagEndpoint, fragment)
	}
}

func TestParseCA(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	valid := makeCert(t, "kubernetes", true, now.Add(-time.Hour), now.Add(time.Hour))
	leaf := makeCert(t, "leaf", false, now.Add(-time.Hour), now.Add(time.Hour))
	expired := makeCert(t, "old-ca", true, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	future := makeCert(t, "new-ca", true, now.Add(24*time.Hour), now.Add(48*time.Hour))

	certs, warnings, err := ParseCA(b64(append(append([]byte{}, leaf...), valid...)), now)
	if err != nil || len(certs) != 2 || len(warnings) != 0 {
		t.Fatalf("bundle: %d certs, warnings %v, err %v", len(certs), warnings, err)
	}
	// White space inside the base64 (a folded YAML value) is tolerated.
	wrapped := b64(valid)
	if _, _, err := ParseCA(wrapped[:20]+"\n  "+wrapped[20:], now); err != nil {
		t.Fatalf("wrapped base64: %v", err)
	}
	for name, pemBytes := range map[string][]byte{"expired": expired, "not yet valid": future} {
		_, warnings, err := ParseCA(b64(pemBytes), now)
		if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "valid only from") || !strings.Contains(warnings[0], "2026-11-2") {
			t.Errorf("%s: warnings %v, err %v; want one warning naming the dates", name, warnings, err)
		}
	}
	keyPEM := []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	for name, tc := range map[string]struct{ in, fragment string }{
		"empty":          {"", "is required"},
		"not base64":     {"not*base64!", "not valid base64"},
		"base64 of junk": {b64([]byte("hello")), "no PEM certificate"},
		"base64 of DER":  {b64([]byte{0x30, 0x82, 0x01}), "no PEM certificate"},
		"private key":    {b64(keyPEM), `PEM "PRIVATE KEY" block`},
		"broken cert":    {b64([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")), "certificate 1 does not parse"},
		"no CA":          {b64(leaf), "no CA certificate"},
		"trailing junk":  {b64(append(append([]byte{}, valid...), "junk"...)), "data after the last PEM certificate"},
	} {
		_, _, err := ParseCA(tc.in, now)
		t.Run(name, func(t *testing.T) { wantInputError(t, err, FlagCA, tc.fragment) })
	}
}

func TestRegionFromEndpointHost(t *testing.T) {
	for host, want := range map[string]string{
		"0123ABCD.gr7.eu-west-1.eks.amazonaws.com":        "eu-west-1",
		"0123abcd.yl4.us-gov-west-1.eks.amazonaws.com":    "us-gov-west-1",
		"0123abcd.yl4.cn-north-1.eks.amazonaws.com.cn":    "cn-north-1",
		"0123abcd.sk1.eks-cluster.ap-southeast-2.api.aws": "ap-southeast-2",
		"10.0.0.5":                  "",
		"api.example.com":           "",
		"x.eu-west-1.amazonaws.com": "",
	} {
		if got := RegionFromEndpointHost(host); got != want {
			t.Errorf("%s: got %q, want %q", host, got, want)
		}
	}
	if _, err := ParseRegion("eu-west-1"); err != nil {
		t.Error(err)
	}
	_, err := ParseRegion("Ireland")
	wantInputError(t, err, FlagRegion, "not an AWS region")
}

// TestEndpointHostIsADNSNameOrAnAddress: what the endpoint's host may not be.
func TestEndpointHostIsADNSNameOrAnAddress(t *testing.T) {
	for _, bad := range []string{"https://a..b", "https://$(id)", "https://[fe80::1%25eth0]", "https://*.eks.amazonaws.com",
		"https://-a.example", "https://" + strings.Repeat("a", 120*1024), "https://a_b.example", "https://a.example."} {
		_, _, err := ParseEndpoint(bad)
		wantInputError(t, err, FlagEndpoint, "")
		if len(err.Error()) > 300 { // the value is quoted cut to 100 characters
			t.Errorf("%d-byte message for a bad endpoint", len(err.Error()))
		}
	}
	for _, good := range []string{"https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com", "https://10.0.3.5", "https://[fd00::5]:443"} {
		if _, _, err := ParseEndpoint(good); err != nil {
			t.Errorf("%s: %v", good, err)
		}
	}
}
