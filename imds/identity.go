package imds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
	// The profile and its role's name are asked at once; the credentials
	// as soon as the name is known.
	var info, roles string
	var err, rolesErr error
	var wg sync.WaitGroup
	wg.Go(func() { info, err = m.get(ctx, "iam/info") })
	wg.Go(func() { roles, rolesErr = m.get(ctx, "iam/security-credentials/") })
	wg.Wait()
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
	err = rolesErr
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
		Code, Message, Expiration           string
		AccessKeyId, SecretAccessKey, Token string
	}
	// The body holds the secret: a parse error must not quote it.
	err = json.Unmarshal([]byte(raw), &c)
	where := "IMDS iam/security-credentials/" + id.RoleName
	switch {
	case err == nil && c.Code != "" && c.Code != "Success":
		// IMDS says why it has no keys (AssumeRoleUnauthorizedAccess: the
		// role's trust policy does not let EC2 assume it).
		id.Err = &credentialsError{fmt.Sprintf("%s answers Code %q%s: EC2 has no credentials for the role", where, c.Code, parenthesized(c.Message))}
		return id
	case err != nil || c.AccessKeyId == "" || c.SecretAccessKey == "":
		id.Err = fmt.Errorf("%s: no usable credentials in the answer", where)
		return id
	}
	// Credentials past their Expiration sign a token STS refuses, which
	// the API server answers 401 as for an unmapped role.
	if exp, err := time.Parse(time.RFC3339, c.Expiration); err == nil && !exp.After(m.now()) {
		id.Err = &credentialsError{fmt.Sprintf("%s: the credentials expired at %s, and the node's clock says %s", where, exp.UTC().Format(time.RFC3339), m.now().UTC().Format(time.RFC3339))}
		return id
	}
	id.Credentials = &Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.Token}
	return id
}

// ErrCredentialsInvalid means IMDS has credentials for the role that
// cannot work: it said so in their Code, or they are past their
// Expiration.
var ErrCredentialsInvalid = errors.New("the role's credentials cannot work")

type credentialsError struct{ msg string }

func (e *credentialsError) Error() string        { return e.msg }
func (e *credentialsError) Is(target error) bool { return target == ErrCredentialsInvalid }

// parenthesized is IMDS's Message, on one line and bounded, in brackets;
// "" when there is none.
func parenthesized(msg string) string {
	msg = strings.Join(strings.Fields(strings.ToValidUTF8(msg, "")), " ")
	if msg == "" {
		return ""
	}
	if len(msg) > maxMessageBytes {
		cut := maxMessageBytes
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return " (" + msg + ")"
}

// maxMessageBytes bounds the Message IMDS gives with a Code.
const maxMessageBytes = 300

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
