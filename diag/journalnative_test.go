package diag

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/journal"
)

// TestExplainReadsItsOwnJournalEntries: where eksboot's stdout was the
// journal (the packaged unit), its report is only its own entries, each
// field an EKSBOOT_ one; journalctl -t eksboot -o json of them reads back
// as the report that wrote them.
func TestExplainReadsItsOwnJournalEntries(t *testing.T) {
	want := sampleReport()
	var out strings.Builder
	at := 1764000000000000
	j := &Journal{send: func(msg string, p journal.Priority, vars map[string]string) error {
		entry := map[string]string{"MESSAGE": msg, "PRIORITY": fmt.Sprint(int(p)), "_PID": "812", "__REALTIME_TIMESTAMP": fmt.Sprint(at)}
		for k, v := range vars {
			entry[k] = v
		}
		at += 1000
		b, _ := json.Marshal(entry)
		out.Write(append(b, '\n'))
		return nil
	}}
	if err := j.Write(want); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(strings.NewReader(out.String()))
	if err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if got.Run != want.Run || len(got.Results) != len(want.Results) || got.Summary.Verdict.Passed != want.Summary.Verdict.Passed ||
		strings.Join(got.Summary.Verdict.Failed, ",") != strings.Join(want.Summary.Verdict.Failed, ",") || got.Summary.Node.InstanceID != want.Summary.Node.InstanceID {
		t.Fatalf("read back %+v\nwant %+v", got.Summary, want.Summary)
	}
	for i, r := range got.Results {
		if w := want.Results[i]; r.Code != w.Code || r.Status != w.Status || r.Endpoint != w.Endpoint || r.Msg != w.Msg || r.Hint != w.Hint {
			t.Errorf("result %d: %+v, want %+v", i, r, w)
		}
	}
}
