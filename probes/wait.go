package probes

import (
	"context"
	"slices"
	"time"
)

// Backoff between re-probes under --wait.
const (
	firstBackoff = 250 * time.Millisecond
	maxBackoff   = 4 * time.Second
)

// RunUntil runs p, then re-probes the endpoints that failed, with backoff,
// until they pass or wait has gone. progress, if set, hears what is still
// failing and how long is left before each re-probe.
func (rn *Runner) RunUntil(ctx context.Context, p Plan, wait time.Duration, progress func(failing []string, left time.Duration)) Report {
	deadline := time.Now().Add(wait)
	rep := rn.Run(ctx, p)
	backoff := firstBackoff
	for {
		failing := failingEndpoints(p, rep)
		left := time.Until(deadline)
		if len(failing) == 0 || left <= 0 || ctx.Err() != nil {
			return rep
		}
		if progress != nil {
			names := make([]string, len(failing))
			for i, e := range failing {
				names[i] = e.Name
			}
			progress(slices.Compact(names), left)
		}
		select {
		case <-ctx.Done():
			return rep
		case <-time.After(min(backoff, left)):
		}
		backoff = min(2*backoff, maxBackoff)
		sub := p
		sub.Endpoints, sub.Deadline = failing, time.Time{}
		again := rn.Run(ctx, sub)
		if ctx.Err() != nil {
			return rep // interrupted mid-round: the last whole answer stands
		}
		rep = merge(p, rep, again, failing)
	}
}

func endpointKey(name, host string) string { return name + " " + host }

func failingEndpoints(p Plan, rep Report) []Endpoint {
	var out []Endpoint
	for _, e := range p.Endpoints {
		if slices.ContainsFunc(rep.Results, func(r Result) bool {
			return r.Status == Fail && r.source == endpointKey(e.Name, e.Host)
		}) {
			out = append(out, e)
		}
	}
	return out
}

// merge replaces the results of the re-probed endpoints, keeping plan order.
func merge(p Plan, old, again Report, reprobed []Endpoint) Report {
	index := map[string]int{}
	for i, e := range p.Endpoints {
		index[endpointKey(e.Name, e.Host)] = i
	}
	redone := map[string]bool{}
	for _, e := range reprobed {
		redone[endpointKey(e.Name, e.Host)] = true
	}
	out := Report{ServerVersion: old.ServerVersion, ServerCert: old.ServerCert, User: old.User}
	for _, r := range old.Results {
		if !redone[r.source] {
			out.Results = append(out.Results, r)
		}
	}
	for _, r := range again.Results {
		r.order = index[r.source]
		out.Results = append(out.Results, r)
	}
	if again.ServerCert != nil {
		out.ServerVersion, out.ServerCert, out.User = again.ServerVersion, again.ServerCert, again.User
	}
	SortResults(out.Results)
	return out
}
