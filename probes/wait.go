package probes

import (
	"context"
	"slices"
	"time"

	"github.com/eksboot/eksboot/report"
)

// Backoff between re-probes under --wait.
const (
	firstBackoff = 250 * time.Millisecond
	maxBackoff   = 4 * time.Second
)

// RunUntil runs p, then runs again what failed, with backoff, until it
// passes or wait has gone. progress, if set, hears what is still failing
// and how long is left before each round.
func (rn *Runner) RunUntil(ctx context.Context, p Plan, wait time.Duration, progress func(failing []string, left time.Duration)) Report {
	s := rn.start(p)
	deadline := s.plan.clock().Add(wait)
	defer s.close()
	s.round(ctx, p.Deadline, s.all())
	if ctx.Err() != nil {
		return s.report(true)
	}
	// From here on the last whole round stands when the run is stopped.
	backoff := firstBackoff
	for {
		failing, again := s.failing()
		left := deadline.Sub(s.plan.clock())
		if len(failing) == 0 || left <= 0 || ctx.Err() != nil {
			return s.report(false)
		}
		if progress != nil {
			progress(failing, left)
		}
		select {
		case <-ctx.Done():
			return s.report(false)
		case <-time.After(min(backoff, left)):
		}
		backoff = min(2*backoff, maxBackoff)
		before := slices.Clone(s.results)
		s.round(ctx, time.Time{}, again)
		if ctx.Err() != nil {
			s.results = before
			return s.report(false)
		}
	}
}

// failing names the checks that failed and may pass if run again, and
// marks what the next round runs: those, the checks they need (a clock
// is read again only by asking the server again), and every check that
// needs any of these.
func (s *session) failing() ([]string, []bool) {
	again := make([]bool, len(s.checks))
	var names []string
	var mark func(i int)
	mark = func(i int) {
		if again[i] {
			return
		}
		again[i] = true
		for _, j := range s.needs[i] {
			mark(j)
		}
	}
	for i, c := range s.checks {
		if !c.Once && slices.ContainsFunc(s.results[i], func(r report.Result) bool { return r.Status == report.Fail }) {
			mark(i)
			if !slices.Contains(names, c.Name) {
				names = append(names, c.Name)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range s.checks {
			if !again[i] && slices.ContainsFunc(s.needs[i], func(j int) bool { return again[j] }) {
				again[i], changed = true, true
			}
		}
	}
	return names, again
}
