package eksapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/eksboot/eksboot/test/stssim"
)

// LocalVerifier checks a token in-process, with the format rules of
// aws-iam-authenticator's verifier (which the end-to-end simulation runs
// itself), and hands the signature to sts without HTTP. For Go tests.
func LocalVerifier(sts *stssim.STS, cluster, region string) func(string) (CallerIdentity, error) {
	return func(token string) (CallerIdentity, error) {
		if len(token) > 4096 {
			return CallerIdentity{}, errors.New("token is too large")
		}
		raw, ok := strings.CutPrefix(token, "k8s-aws-v1.")
		if !ok {
			return CallerIdentity{}, errors.New(`token is missing expected "k8s-aws-v1." prefix`)
		}
		decoded, err := base64.RawURLEncoding.DecodeString(raw)
		if err != nil {
			return CallerIdentity{}, err
		}
		u, err := url.Parse(string(decoded))
		if err != nil {
			return CallerIdentity{}, err
		}
		q := u.Query()
		expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
		switch {
		case u.Scheme != "https" || u.Host != "sts."+region+".amazonaws.com" || u.Path != "/":
			return CallerIdentity{}, fmt.Errorf("unexpected STS URL %s://%s%s", u.Scheme, u.Host, u.Path)
		case q.Get("Action") != "GetCallerIdentity":
			return CallerIdentity{}, errors.New("unexpected action parameter in pre-signed URL")
		case !strings.Contains(";"+strings.ToLower(q.Get("X-Amz-SignedHeaders"))+";", ";x-k8s-aws-id;"):
			return CallerIdentity{}, errors.New("client did not sign the x-k8s-aws-id header in the pre-signed URL")
		case err != nil || expires < 0 || expires > 900:
			return CallerIdentity{}, errors.New("invalid X-Amz-Expires parameter in pre-signed URL")
		}
		p, err := sts.Verify(u, http.Header{"X-K8s-Aws-Id": {cluster}})
		if err != nil {
			return CallerIdentity{}, err
		}
		id, err := Canonical(p.ARN())
		id.AccountID, id.UserID, id.AccessKeyID = p.Account, stssim.RoleID, p.Creds.AccessKeyID
		return id, err
	}
}

// Canonical turns an assumed-role ARN into the identity mappings match:
// the role ARN without a path, as aws-iam-authenticator canonicalizes it.
func Canonical(assumedRoleARN string) (CallerIdentity, error) {
	parts := strings.Split(assumedRoleARN, ":")
	if len(parts) != 6 || parts[2] != "sts" {
		return CallerIdentity{}, fmt.Errorf("not an STS ARN: %s", assumedRoleARN)
	}
	res := strings.Split(parts[5], "/")
	if len(res) != 3 || res[0] != "assumed-role" {
		return CallerIdentity{}, fmt.Errorf("not an assumed-role ARN: %s", assumedRoleARN)
	}
	return CallerIdentity{ARN: assumedRoleARN, CanonicalARN: "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + res[1], Session: res[2]}, nil
}
