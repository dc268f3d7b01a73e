package probes

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/report"
)

// TestTheNodesClockIsTheRunners: a node whose clock runs seven minutes
// ahead fails the clock check, with the machine's clock untouched.
func TestTheNodesClockIsTheRunners(t *testing.T) {
	w := newWorld(t, true)
	ahead := func() time.Time { return time.Now().Add(7 * time.Minute) }
	rep := (&Runner{Now: ahead}).Run(context.Background(), w.plan)
	if r := find(t, rep, "", report.KindClock, report.ClockSkew); r.Status != report.Fail || !strings.Contains(r.Msg, "ahead of") {
		t.Fatalf("clock: %+v", r)
	}
}
