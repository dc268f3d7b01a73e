package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/diag"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/run"
)

func TestEndpointsListThePlan(t *testing.T) {
	cfg := &inputs.Config{Region: "eu-west-1", EndpointHost: "api.example"}
	plan := run.BuildPlan(cfg, inputs.Settings{Require: []string{"ssm"}, Optional: []string{"sts", "logs"}}, nil)
	var text bytes.Buffer
	if err := diag.WriteEndpoints(&text, listing(plan), false); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{
		"Not probed unless named in --require or --optional: elasticloadbalancing, autoscaling,",
		"\nclock         fail                        the node's clock",
		"\nservice-cidr  fail on Windows, else warn  ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	onFailure := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if fields := strings.Fields(line); len(fields) > 4 {
			onFailure[fields[0]+" "+fields[1]] = fields[4]
		}
		if strings.HasPrefix(line, "Not probed") && (strings.Contains(line, "ssm,") || strings.Contains(line, "logs")) {
			t.Errorf("a named endpoint is listed as not probed: %s", line)
		}
	}
	for row, want := range map[string]string{
		"ssm ssm.eu-west-1.amazonaws.com": "fail", "sts sts.eu-west-1.amazonaws.com": "warn",
		"logs logs.eu-west-1.amazonaws.com": "warn", "api api.example": "fail",
	} {
		if onFailure[row] != want {
			t.Errorf("%s: on failure %q, want %q", row, onFailure[row], want)
		}
	}
	var lines bytes.Buffer
	if err := diag.WriteEndpoints(&lines, listing(plan), true); err != nil {
		t.Fatal(err)
	}
	n := 0
	for dec := json.NewDecoder(&lines); dec.More(); n++ {
		var ep diag.ListedEndpoint
		if err := dec.Decode(&ep); err != nil || ep.Host == "" {
			t.Fatalf("line %d: %+v %v", n, ep, err)
		}
	}
	if n != len(plan.Endpoints) {
		t.Errorf("%d JSON lines for %d endpoints", n, len(plan.Endpoints))
	}
}
