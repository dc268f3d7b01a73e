package probes

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// session is one plan being run: its checks, what they found, and the
// latest results of each.
type session struct {
	plan    Plan
	checks  []Check
	needs   [][]int // by check: the checks it needs, by index
	found   Findings
	results [][]report.Result // by check
}

func (rn *Runner) start(p Plan) *session {
	p.now = rn.Now
	checks := rn.checks(p)
	needs := make([][]int, len(checks))
	for i, c := range checks {
		for j, d := range checks {
			if slices.Contains(c.Needs, d.Name) {
				needs[i] = append(needs[i], j)
			}
		}
	}
	return &session{plan: p, checks: checks, needs: needs, results: make([][]report.Result, len(checks))}
}

func (s *session) close() {
	if s.found.API != nil {
		s.found.API.close()
	}
}

func (s *session) all() []bool {
	which := make([]bool, len(s.checks))
	for i := range which {
		which[i] = true
	}
	return which
}

// RoundDeadline ends a round of checks started at start: one probe
// timeout, and a tenth for the results to come in.
func RoundDeadline(start time.Time, timeout time.Duration) time.Time {
	return start.Add(timeout + timeout/10)
}

// round runs the checks marked in which, each after those it needs.
func (s *session) round(ctx context.Context, deadline time.Time, which []bool) {
	if deadline.IsZero() {
		deadline = RoundDeadline(s.plan.clock(), s.plan.Timeout)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	done := make([]chan struct{}, len(s.checks))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for i, c := range s.checks {
		if !which[i] {
			close(done[i])
			continue
		}
		wg.Go(func() {
			defer close(done[i])
			ctx := ctx
			// Opened whether or not the check will use them (under --wait a
			// refused ecr-auth costs each round the pull's handshakes): a
			// check cannot know before the checks it needs have ended.
			if c.Opens != nil {
				early := openEarly(ctx, s.plan, c.Opens(s.plan))
				defer early.close()
				ctx = withEarly(ctx, early)
			}
			for _, j := range s.needs[i] {
				<-done[j]
			}
			s.results[i] = s.weigh(c, i, c.Run(ctx, s.plan, &s.found))
		})
	}
	wg.Wait()
}

// weigh gives check i's results their severity, hint and place.
func (s *session) weigh(c Check, i int, rs []report.Result) []report.Result {
	required := s.plan.required(c)
	for k, r := range rs {
		r = OnFailure(r, required)
		e, at := s.plan.endpoint(r.Endpoint)
		if r.Service == "" {
			r.Service = e.Service
		}
		if r.Status != report.Pass && r.Hint == "" {
			r.Hint = hints.For(r, e.forHint(), s.plan.Facts, false)
		}
		r.Order = i
		if i >= len(s.plan.Endpoints) && at >= 0 { // a node check's word on an endpoint sorts beside it
			r.Order = at
		}
		rs[k] = r
	}
	return rs
}

// endpoint is the plan's endpoint called name and its place in the plan;
// zero and -1 when there is none.
func (p Plan) endpoint(name string) (Endpoint, int) {
	if i := slices.IndexFunc(p.Endpoints, func(e Endpoint) bool { return e.Name == name }); i >= 0 {
		return p.Endpoints[i], i
	}
	return Endpoint{}, -1
}

// report gathers the latest results of every check; interrupted says
// SIGTERM or SIGINT cut them short.
func (s *session) report(interrupted bool) Report {
	rep := Report{ServerVersion: s.found.Version, ServerCert: s.found.ServerCert, User: s.found.User, ServiceIP: s.found.ServiceIP}
	for _, rs := range s.results {
		rep.Results = append(rep.Results, rs...)
	}
	if interrupted {
		markInterrupted(rep.Results)
	}
	SortResults(rep.Results)
	return rep
}

// markInterrupted turns what did not pass into skips: a probe cut short by
// SIGTERM or SIGINT found nothing wrong, it was stopped.
func markInterrupted(rs []report.Result) {
	for i, r := range rs {
		if r.Status == report.Fail || r.Status == report.Warn {
			rs[i].Status, rs[i].Code, rs[i].Hint = report.Skip, report.Interrupted, ""
			rs[i].Msg += " (interrupted before it finished)"
		}
	}
}

// SortResults orders results by endpoint in plan order, then by check.
func SortResults(rs []report.Result) {
	checkOrder := map[string]int{report.KindConfig: 0, report.KindIMDS: 1, report.KindDNS: 2, report.KindProxy: 2, report.KindTCP: 3, report.KindTLS: 4, report.KindAPI: 5, report.KindAuth: 6, report.KindClock: 7, report.KindAWS: 8}
	for i := range rs {
		if (rs[i].Kind == report.KindConfig || rs[i].Kind == report.KindIMDS) && rs[i].Endpoint == "" {
			rs[i].Order = -1 // node-wide results come first
		}
	}
	slices.SortStableFunc(rs, func(a, b report.Result) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(checkOrder[a.Kind], checkOrder[b.Kind]))
	})
}
