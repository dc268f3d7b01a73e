// Package diag renders a run's report wherever someone looks: JSON lines
// (SPEC §6, one schema: wire.go) on stdout and on the serial
// console within its budget, structured entries in the journal, a table on
// a terminal; and reads console text back for explain.
package diag

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/eksboot/eksboot/report"
)

// Report is one run as every output renders it.
type Report struct {
	// Run tells this run's lines from another's on a shared console (the
	// unit's probe and user data's run can write at once).
	Run     string
	Results []report.Result
	Summary Summary
	// Times are when each result was written, for a report read back
	// (explain); a zero or missing one is stamped anew.
	Times []time.Time
}

// NewRunID is a short random id for a run.
func NewRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Summary is the last line of a run.
type Summary struct {
	Verdict  report.Verdict
	ArgsFile string
	// Target is the platform judged for: what --target said or auto found,
	// or "linux" when a probe went on without knowing.
	Target string
	Server string
	User   *report.UserInfo // who the API server says the node is
	Took   time.Duration
	// Interrupted: SIGTERM or SIGINT ended the run before its verdict.
	Interrupted bool
	// Node is where the run ran, for the fleet report.
	Node Node
	// At is when the summary was written, for a report read back: the
	// newest run of a node is the one shown. Zero for a run being made.
	At time.Time
}

// Node is where a run ran, as IMDS tells it; nothing secret.
type Node struct {
	InstanceID, InstanceType, AMIID string
	AZ, AZID                        string
	VPCID, SubnetID, SubnetCIDR     string
	SecurityGroups                  []string
	Version                         string // eksboot's
}

// Lines are the report on the wire: every result's line, then the
// summary's, stamped with now (time.Now if nil).
func Lines(rep Report, now func() time.Time) [][]byte {
	t := stamp(now)
	at := func(own time.Time) time.Time {
		if own.IsZero() {
			return t
		}
		return own
	}
	lines := make([][]byte, 0, len(rep.Results)+1)
	for i, r := range rep.Results {
		var own time.Time
		if i < len(rep.Times) {
			own = rep.Times[i]
		}
		lines = append(lines, resultLine(r, rep.Run, at(own)).encode())
	}
	return append(lines, summaryLine(rep.Summary, rep.Run, at(rep.Summary.At)).encode())
}

func stamp(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}
