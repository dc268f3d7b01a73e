// Package report is the result model every part of eksboot speaks: a
// check's Result with its stable Code, the Verdict made from results, and
// who the API server says the node is. It imports nothing of eksboot's, so
// the prober makes results, and the inputs, the writers and explain read
// them, without depending on one another.
package report

import (
	"slices"
	"time"
)

// Status is a result's outcome.
type Status string

// Statuses, from best to worst.
const (
	Pass Status = "pass"
	Skip Status = "skip"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Rank orders statuses from best (0) to worst.
func (s Status) Rank() int {
	switch s {
	case Pass:
		return 0
	case Skip:
		return 1
	case Warn:
		return 2
	}
	return 3
}

// Kinds of result: what was looked at (the wire's "check").
const (
	KindIMDS   = "imds"
	KindDNS    = "dns"
	KindTCP    = "tcp"
	KindTLS    = "tls"
	KindAPI    = "api"
	KindConfig = "config"
	KindAuth   = "auth"  // the node's IAM identity, as the kubelet presents it
	KindClock  = "clock" // the node's clock against the API server's
	KindAWS    = "aws"   // a call the node's agents make through an endpoint
	KindProxy  = "proxy" // the node's HTTPS proxy, as the endpoint it was for is reached through it
)

// Code is a result's stable identifier. Codes are part of the contract:
// add new ones freely, never rename one.
type Code string

// Result codes (SPEC §5).
const (
	OK                   Code = "ok"
	DNSPublic            Code = "dns_public"
	DNSNXDomain          Code = "dns_nxdomain"
	DNSNoData            Code = "dns_nodata"
	DNSServFail          Code = "dns_servfail"
	DNSRefused           Code = "dns_refused"
	DNSTimeout           Code = "dns_timeout"
	DNSMismatch          Code = "dns_mismatch"
	TCPTimeout           Code = "tcp_timeout"
	TCPRefused           Code = "tcp_refused"
	TCPUnreachable       Code = "tcp_unreachable"
	TLSUnknownCA         Code = "tls_unknown_ca"
	TLSHostname          Code = "tls_hostname"
	TLSTimeout           Code = "tls_timeout"
	TLSError             Code = "tls_error"
	APIHTTPError         Code = "api_http_error"
	APIPrivateAccess     Code = "api_private_access"
	ServiceCIDRMismatch  Code = "service_cidr_mismatch"
	VersionSkew          Code = "version_skew"
	IMDSUnreachable      Code = "imds_unreachable"
	IMDSV1Only           Code = "imds_v1_only"
	NoResolver           Code = "no_resolver"
	IAMNoRole            Code = "iam_no_role"
	AuthUnmapped         Code = "auth_unmapped"
	AuthGroups           Code = "auth_groups"
	AuthNodeName         Code = "auth_node_name"
	AuthWindowsGroup     Code = "auth_windows_group"
	ClockSkew            Code = "clock_skew"
	ArgsWriteFailed      Code = "args_write_failed"
	DNSError             Code = "dns_error"
	Interrupted          Code = "interrupted"
	NodeadmDropInIgnored Code = "nodeadm_dropin_ignored"
	// CredentialsInvalid: the role's credentials cannot work (IMDS said
	// so, or they are past their Expiration).
	CredentialsInvalid Code = "credentials_invalid"
	// TokenSigningFailed: the node could not sign its identity token.
	TokenSigningFailed Code = "token_signing_failed"

	// The calls of the node's agents (SPEC §4 "What the node's agents will ask").
	EndpointPolicyDenied Code = "endpoint_policy_denied"
	IAMDenied            Code = "iam_denied"
	SCPDenied            Code = "scp_denied"
	ImagePullDenied      Code = "image_pull_denied"
	LayerBucketDenied    Code = "layer_bucket_denied"
	AWSError             Code = "aws_error"
	NodeadmRefusesConfig Code = "nodeadm_refuses_config"

	// The path through the node's HTTPS proxy (SPEC §4 "The path").
	ProxyUnreachable   Code = "proxy_unreachable"
	ProxyRefused       Code = "proxy_refused"
	ProxyCarriesAPI    Code = "proxy_carries_api"
	ProxyInconsistent  Code = "proxy_inconsistent" // warn
	ProxyInterceptsTLS Code = "proxy_intercepts_tls"
	// ProxyInvalid: a proxy setting read from the node is not one its
	// agent can use (not a URL, a scheme Go does not dial, no host), so
	// every request the agent makes fails.
	ProxyInvalid Code = "proxy_invalid"

	// The inputs' warnings.
	CAValidity   Code = "ca_validity"    // the cluster CA is near or past its expiry
	DNSIPGuessed Code = "dns_ip_guessed" // the cluster DNS IP was guessed from the VPC
)

// Result is one check's outcome. Every output renders from it.
type Result struct {
	Kind     string // what was looked at: one of the Kind constants
	Endpoint string
	Action   string // the AWS call of an aws result: ec2:DescribeInstances
	Host     string
	Addr     string
	Route    string
	// Via is the path taken: "direct", or "proxy HOST:PORT"; "" where no
	// path was taken (IMDS, the inputs).
	Via    string
	Status Status
	Code   Code
	Msg    string
	Hint   string
	// Service is the endpoint's VPC endpoint service name
	// (com.amazonaws.REGION.SERVICE) where the result is an endpoint's, so
	// readers name the endpoint without the prober's catalog.
	Service  string
	Duration time.Duration
	// Order is the result's place in the run's plan (its endpoint's, or
	// its check's), set by the prober so that results sort by it.
	Order int
}

// UserInfo is who the API server says the node is.
type UserInfo struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups,omitempty"`
}

// FailOn chooses which results make the verdict fail.
type FailOn string

// FailOn values.
const (
	FailOnRequired FailOn = "required" // any fail (a required endpoint's, or an inherent one)
	FailOnAny      FailOn = "any"      // any fail or warn
	FailOnNever    FailOn = "never"
)

// Verdict is the run's conclusion.
type Verdict struct {
	Status Status // worst status seen
	Passed bool   // whether the verdict allows the node to go on
	Counts Counts
	Failed []string // endpoints with a fail
	Codes  []Code   // codes of fails and warns
}

// Counts tallies results by status.
type Counts struct {
	Pass, Warn, Fail, Skip int
}

// Decide is the one place results become a verdict.
func Decide(results []Result, failOn FailOn) Verdict {
	v := Verdict{Status: Pass}
	for _, r := range results {
		switch r.Status {
		case Pass:
			v.Counts.Pass++
		case Warn:
			v.Counts.Warn++
		case Fail:
			v.Counts.Fail++
			name := r.Endpoint
			if name == "" {
				name = r.Kind
			}
			if !slices.Contains(v.Failed, name) {
				v.Failed = append(v.Failed, name)
			}
		case Skip:
			v.Counts.Skip++
		}
		if (r.Status == Fail || r.Status == Warn) && !slices.Contains(v.Codes, r.Code) {
			v.Codes = append(v.Codes, r.Code)
		}
		if r.Status.Rank() > v.Status.Rank() {
			v.Status = r.Status
		}
	}
	switch failOn {
	case FailOnNever:
		v.Passed = true
	case FailOnAny:
		v.Passed = v.Counts.Fail == 0 && v.Counts.Warn == 0
	default:
		v.Passed = v.Counts.Fail == 0
	}
	return v
}
