package diag

import (
	"io"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/report"
)

// BenchmarkConsoleManyLongResults: 2,000 results of 10 KiB strings (the
// fuzzer's shape) cost what the console budget holds, not what the report
// holds: the writer stops encoding once the budget is passed.
func BenchmarkConsoleManyLongResults(b *testing.B) {
	long := strings.Repeat("é\u202e", 5000)
	rep := Report{Run: "f0f0f0f0"}
	for i := range 2000 {
		st := []report.Status{report.Pass, report.Warn, report.Fail, report.Skip}[i%4]
		rep.Results = append(rep.Results, report.Result{Kind: report.KindTCP, Endpoint: "sts", Host: long, Status: st, Code: report.TCPTimeout, Msg: long, Hint: long})
	}
	rep.Summary.Verdict = report.Decide(rep.Results, report.FailOnRequired)
	for b.Loop() {
		if err := WriteConsole(io.Discard, rep, ConsoleBudget, fixedNow); err != nil {
			b.Fatal(err)
		}
	}
}
