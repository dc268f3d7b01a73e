package probes

import (
	"fmt"
	"slices"
)

// FailOn chooses which results make the verdict fail.
type FailOn string

// FailOn values.
const (
	FailOnRequired FailOn = "required" // any fail (a required endpoint's, or an inherent one)
	FailOnAny      FailOn = "any"      // any fail or warn
	FailOnNever    FailOn = "never"
)

// ParseFailOn reads --fail-on.
func ParseFailOn(s string) (FailOn, error) {
	switch f := FailOn(s); f {
	case "":
		return FailOnRequired, nil
	case FailOnRequired, FailOnAny, FailOnNever:
		return f, nil
	}
	return "", fmt.Errorf("%q is not required, any or never", s)
}

// Verdict is the run's conclusion.
type Verdict struct {
	Status Status   `json:"status"` // worst status seen
	Passed bool     `json:"passed"` // whether the verdict allows the node to go on
	Counts Counts   `json:"counts"`
	Failed []string `json:"failed,omitempty"` // endpoints with a fail
	Codes  []Code   `json:"codes,omitempty"`  // codes of fails and warns
}

// Counts tallies results by status.
type Counts struct {
	Pass int `json:"pass"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
}

// Decide is the one place results become a verdict.
func Decide(results []Result, failOn FailOn) Verdict {
	v := Verdict{Status: Pass}
	for _, r := range results {
		switch r.Status {
		case Pass:
			v.Counts.Pass++
		case Warn:
			v.Counts.Warn++
		case Fail:
			v.Counts.Fail++
			name := r.Endpoint
			if name == "" {
				name = r.Check
			}
			if !slices.Contains(v.Failed, name) {
				v.Failed = append(v.Failed, name)
			}
		case Skip:
			v.Counts.Skip++
		}
		if (r.Status == Fail || r.Status == Warn) && !slices.Contains(v.Codes, r.Code) {
			v.Codes = append(v.Codes, r.Code)
		}
		if r.Status.Rank() > v.Status.Rank() {
			v.Status = r.Status
		}
	}
	switch failOn {
	case FailOnNever:
		v.Passed = true
	case FailOnAny:
		v.Passed = v.Counts.Fail == 0 && v.Counts.Warn == 0
	default:
		v.Passed = v.Counts.Fail == 0
	}
	return v
}
