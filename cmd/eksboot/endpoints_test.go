package main

import (
	"bytes"
	"encoding/json"
	"net/url"
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

// Each endpoint's agent and path show, the proxy by its address alone.
func TestEndpointsShowEachPath(t *testing.T) {
	plan := run.BuildPlan(&inputs.Config{Region: "eu-west-1", EndpointHost: "abc.gr7.eu-west-1.eks.amazonaws.com"}, inputs.Settings{}, nil)
	proxy, _ := url.Parse("http://ops:hunter2@10.0.0.5:3128")
	for i, e := range plan.Endpoints {
		if e.Name == "ecr.dkr" || e.Name == "s3" {
			plan.Endpoints[i].Via = proxy
		}
	}
	var text, lines bytes.Buffer
	if err := diag.WriteEndpoints(&text, listing(plan), false); err != nil {
		t.Fatal(err)
	}
	if err := diag.WriteEndpoints(&lines, listing(plan), true); err != nil {
		t.Fatal(err)
	}
	if out := text.String() + lines.String(); strings.Contains(out, "hunter2") || strings.Contains(out, "ops") {
		t.Fatalf("the proxy URL's credentials show:\n%s", out)
	}
	paths := map[string]string{}
	for _, line := range strings.Split(text.String(), "\n") {
		if f := strings.Fields(line); len(f) > 7 && strings.Contains(f[1], ".") {
			paths[f[0]] = f[5] + " " + f[6]
			if f[6] == "proxy" {
				paths[f[0]] += " " + f[7]
			}
		}
	}
	for name, want := range map[string]string{"api": "kubelet direct", "ecr.dkr": "containerd proxy 10.0.0.5:3128", "ec2": "nodeadm direct", "s3": "containerd proxy 10.0.0.5:3128"} {
		if paths[name] != want {
			t.Errorf("%s: %q, want %q:\n%s", name, paths[name], want, text.String())
		}
	}
	for dec := json.NewDecoder(&lines); dec.More(); {
		var ep diag.ListedEndpoint
		if err := dec.Decode(&ep); err != nil {
			t.Fatal(err)
		}
		want := "direct"
		if ep.Name == "ecr.dkr" || ep.Name == "s3" {
			want = "proxy 10.0.0.5:3128"
		}
		if ep.Path != want || ep.Agent == "" {
			t.Errorf("%+v: want path %q and an agent", ep, want)
		}
	}
}

// Without --apiserver-endpoint there is no host to decide the API server's
// path for: it shows none, not the proxy an empty host would get.
func TestEndpointsAPIPathUnknownWithoutEndpoint(t *testing.T) {
	r := eksboot(t, map[string]string{}, "endpoints", "--region", "eu-west-1", "--https-proxy", "http://proxy.corp:3128",
		"--no-proxy", ".eks.amazonaws.com", "--imds-endpoint", "http://127.0.0.1:1", "--output", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var api, ec2 diag.ListedEndpoint
	for dec := json.NewDecoder(strings.NewReader(r.stdout)); dec.More(); {
		var ep diag.ListedEndpoint
		if err := dec.Decode(&ep); err != nil {
			t.Fatal(err)
		}
		switch ep.Name {
		case "api":
			api = ep
		case "ec2":
			ec2 = ep
		}
	}
	if api.Path != "" || ec2.Path != "proxy proxy.corp:3128" {
		t.Errorf("api path %q, ec2 path %q", api.Path, ec2.Path)
	}
}
