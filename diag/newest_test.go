package diag

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/report"
)

// TestExplainKeepsTheNewestRun: Run Command's S3 keys start with a random
// command id, so the order inputs are read in says nothing of age; the run
// whose summary is newest is the node's.
func TestExplainKeepsTheNewestRun(t *testing.T) {
	newer := sampleReport()
	older := sampleReport()
	older.Run = "01d01d01"
	older.Results = []report.Result{{Kind: report.KindIMDS, Status: report.Pass, Code: report.OK, Msg: "imds: ok"}}
	older.Summary.Verdict = report.Decide(older.Results, report.FailOnRequired)
	var in bytes.Buffer
	for _, l := range Lines(newer, fixedNow) {
		in.Write(l)
	}
	for _, l := range Lines(older, func() time.Time { return fixedNow().Add(-time.Hour) }) {
		in.Write(l)
	}
	f := NewFleet()
	f.Read(&in, "s3")
	if got := f.Last(); got == nil || got.Run != newer.Run {
		t.Fatalf("last run %v, want the newest %s", got, newer.Run)
	}
	if f.Report().Fail != 1 {
		t.Fatalf("the node's older passing run replaced its newer failing one: %+v", f.Report())
	}
}

// TestExplainJSONKeepsEachLinesTime: read back and written again as JSON,
// every line keeps the time it was written, not the time it was read.
func TestExplainJSONKeepsEachLinesTime(t *testing.T) {
	var in bytes.Buffer
	for _, l := range Lines(sampleReport(), fixedNow) {
		in.Write(l)
	}
	rep, err := Parse(&in)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	WriteJSON(&out, rep, func() time.Time { return fixedNow().Add(48 * time.Hour) })
	want := `"time":"` + fixedNow().Format(time.RFC3339Nano) + `"`
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.Contains(l, want) {
			t.Fatalf("line lost its time: %s", l)
		}
	}
}
