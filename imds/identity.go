package imds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Credentials are the instance role's temporary credentials from IMDS. They
// sign the node's identity token and never reach any output: every way of
// printing the value prints a placeholder.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// String keeps the credentials out of logs, errors and %v.
func (Credentials) String() string { return "[credentials redacted]" }

// GoString keeps the credentials out of %#v.
func (Credentials) GoString() string { return "[credentials redacted]" }

// Identity is the node's IAM identity as IMDS tells it.
type Identity struct {
	InstanceProfileARN string // iam/info; "" when the instance has no profile
	RoleName           string // iam/security-credentials/; "" when none
	Credentials        *Credentials
	Err                error // why Credentials is nil, in words safe to print
}

// ErrNoInstanceProfile means IMDS has no IAM role for the instance.
var ErrNoInstanceProfile = errors.New("the instance has no instance profile (IMDS iam/ is empty)")

// identity reads iam/info, the role name and the role's credentials. A
// missing profile is not an IMDS failure: it is what the identity check
// reports.
func (m *Client) identity(ctx context.Context) Identity {
	var id Identity
	info, err := m.get(ctx, "iam/info")
	switch {
	case isNotFound(err):
		id.Err = ErrNoInstanceProfile
		return id
	case err != nil:
		id.Err = err
		return id
	}
	var parsed struct{ InstanceProfileArn string }
	if json.Unmarshal([]byte(info), &parsed) == nil {
		id.InstanceProfileARN = parsed.InstanceProfileArn
	}
	roles, err := m.get(ctx, "iam/security-credentials/")
	if isNotFound(err) || (err == nil && strings.TrimSpace(roles) == "") {
		id.Err = fmt.Errorf("the instance profile %s has no role, so IMDS has no credentials for it", id.InstanceProfileARN)
		return id
	}
	if err != nil {
		id.Err = err
		return id
	}
	id.RoleName = strings.Fields(roles)[0]
	raw, err := m.get(ctx, "iam/security-credentials/"+id.RoleName)
	if err != nil {
		id.Err = err
		return id
	}
	var c struct {
		Code, AccessKeyId, SecretAccessKey, Token string
	}
	// The body holds the secret: a parse error must not quote it.
	if json.Unmarshal([]byte(raw), &c) != nil || c.AccessKeyId == "" || c.SecretAccessKey == "" {
		id.Err = fmt.Errorf("IMDS iam/security-credentials/%s: no usable credentials in the answer", id.RoleName)
		return id
	}
	if c.Code != "" && c.Code != "Success" {
		id.Err = fmt.Errorf("IMDS iam/security-credentials/%s: code %q", id.RoleName, c.Code)
		return id
	}
	id.Credentials = &Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.Token}
	return id
}

// Partition is the AWS partition of a region, as ARNs spell it.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// RoleARN is the role's ARN as aws-auth must name it: without the role's
// path, which neither IMDS nor STS's GetCallerIdentity reveals, and which the
// authenticator's mapping therefore cannot match.
func RoleARN(region, account, role string) string {
	if account == "" || role == "" {
		return ""
	}
	return "arn:" + Partition(region) + ":iam::" + account + ":role/" + role
}
