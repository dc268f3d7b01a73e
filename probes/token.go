package probes

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The bearer token format of aws-iam-authenticator, which EKS's
// authenticator verifies: the prefix, then the presigned STS URL in
// unpadded base64url.
const (
	tokenPrefix     = "k8s-aws-v1."
	clusterIDHeader = "x-k8s-aws-id"
	// tokenExpires is the X-Amz-Expires the authenticator's own generator
	// sends; STS ignores it (a presigned GetCallerIdentity is good for 15
	// minutes from X-Amz-Date) and old verifiers insist on at most 60.
	tokenExpires = "60"
)

// emptyPayloadHash is the SHA-256 of the empty body of a GET.
var emptyPayloadHash = func() string { h := sha256.Sum256(nil); return hex.EncodeToString(h[:]) }()

// STSHost is the regional STS endpoint of region in the partition whose
// DNS suffix is domain.
func STSHost(region, domain string) string {
	if domain == "" {
		domain = DomainFor(region)
	}
	return "sts." + region + "." + domain
}

// IdentityToken is the bearer token the kubelet presents on EKS: an STS
// GetCallerIdentity request for the region's STS host, presigned with creds
// by the SDK's SigV4 signer, with the cluster name in the signed
// x-k8s-aws-id header. Nothing is sent to STS: the API server's
// authenticator makes that call.
func IdentityToken(ctx context.Context, creds aws.Credentials, cluster, region, domain string, now time.Time) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		"https://"+STSHost(region, domain)+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires="+tokenExpires, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set(clusterIDHeader, cluster)
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, emptyPayloadHash, "sts", region, now.UTC())
	if err != nil {
		return "", err
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(signed)), nil
}
