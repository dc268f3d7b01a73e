package diag

import (
	"slices"

	"github.com/eksboot/eksboot/report"
)

// sortedWorstFirst orders results by status, worst first, keeping the
// run's order within a status.
func sortedWorstFirst(rs []report.Result) []report.Result {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b report.Result) int { return b.Status.Rank() - a.Status.Rank() })
	return out
}
