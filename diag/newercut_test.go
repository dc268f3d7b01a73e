package diag

import (
	"strings"
	"testing"
)

// A run cut before its summary tells on the complete run before it only
// when it is not older: a node's next boot, not its last one's leftovers.
func TestNewerCut(t *testing.T) {
	complete := `{"time":"2026-11-23T09:00:00Z","level":"INFO","msg":"ok","v":1,"run":"r2","check":"tcp","endpoint":"sts","status":"pass","code":"ok","ms":1}
{"time":"2026-11-23T09:00:01Z","level":"INFO","msg":"summary","v":1,"run":"r2","status":"pass","passed":true,"pass":1,"warn":0,"fail":0,"skip":0,"instance_id":"i-1","ms":1000}
`
	cut := func(at string) string {
		return `{"time":"` + at + `","level":"ERROR","msg":"sts: TCP 443 timed out","v":1,"run":"r3","check":"tcp","endpoint":"sts","status":"fail","code":"tcp_timeout","ms":1000}` + "\n"
	}
	for _, c := range []struct {
		input   string
		failing bool
	}{
		{complete + cut("2026-11-23T10:00:00Z"), true},  // the next boot
		{cut("2026-11-22T10:00:00Z") + complete, false}, // the boot before
	} {
		f := NewFleet()
		if err := f.Read(strings.NewReader(c.input), "journal"); err != nil {
			t.Fatal(err)
		}
		note, failing := f.NewerCut()
		if failing != c.failing || (note != "") != c.failing || c.failing && !strings.Contains(note, "run r3") {
			t.Errorf("note %q, failing %v; want failing %v", note, failing, c.failing)
		}
	}
}
