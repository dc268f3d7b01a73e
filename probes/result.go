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

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// WriteFailed is the result of bootstrap arguments that could not be
// written; msg names the path and the error.
func WriteFailed(msg string) report.Result {
	r := report.Result{Kind: report.KindConfig, Status: report.Fail, Code: report.ArgsWriteFailed, Msg: "config: " + msg}
	r.Hint = hints.For(r, hints.Endpoint{}, hints.NodeFacts{}, false)
	return r
}

// DropInIgnored is the result of an AL2023 node whose nodeadm-run.service
// (unit) reads no drop-in directory, so the NodeConfig eksboot writes there
// would be silently ignored.
func DropInIgnored(unit, argsFile string) report.Result {
	r := report.Result{Kind: report.KindConfig, Status: report.Fail, Code: report.NodeadmDropInIgnored,
		Msg: fmt.Sprintf("config: %s reads only user data (its ExecStart names no nodeadm.d), so nodeadm will ignore %s", unit, argsFile)}
	r.Hint = hints.For(r, hints.Endpoint{}, hints.NodeFacts{}, false)
	return r
}

// configCheck reports what the inputs deserve a word about (Plan.Config),
// less the guess the API server's certificate settled.
var configCheck = Check{Name: CheckConfig, Required: true, Once: true, Needs: []string{CheckServiceCIDR},
	Why: "the inputs: guesses, certificates near expiry, a drop-in nodeadm would not read",
	Run: func(_ context.Context, p Plan, f *Findings) []report.Result {
		var out []report.Result
		for _, r := range p.Config {
			if r.Code != report.DNSIPGuessed || !f.ServiceSettled {
				out = append(out, r)
			}
		}
		return out
	}}

// ConfigWarning is a result for a warning about the inputs.
func ConfigWarning(code report.Code, msg string) report.Result {
	r := report.Result{Kind: report.KindConfig, Status: report.Warn, Code: code, Msg: "config: " + msg}
	r.Hint = hints.For(r, hints.Endpoint{}, hints.NodeFacts{}, false)
	return r
}
