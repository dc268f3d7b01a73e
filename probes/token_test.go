package probes

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/test/stssim"
)

var testCreds = aws.Credentials{AccessKeyID: "ASIATESTKEY", SecretAccessKey: "test/secret", SessionToken: "test-session-token"}

// The query parameters aws-iam-authenticator's verifier accepts; any other
// one makes it refuse the token.
var authenticatorParams = map[string]bool{"action": true, "version": true, "x-amz-algorithm": true, "x-amz-credential": true,
	"x-amz-date": true, "x-amz-expires": true, "x-amz-security-token": true, "x-amz-signature": true, "x-amz-signedheaders": true}

func TestIdentityTokenFormat(t *testing.T) {
	signedAt := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ region, domain, host string }{
		{"eu-west-1", "amazonaws.com", "sts.eu-west-1.amazonaws.com"},
		{"cn-north-1", "", "sts.cn-north-1.amazonaws.com.cn"},
	} {
		token, err := IdentityToken(context.Background(), testCreds, "prod", tc.region, tc.domain, signedAt)
		if err != nil {
			t.Fatal(err)
		}
		raw, ok := strings.CutPrefix(token, "k8s-aws-v1.")
		if !ok || len(token) > 4096 || strings.ContainsAny(raw, "=+/") {
			t.Fatalf("not k8s-aws-v1. + unpadded base64url under 4 KiB: %q", token)
		}
		decoded, err := base64.RawURLEncoding.DecodeString(raw)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(string(decoded))
		if err != nil || u.Scheme != "https" || u.Host != tc.host || u.Path != "/" {
			t.Fatalf("presigned URL %q: %v", decoded, err)
		}
		q := u.Query()
		for k, v := range q {
			if !authenticatorParams[strings.ToLower(k)] || len(v) != 1 {
				t.Errorf("parameter %s=%v: the authenticator refuses it", k, v)
			}
		}
		want := map[string]string{"Action": "GetCallerIdentity", "Version": "2011-06-15", "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
			"X-Amz-Credential": "ASIATESTKEY/20261129/" + tc.region + "/sts/aws4_request", "X-Amz-Date": "20261129T120000Z",
			"X-Amz-Expires": "60", "X-Amz-SignedHeaders": "host;x-k8s-aws-id", "X-Amz-Security-Token": "test-session-token"}
		for k, v := range want {
			if q.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, q.Get(k), v)
			}
		}
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(q.Get("X-Amz-Signature")) {
			t.Errorf("signature %q", q.Get("X-Amz-Signature"))
		}
		if strings.Contains(token, testCreds.SecretAccessKey) {
			t.Fatal("the token carries the secret key")
		}
	}
}

// TestIdentityTokenSignature: STS's check of the signature passes for the
// cluster the token names and fails for any other, and after 15 minutes.
func TestIdentityTokenSignature(t *testing.T) {
	signedAt := time.Now()
	token, _ := IdentityToken(context.Background(), testCreds, "prod", "eu-west-1", "amazonaws.com", signedAt)
	decoded, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "k8s-aws-v1."))
	u, _ := url.Parse(string(decoded))
	sts := &stssim.STS{Principals: []stssim.Principal{{Account: "111122223333", Role: "node", Session: "i-1", Creds: testCreds}}}
	if p, err := sts.Verify(u, http.Header{"X-K8s-Aws-Id": {"prod"}}); err != nil || p.ARN() != "arn:aws:sts::111122223333:assumed-role/node/i-1" {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := sts.Verify(u, http.Header{"X-K8s-Aws-Id": {"other-cluster"}}); err == nil {
		t.Fatal("a token for prod verified for another cluster")
	}
	sts.Now = func() time.Time { return signedAt.Add(16 * time.Minute) }
	if _, err := sts.Verify(u, http.Header{"X-K8s-Aws-Id": {"prod"}}); err == nil {
		t.Fatal("a token 16 minutes old verified")
	}
}
