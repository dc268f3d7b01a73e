// Package stssim answers a presigned STS GetCallerIdentity as STS does: it
// checks the SigV4 signature against the credentials it knows (those AWS's
// IMDS mock hands out to the instance), the session token and the
// 15-minute window from X-Amz-Date, and says whose credentials signed it.
// Tests serve it where the API server's authenticator sends the token's
// URL; nothing here reaches AWS.
package stssim

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Principal is a role session STS knows: who holds Creds.
type Principal struct {
	Account, Role, Session string // Session: the instance ID for an instance role
	Creds                  aws.Credentials
}

// ARN is the session's assumed-role ARN, as GetCallerIdentity names it.
func (p Principal) ARN() string {
	return "arn:aws:sts::" + p.Account + ":assumed-role/" + p.Role + "/" + p.Session
}

// STS knows principals by access key ID.
type STS struct {
	Principals []Principal
	Now        func() time.Time // nil: time.Now
}

// RoleID is the unique ID (AROA...) of every simulated role: the first
// part of an assumed role's UserId.
const RoleID = "AROAEKSBOOTSIMULATED"

// window is how long a presigned GetCallerIdentity is good for.
const window = 15 * time.Minute

var emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Verify checks a presigned request as STS would and returns its signer.
func (s *STS) Verify(u *url.URL, header http.Header) (Principal, error) {
	q := u.Query()
	if q.Get("Action") != "GetCallerIdentity" || q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		return Principal{}, errors.New("InvalidAction: not a SigV4 GetCallerIdentity")
	}
	scope := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(scope) != 5 || scope[3] != "sts" || scope[4] != "aws4_request" {
		return Principal{}, errors.New("IncompleteSignature: bad credential scope")
	}
	var p *Principal
	for i := range s.Principals {
		if s.Principals[i].Creds.AccessKeyID == scope[0] {
			p = &s.Principals[i]
		}
	}
	if p == nil {
		return Principal{}, errors.New("InvalidClientTokenId: the security token included in the request is invalid")
	}
	if q.Get("X-Amz-Security-Token") != p.Creds.SessionToken {
		return Principal{}, errors.New("InvalidClientTokenId: the session token does not match")
	}
	signedAt, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return Principal{}, errors.New("IncompleteSignature: bad X-Amz-Date")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if d := now().Sub(signedAt); d > window || d < -window {
		return Principal{}, fmt.Errorf("SignatureDoesNotMatch: signature expired or not yet current: %s is not within 15 minutes of now", signedAt.Format(time.RFC3339))
	}
	// Sign the same request again with the secret and compare.
	again := *u
	unsigned := url.Values{}
	for k, v := range q {
		if k != "X-Amz-Signature" && k != "X-Amz-Algorithm" && k != "X-Amz-Credential" && k != "X-Amz-Date" &&
			k != "X-Amz-SignedHeaders" && k != "X-Amz-Security-Token" {
			unsigned[k] = v
		}
	}
	again.RawQuery = unsigned.Encode()
	req, _ := http.NewRequest(http.MethodGet, again.String(), nil)
	for _, h := range strings.Split(q.Get("X-Amz-SignedHeaders"), ";") {
		if h != "host" {
			req.Header.Set(h, header.Get(h))
		}
	}
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), p.Creds, req, emptyPayloadHash, "sts", scope[2], signedAt)
	if err != nil {
		return Principal{}, err
	}
	want, _ := url.Parse(signed)
	if subtle.ConstantTimeCompare([]byte(want.Query().Get("X-Amz-Signature")), []byte(q.Get("X-Amz-Signature"))) != 1 {
		return Principal{}, errors.New("SignatureDoesNotMatch: the request signature we calculated does not match the signature you provided")
	}
	return *p, nil
}

// ServeHTTP answers GET /?Action=GetCallerIdentity... in STS's JSON form
// (the authenticator asks with Accept: application/json).
func (s *STS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	u := *r.URL // a server's request URL lacks the host, which is signed
	u.Scheme, u.Host = "https", r.Host
	p, err := s.Verify(&u, r.Header)
	if err != nil {
		code, _, _ := strings.Cut(err.Error(), ":")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]any{"Error": map[string]string{"Code": code, "Message": err.Error(), "Type": "Sender"}})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"GetCallerIdentityResponse": map[string]any{
		"GetCallerIdentityResult": map[string]string{"Account": p.Account, "Arn": p.ARN(), "UserId": RoleID + ":" + p.Session},
		"ResponseMetadata":        map[string]string{"RequestId": "00000000-0000-0000-0000-000000000000"},
	}})
}
