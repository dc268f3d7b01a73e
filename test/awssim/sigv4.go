package awssim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// authError is an authentication failure; its code depends on the
// service that reports it.
type authError int

const (
	authOK authError = iota
	authUnknownKey
	authExpired
	authBadSignature
)

// window is how far X-Amz-Date may be from now.
const window = 15 * time.Minute

// verifyHeader checks an Authorization-header SigV4 signature by signing
// the same request again with the SDK and comparing.
func (a *AWS) verifyHeader(r *http.Request, body []byte, service string) authError {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return authBadSignature
	}
	fields := map[string]string{}
	for _, f := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[3] != service || scope[4] != "aws4_request" {
		return authBadSignature
	}
	if e := a.checkKey(scope[0], r.Header.Get("X-Amz-Security-Token")); e != authOK {
		return e
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || a.now().Sub(at).Abs() > window {
		return authBadSignature
	}
	again, _ := http.NewRequest(r.Method, "https://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	// The SDK signs content-length whenever there is one; other clients
	// (botocore) do not: it is signed only when the client said so.
	again.ContentLength = 0
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		switch h {
		case "host", "x-amz-date", "x-amz-security-token":
		case "content-length":
			again.ContentLength = r.ContentLength
		default:
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), a.Creds, again, hex.EncodeToString(sum[:]), scope[3], scope[2], at); err != nil {
		return authBadSignature
	}
	if !sameSignature(again.Header.Get("Authorization"), auth) {
		return authBadSignature
	}
	return authOK
}

func (a *AWS) checkKey(key, token string) authError {
	switch {
	case key != a.Creds.AccessKeyID || token != a.Creds.SessionToken:
		return authUnknownKey
	case !a.Expires.IsZero() && !a.now().Before(a.Expires):
		return authExpired
	}
	return authOK
}

func sameSignature(want, got string) bool {
	sig := func(s string) string { _, v, _ := strings.Cut(s, "Signature="); return v }
	return sig(want) != "" && subtle.ConstantTimeCompare([]byte(sig(want)), []byte(sig(got))) == 1
}

// presign is the layer URL ECR hands out: a GET of key in the layer
// bucket, presigned with ECR's own credentials for 20 minutes.
func (a *AWS) presign(key string) string {
	u := "https://" + LayerBucket(a.Region) + ".s3." + a.Region + ".amazonaws.com/" + key + "?X-Amz-Expires=1200"
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	signed, _, _ := v4.NewSigner().PresignHTTP(context.Background(), ecrCreds, req, "UNSIGNED-PAYLOAD", "s3", a.Region, a.now().UTC())
	return signed
}

// verifyPresigned checks a presigned S3 request: ECR's key, its signature
// over the method (a URL presigned for GET does not HEAD) and every query
// parameter, within X-Amz-Expires. It says what S3 answers when it
// refuses, 0 when it does not.
func (a *AWS) verifyPresigned(r *http.Request) (status int, code, msg string) {
	q := r.URL.Query()
	if r.Header.Get("Authorization") != "" {
		return http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	}
	if !q.Has("X-Amz-Algorithm") && !q.Has("X-Amz-Signature") && !q.Has("X-Amz-Credential") {
		return http.StatusForbidden, "AccessDenied", "Access Denied" // anonymous, to a bucket that is not public
	}
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if !q.Has(p) {
			return http.StatusBadRequest, "AuthorizationQueryParametersError", "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
		}
	}
	if !strings.HasPrefix(q.Get("X-Amz-Credential"), ecrCreds.AccessKeyID+"/") {
		return http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
	}
	at, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return http.StatusBadRequest, "AuthorizationQueryParametersError", `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	switch {
	case err != nil:
		return http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires should be a number"
	case expires < 0:
		return http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative"
	case expires > 604800:
		return http.StatusBadRequest, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800"
	case a.now().Before(at.Add(-time.Minute)):
		return http.StatusForbidden, "AccessDenied", "Request is not yet valid"
	case a.now().Sub(at) > time.Duration(expires)*time.Second:
		return http.StatusForbidden, "AccessDenied", "Request has expired"
	}
	// Re-sign what came, less what presigning adds: a parameter added to
	// the URL since changes the signature, as in S3.
	rest := url.Values{}
	for k, v := range q {
		switch k {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Security-Token":
		default:
			rest[k] = v
		}
	}
	again := url.URL{Scheme: "https", Host: r.Host, Path: r.URL.Path, RawQuery: rest.Encode()}
	req, _ := http.NewRequest(r.Method, again.String(), nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), ecrCreds, req, "UNSIGNED-PAYLOAD", "s3", a.Region, at)
	want, _ := url.Parse(signed)
	if err != nil || subtle.ConstantTimeCompare([]byte(want.Query().Get("X-Amz-Signature")), []byte(q.Get("X-Amz-Signature"))) != 1 {
		return http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	}
	return 0, "", ""
}
