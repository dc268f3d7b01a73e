package probes

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/report"
)

// IMDSRead is how the run's one read of the IMDS facts went.
type IMDSRead struct {
	Endpoint string // "" is the default, http://169.254.169.254
	Err      error
	Took     time.Duration
	Timeout  time.Duration // for the IMDSv1 question when it failed
}

// imdsCheck judges the run's read of the IMDS facts: it happened before the
// plan, which it fills, so repeating the judgement changes nothing.
var imdsCheck = Check{Name: report.KindIMDS, Required: true, Once: true,
	Why: "the instance metadata service answers: it names the region, the VPC's resolver, the node's role and its credentials",
	Run: func(ctx context.Context, p Plan, _ *Findings) []report.Result {
		return []report.Result{IMDSResult(ctx, p.IMDS.Endpoint, p.IMDS.Err, p.IMDS.Took, p.IMDS.Timeout)}
	}}

// IMDSResult turns the outcome of reading the IMDS facts into a result.
// When that failed, one plain IMDSv1 GET, asked by the imds package's own
// client (no proxy, no redirect), tells imds_v1_only (the token call is
// what fails, typically the PUT hop limit) from imds_unreachable.
func IMDSResult(ctx context.Context, endpoint string, factsErr error, took time.Duration, timeout time.Duration) report.Result {
	md := imds.New(endpoint)
	endpoint = cmp.Or(endpoint, imds.DefaultEndpoint)
	r := report.Result{Kind: report.KindIMDS, Addr: strings.TrimPrefix(strings.TrimPrefix(endpoint, "http://"), "https://"), Duration: took}
	if factsErr == nil {
		r.Status, r.Code, r.Msg = report.Pass, report.OK, fmt.Sprintf("imds: IMDSv2 answered in %s", roundMS(took))
		return r
	}
	r.Status = report.Fail
	if md.AnswersV1(ctx, timeout) {
		r.Code, r.Msg = report.IMDSV1Only, fmt.Sprintf("imds: the IMDSv2 token call failed (%v), but IMDSv1 answers", factsErr)
	} else {
		r.Code, r.Msg = report.IMDSUnreachable, fmt.Sprintf("imds: IMDS at %s did not answer (%v)", endpoint, factsErr)
	}
	r.Hint = hints.For(r, hints.Endpoint{}, hints.NodeFacts{IMDSEndpoint: endpoint}, false)
	return r
}
