package probes

import (
	"context"
	"crypto/x509"
	"net/netip"
	"slices"

	"github.com/eksboot/eksboot/report"
)

// A Check is one thing a run verifies, as plain data: a name, how much its
// failure weighs by default, the checks whose findings it reads, and a
// function from the plan to results. Every endpoint is a check (made from
// the catalog); NodeChecks are the rest.
type Check struct {
	// Name is what --require and --optional take.
	Name string
	Why  string
	// Required: a failure fails the verdict unless --optional names the
	// check; otherwise it only warns unless --require names it.
	// RequiredOnWindows makes it required for a Windows node.
	Required, RequiredOnWindows bool
	// Needs names the checks whose Findings this one reads: it starts when
	// they have finished, under the same deadline.
	Needs []string
	// Once: repeating the check alone cannot change its answer (it judges
	// inputs read once, or what the checks it needs found), so --wait runs
	// it again only when one of those runs again.
	Once bool
	// Opens names the hosts the check's AWS calls will reach, nil for
	// none: the runner opens their connections (TCP, then TLS) while the
	// check waits for those it needs, so a call that waits on another's
	// answer (the pull on ecr-auth's token) does not then wait on a
	// handshake as well.
	Opens func(p Plan) []string
	Run   func(ctx context.Context, p Plan, f *Findings) []report.Result
}

// Check names: what --require and --optional take besides the catalog's
// endpoints (CheckAPI is the cluster endpoint's own check).
const (
	CheckAPI         = "api"
	CheckIMDS        = "imds"
	CheckAuth        = "auth"
	CheckClock       = "clock"
	CheckServiceCIDR = "service-cidr"
	CheckVersionSkew = "version-skew"
	CheckConfig      = "config"
)

// Findings are what checks learn for the checks that need them. Each field
// has one writer, named beside it; a reader names that check in Needs.
type Findings struct {
	API            *apiClient        // api: talks to the first address whose TLS verified
	ServerCert     *x509.Certificate // api
	Health         apiAnswer         // api: the first health answer, with the server's Date
	Token          string            // auth: the node's token; "" when none was signed
	User           *report.UserInfo  // auth
	Version        string            // version-skew: the API server's gitVersion
	ServiceIP      netip.Addr        // service-cidr: the kubernetes service IP the certificate names
	ServiceSettled bool              // service-cidr: that IP answers what the inputs guessed
	PrivateDNSName string            // ec2-api: DescribeInstances' name for the node
	ECRToken       string            // ecr-auth: the registry's Basic credential; a secret
	// CredentialsRefused is AWS's refusal of the role's credentials, as
	// sts-api heard it; "" when accepted or not asked.
	CredentialsRefused string // sts-api
}

// NodeChecks are the checks that are not endpoints, in report order.
var NodeChecks = []Check{imdsCheck, authCheck, clockCheck, serviceCIDRCheck, versionSkewCheck, configCheck,
	ec2APICheck, ecrAuthCheck, ecrPullCheck, stsAPICheck}

// required is the one place a check's failure is weighed: --optional and
// --require first, then the check's default for the node's target.
func (p Plan) required(c Check) bool {
	switch {
	case slices.Contains(p.Selection.Optional, c.Name):
		return false
	case slices.Contains(p.Selection.Require, c.Name):
		return true
	}
	return c.Required || c.RequiredOnWindows && p.Facts.Windows
}

// OnFailure weighs r: a failure of what is not required only warns.
func OnFailure(r report.Result, required bool) report.Result {
	if r.Status == report.Fail && !required {
		r.Status = report.Warn
	}
	return r
}

// checks is every check of p: its endpoints, then the node checks.
func (rn *Runner) checks(p Plan) []Check {
	out := make([]Check, 0, len(p.Endpoints)+len(p.Checks))
	for _, e := range p.Endpoints {
		out = append(out, Check{Name: e.Name, Why: e.Why, Required: e.Required,
			Run: func(ctx context.Context, p Plan, f *Findings) []report.Result { return rn.probeEndpoint(ctx, p, e, f) }})
	}
	return append(out, p.Checks...)
}
