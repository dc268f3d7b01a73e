// Package probes checks, concurrently and under one deadline, that a node
// of a private EKS cluster can reach what it needs: IMDS, the VPC and node
// resolvers, DNS and TCP 443 of each VPC endpoint, TLS and health of the
// API server, and the node's identity as the kubelet presents it. Each
// check yields one Result with a stable Code and, when it did not pass, a
// Hint in the words of the AWS console.
package probes

import (
	"context"
	"fmt"
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

// Check kinds.
const (
	CheckIMDS   = "imds"
	CheckDNS    = "dns"
	CheckTCP    = "tcp"
	CheckTLS    = "tls"
	CheckAPI    = "api"
	CheckConfig = "config"
	CheckAuth   = "auth"  // the node's IAM identity, as the kubelet presents it
	CheckClock  = "clock" // the node's clock against the API server's
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
	// The config check also reports the inputs' warning codes
	// (ca_validity, dns_ip_guessed).
)

// Result is one check's outcome. Every output renders from it.
type Result struct {
	Check    string        `json:"check"`
	Endpoint string        `json:"endpoint,omitempty"`
	Host     string        `json:"host,omitempty"`
	Addr     string        `json:"addr,omitempty"`
	Route    string        `json:"route,omitempty"`
	Status   Status        `json:"status"`
	Code     Code          `json:"code"`
	Msg      string        `json:"msg"`
	Hint     string        `json:"hint,omitempty"`
	Duration time.Duration `json:"-"`
	order    int           // its place in the plan: its endpoint's, or its check's
}

// WriteFailed is the result of bootstrap arguments that could not be
// written; msg names the path and the error.
func WriteFailed(msg string) Result {
	r := Result{Check: CheckConfig, Status: Fail, Code: ArgsWriteFailed, Msg: "config: " + msg}
	r.Hint = hintFor(r, Endpoint{}, NodeFacts{}, false)
	return r
}

// DropInIgnored is the result of an AL2023 node whose nodeadm-run.service
// (unit) reads no drop-in directory, so the NodeConfig eksboot writes there
// would be silently ignored.
func DropInIgnored(unit, argsFile string) Result {
	r := Result{Check: CheckConfig, Status: Fail, Code: NodeadmDropInIgnored,
		Msg: fmt.Sprintf("config: %s reads only user data (its ExecStart names no nodeadm.d), so nodeadm will ignore %s", unit, argsFile)}
	r.Hint = hintFor(r, Endpoint{}, NodeFacts{}, false)
	return r
}

// DNSIPGuessed is the warning of a cluster DNS IP guessed from the VPC;
// the API server's certificate, when it names the service network,
// answers it.
const DNSIPGuessed Code = "dns_ip_guessed"

// configCheck reports what the inputs deserve a word about (Plan.Config),
// less the guess the API server's certificate settled.
var configCheck = Check{Name: CheckConfig, Required: true, Once: true, Needs: []string{"service-cidr"},
	Why: "the inputs: guesses, certificates near expiry, a drop-in nodeadm would not read",
	Run: func(_ context.Context, p Plan, f *Findings) []Result {
		var out []Result
		for _, r := range p.Config {
			if r.Code != DNSIPGuessed || f.Network == nil {
				out = append(out, r)
			}
		}
		return out
	}}

// ConfigWarning is a result for a warning about the inputs.
func ConfigWarning(code, msg string) Result {
	r := Result{Check: CheckConfig, Status: Warn, Code: Code(code), Msg: "config: " + msg}
	r.Hint = hintFor(r, Endpoint{}, NodeFacts{}, false)
	return r
}
