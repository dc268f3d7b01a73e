package probes

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/restjson"
	"github.com/eksboot/eksboot/report"
)

// awsError is what AWS said when it refused: its error code and message,
// from whichever protocol carried them.
type awsError struct {
	Code, Message string
}

// credentialErrors are AWS's authentication errors: the role's credentials
// are expired, unknown, or sign wrongly (a clock far off signs wrongly too).
var credentialErrors = []string{"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
	"UnrecognizedClientException", "AuthFailure", "SignatureDoesNotMatch", "InvalidSignatureException",
	"InvalidToken", "TokenRefreshRequired", "InvalidAccessKeyId"}

// denialErrors are the codes of an authorization refusal.
var denialErrors = []string{"UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "DENIED"}

// parseAWSError reads the error of any of the protocols the calls speak:
// EC2's <Response><Errors><Error>, STS's and S3's <Error>, the JSON 1.1
// {"__type", "message"} of ECR, and the registry's {"errors": [...]}.
func parseAWSError(a awsAnswer) (awsError, bool) {
	b := a.body
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		var j struct {
			Type     string `json:"__type"`
			Message  string `json:"message"`
			MessageU string `json:"Message"`
			Errors   []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		if json.Unmarshal(b, &j) != nil {
			return awsError{}, false
		}
		if len(j.Errors) > 0 {
			return awsError{j.Errors[0].Code, j.Errors[0].Message}, true
		}
		// "com.amazon.coral.service#ExpiredTokenException:http://...",
		// cleaned as the SDK's clients clean it.
		code := restjson.SanitizeErrorCode(j.Type)
		if code == "" {
			code = restjson.SanitizeErrorCode(a.header.Get("X-Amzn-Errortype"))
		}
		return awsError{code, j.Message + j.MessageU}, code != ""
	}
	var x struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
		Errors  []struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Errors>Error"`
		Error struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	if xml.Unmarshal(b, &x) != nil {
		return awsError{}, false
	}
	switch {
	case len(x.Errors) > 0:
		return awsError{x.Errors[0].Code, x.Errors[0].Message}, true
	case x.Error.Code != "":
		return awsError{x.Error.Code, x.Error.Message}, true
	case x.Code != "":
		return awsError{x.Code, x.Message}, true
	}
	return awsError{}, false
}

// judgeAWS turns a refusal into a code by what AWS said: an authentication
// error is the credentials'; a denial names the policy type that refused
// (AWS's "because no VPC endpoint policy allows", "with an explicit deny in
// a service control policy", "because no identity-based policy allows",
// "permissions boundary"). A denial that names none is deny: the registry's
// or the bucket's refusal, or the role's on older messages. Only the
// registry's 401 without AWS's own error code is the credentials' (it
// answers the token made from them so); another server's 401 is not AWS's
// word. The layer bucket's authentication errors are its refusal of ECR's
// presigned URL, which the node's credentials did not sign.
func judgeAWS(a awsAnswer, deny report.Code) (report.Code, awsError) {
	e, ok := parseAWSError(a)
	registry := deny == report.ImagePullDenied
	switch {
	case !ok && a.status == http.StatusUnauthorized && registry:
		return report.CredentialsInvalid, awsError{Code: http.StatusText(a.status)}
	case !ok:
		return report.AWSError, awsError{}
	case slices.Contains(credentialErrors, e.Code) && deny == report.LayerBucketDenied:
		return deny, e
	case slices.Contains(credentialErrors, e.Code):
		return report.CredentialsInvalid, e
	case a.status == http.StatusUnauthorized && registry && !slices.Contains(denialErrors, e.Code):
		// The registry's UNAUTHORIZED: the token from the role's
		// credentials is not accepted.
		return report.CredentialsInvalid, e
	case !slices.Contains(denialErrors, e.Code) && a.status != http.StatusForbidden:
		return report.AWSError, e
	}
	m := strings.ToLower(e.Message)
	switch {
	case strings.Contains(m, "vpc endpoint policy"):
		if deny == report.LayerBucketDenied {
			return deny, e
		}
		return report.EndpointPolicyDenied, e
	case strings.Contains(m, "service control policy"), strings.Contains(m, "permissions boundary"),
		strings.Contains(m, "resource control policy"):
		return report.SCPDenied, e
	case strings.Contains(m, "identity-based policy"):
		if deny == report.LayerBucketDenied {
			return deny, e
		}
		return report.IAMDenied, e
	}
	return deny, e
}

// maxAWSMessage caps the AWS message a result quotes.
const maxAWSMessage = 400

// describe is what AWS answered, for a message: status, code and its
// message, which carry no secret (AWS quotes ARNs and actions, not keys).
func (e awsError) describe(status int) string {
	s := http.StatusText(status)
	if status != 0 {
		s = strings.TrimSpace(strconv.Itoa(status) + " " + s)
	}
	if e.Code != "" {
		s += " " + CleanServerString(e.Code)
	}
	if e.Message != "" {
		// AWS's message names the policy type that refused: keep it whole
		// up to a cap, unlike other servers' strings.
		// Its first line only: what follows a SignatureDoesNotMatch is
		// the canonical request, whose headers hold the session token.
		first, _, _ := strings.Cut(e.Message, "\n")
		msg := strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == unicode.ReplacementChar {
				return -1
			}
			return r
		}, first)
		s += ": " + cutRunes(msg, maxAWSMessage)
	}
	return s
}
