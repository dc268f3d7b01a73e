package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// hostile is what a crafted console file or DNS answer can carry: an OSC
// that retitles the terminal, a CSI (U+009B) and a bidi override.
const hostile = "\x1b]0;owned\x07\u009b2J\u202e"

func hasHostile(s string) bool { return strings.ContainsAny(s, "\x1b\x07\u009b\u202e") }

// TestEveryWriterSanitizes: every text writer, the fleet's headline
// included, and every JSON writer keep terminal controls off the screen.
func TestEveryWriterSanitizes(t *testing.T) {
	rep := sampleReport()
	rep.Summary.Node.Version = "0.1.0" + hostile
	rep.Results[4].Endpoint = "ec2" + hostile
	rep.Results[4].Msg = "ec2" + hostile
	rep.Results[4].Hint = hostile
	var b bytes.Buffer
	WriteTable(&b, rep, Style{})
	if hasHostile(b.String()) {
		t.Errorf("table: %q", b.String())
	}
	b.Reset()
	WriteJSON(&b, rep, fixedNow)
	if hasHostile(b.String()) {
		t.Errorf("json: %q", b.String())
	}
	var back Line
	if err := json.Unmarshal(bytes.SplitN(b.Bytes(), []byte("\n"), 6)[4], &back); err != nil || back.Hint != hostile {
		t.Errorf("the JSON escapes lost the data: %q %v", back.Hint, err)
	}
	other := rep
	other.Summary.Node.InstanceID = "i-other"
	f := NewFleet()
	for _, r := range []Report{rep, other} {
		var in bytes.Buffer
		WriteJSON(&in, r, func() time.Time { return fixedNow() })
		f.Read(&in, "in"+hostile)
	}
	f.Read(strings.NewReader("noise"), "path"+hostile)
	b.Reset()
	WriteFleet(&b, f.Report(), Style{})
	if hasHostile(b.String()) || !strings.Contains(b.String(), "eksboot 0.1.0]0;owned2J on 2") {
		t.Errorf("fleet: %q", b.String())
	}
	b.Reset()
	WriteFleetJSON(&b, f.Report())
	if hasHostile(b.String()) {
		t.Errorf("fleet json: %q", b.String())
	}
}
