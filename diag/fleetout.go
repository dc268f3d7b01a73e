package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteFleet writes the fleet report for a person: a headline, then one
// block per failure: where it hit and spared, the shared cause or its
// absence, and the first nodes it hit.
func WriteFleet(w io.Writer, rep FleetReport, style Style) error {
	rep = printableCopy(rep)
	var b strings.Builder
	var versions []string
	for v, n := range rep.Versions {
		versions = append(versions, fmt.Sprintf("%s on %d", v, n))
	}
	slices.Sort(versions)
	fmt.Fprintf(&b, "fleet: %d nodes: %d pass, %d warn, %d fail; eksboot %s\n", rep.Nodes, rep.Pass, rep.Warn, rep.Fail, strings.Join(versions, ", "))
	for _, f := range rep.Failures {
		through := ""
		if f.Via != "" {
			through = " through the " + f.Via
		}
		fmt.Fprintf(&b, "\n%s %s %s%s on %d of %d nodes\n", style.status(f.Status), printable(f.Endpoint), printable(string(f.Code)), through, f.Hit, rep.Nodes)
		fmt.Fprintf(&b, "    subnets:         %s\n", spreadText(f.Subnets))
		fmt.Fprintf(&b, "    AZs:             %s\n", spreadText(f.AZs))
		fmt.Fprintf(&b, "    security groups: %s\n", spreadText(f.SecurityGroups))
		fmt.Fprintf(&b, "    cause: %s\n", printable(f.Cause))
		more := ""
		if f.Hit > len(f.Nodes) {
			more = fmt.Sprintf(" and %d more", f.Hit-len(f.Nodes))
		}
		fmt.Fprintf(&b, "    nodes: %s%s\n", printable(strings.Join(f.Nodes, ", ")), more)
	}
	for _, t := range rep.Truncated {
		fmt.Fprintf(&b, "\ntruncated: %s", printable(t))
	}
	for _, n := range rep.NotRun {
		fmt.Fprintf(&b, "\nnot run: %s", printable(n))
	}
	for _, u := range rep.Unreadable {
		fmt.Fprintf(&b, "\nunreadable: %s", printable(u))
	}
	for _, u := range rep.Skipped {
		fmt.Fprintf(&b, "\nskipped: %s", u)
	}
	if len(rep.Truncated)+len(rep.NotRun)+len(rep.Unreadable)+len(rep.Skipped) > 0 {
		b.WriteString("\n")
	}
	word := "PASS"
	if !rep.Passed() {
		word = "FAIL"
	}
	notRun := ""
	if len(rep.NotRun) > 0 {
		notRun = fmt.Sprintf(", %d stopped before eksboot's report", len(rep.NotRun))
	}
	skipped := ""
	if rep.SkippedN > 0 {
		skipped = fmt.Sprintf(", %d skipped", rep.SkippedN)
	}
	fmt.Fprintf(&b, "\nfleet verdict: %s (%d of %d nodes fail%s; %d inputs truncated, %d unreadable%s)\n", word, rep.Fail, rep.Nodes, notRun, len(rep.Truncated), len(rep.Unreadable), skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

// spreadText is "subnet-0b2 (10.0.2.0/24, eu-west-1b) 12 hit 0 spared; ...".
func spreadText(spread []Spread) string {
	if len(spread) == 0 {
		return "-"
	}
	parts := make([]string, len(spread))
	for i, s := range spread {
		label := ""
		if s.Label != "" {
			label = " (" + s.Label + ")"
		}
		parts[i] = fmt.Sprintf("%s%s %d hit %d spared", s.Value, label, s.Hit, s.Spared)
	}
	return printable(strings.Join(parts, "; "))
}

// WriteFleetJSON writes the fleet report as one JSON object.
func WriteFleetJSON(w io.Writer, rep FleetReport) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return err
	}
	_, err := w.Write(jsonSafe(b.Bytes()))
	return err
}
