package diag

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/eksboot/eksboot/probes"
)

// WriteTable writes the results for a person: one row per check, failures
// first, each non-pass result's hint under its row, then the verdict.
func WriteTable(w io.Writer, results []probes.Result, s Summary) {
	rows := slices.Clone(results)
	slices.SortStableFunc(rows, func(a, b probes.Result) int { return b.Status.Rank() - a.Status.Rank() })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCHECK\tENDPOINT\tHOST\tADDRESS\tCODE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Status, r.Check, dash(r.Endpoint), dash(r.Host), dash(r.Addr), r.Code)
		if r.Status != probes.Pass && r.Status != probes.Skip {
			tw.Flush()
			fmt.Fprintf(w, "    %s\n    fix: %s\n", r.Msg, r.Hint)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, verdictLine(s))
}

func verdictLine(s Summary) string {
	v := s.Verdict
	word := "PASS"
	if !v.Passed {
		word = "FAIL"
	}
	line := fmt.Sprintf("verdict: %s (%d pass, %d warn, %d fail, %d skip) in %s", word, v.Counts.Pass, v.Counts.Warn, v.Counts.Fail, v.Counts.Skip, s.Took.Round(1e6))
	if len(v.Failed) > 0 {
		line += "; failed: " + strings.Join(v.Failed, ", ")
	}
	if s.ArgsFile != "" {
		line += "; arguments in " + s.ArgsFile
	}
	return line
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
