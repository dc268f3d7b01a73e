package diag

import (
	"slices"

	"github.com/eksboot/eksboot/probes"
)

// sortedWorstFirst orders results by status, worst first, keeping the
// run's order within a status.
func sortedWorstFirst(rs []probes.Result) []probes.Result {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b probes.Result) int { return b.Status.Rank() - a.Status.Rank() })
	return out
}
