package probes

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

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
// When that failed, one plain IMDSv1 GET tells imds_v1_only (the token call
// is what fails, typically the PUT hop limit) from imds_unreachable.
func IMDSResult(ctx context.Context, endpoint string, factsErr error, took time.Duration, timeout time.Duration) report.Result {
	if endpoint == "" {
		endpoint = "http://169.254.169.254"
	}
	r := report.Result{Kind: report.KindIMDS, Addr: strings.TrimPrefix(strings.TrimPrefix(endpoint, "http://"), "https://"), Duration: took}
	if factsErr == nil {
		r.Status, r.Code, r.Msg = report.Pass, report.OK, fmt.Sprintf("imds: IMDSv2 answered in %s", roundMS(took))
		return r
	}
	r.Status = report.Fail
	if v1Answers(ctx, endpoint, timeout) {
		r.Code, r.Msg = report.IMDSV1Only, fmt.Sprintf("imds: the IMDSv2 token call failed (%v), but IMDSv1 answers", factsErr)
	} else {
		r.Code, r.Msg = report.IMDSUnreachable, fmt.Sprintf("imds: IMDS at %s did not answer (%v)", endpoint, factsErr)
	}
	r.Hint = hintFor(r, Endpoint{}, NodeFacts{IMDSEndpoint: endpoint}, false)
	return r
}

func v1Answers(ctx context.Context, endpoint string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(endpoint, "/")+"/latest/meta-data/instance-id", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	return resp.StatusCode == http.StatusOK
}
