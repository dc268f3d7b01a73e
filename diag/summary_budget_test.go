package diag

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestSummaryStaysInTheConsoleBudget: 6,000 groups from the API server
// and 4,000 security groups from IMDS give a summary that still fits the
// console, with a count of what it left out.
func TestSummaryStaysInTheConsoleBudget(t *testing.T) {
	rep := sampleReport()
	for i := range 6000 {
		rep.Summary.User.Groups = append(rep.Summary.User.Groups, fmt.Sprintf("team-%04d-%s", i, strings.Repeat("x", 200)))
	}
	for i := range 4000 {
		rep.Summary.Node.SecurityGroups = append(rep.Summary.Node.SecurityGroups, fmt.Sprintf("sg-%017x", i))
	}
	var console recorder
	if err := WriteConsole(&console, rep, ConsoleBudget, fixedNow); err != nil {
		t.Fatal(err)
	}
	summary := console.writes[len(console.writes)-1]
	if len(summary) > ConsoleBudget/4 || !bytes.Contains(summary, []byte(`"groups_left_out":5986`)) || !bytes.Contains(summary, []byte(`"security_groups_left_out":3985`)) {
		t.Fatalf("%d bytes: %s", len(summary), summary)
	}
	total := 0
	for _, w := range console.writes {
		total += len(w)
	}
	if total > ConsoleBudget {
		t.Fatalf("console: %d bytes", total)
	}
}
