package run

import (
	"strings"

	"github.com/eksboot/eksboot/report"
	"testing"

	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/probes"
	"golang.org/x/net/http/httpproxy"
)

// TestPlanViaPerAgent: each endpoint's Via is its own agent's decision:
// kubelet bypasses the proxy for the API server, containerd and the rest
// go through it, nodeadm through its own, and IMDS is no endpoint at all.
func TestPlanViaPerAgent(t *testing.T) {
	const proxy, nodeadmProxy = "http://proxy.internal:3128", "http://other.internal:8080"
	cfg := &inputs.Config{Region: "eu-west-1", EndpointHost: "ABCDEF.gr7.eu-west-1.eks.amazonaws.com", Proxies: inputs.Proxies{ByAgent: map[inputs.Agent]inputs.AgentProxy{
		inputs.AgentKubelet:    {Env: httpproxy.Config{HTTPSProxy: proxy, NoProxy: ".eks.amazonaws.com"}},
		inputs.AgentContainerd: {Env: httpproxy.Config{HTTPSProxy: proxy, NoProxy: "s3.eu-west-1.amazonaws.com"}},
		inputs.AgentNodeadm:    {Env: httpproxy.Config{HTTPSProxy: nodeadmProxy}},
		inputs.AgentDefault:    {Env: httpproxy.Config{HTTPProxy: proxy}}, // HTTP only: HTTPS goes direct
	}}}
	plan := BuildPlan(cfg, inputs.Settings{Require: []string{"ssm"}}, nil)
	want := map[string]string{
		"api":     "direct",
		"ecr.api": proxy,
		"ecr.dkr": proxy,
		"s3":      "direct",
		"ec2":     nodeadmProxy,
		"sts":     "direct",
		"ssm":     "direct",
	}
	seen := map[string]bool{}
	for _, e := range plan.Endpoints {
		got := "direct"
		if e.Via != nil {
			got = e.Via.String()
		}
		if w, ok := want[e.Name]; ok && got != w {
			t.Errorf("%s (%s, agent %s): via %s, want %s", e.Name, e.Host, e.Agent, got, w)
		}
		seen[e.Name] = true
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("%s is not in the plan", name)
		}
	}
	for _, sp := range probes.Catalog {
		if sp.Agent == "" {
			t.Errorf("%s names no agent", sp.Name)
		}
	}
}

// TestProxyInputResults: proxy_inconsistent warns under the proxy check,
// and a proxy the node's agent cannot use fails it.
func TestProxyInputResults(t *testing.T) {
	cfg := &inputs.Config{
		Warnings:      []inputs.Warning{{Code: report.ProxyInconsistent, Message: "kubelet and containerd see different proxy settings"}, {Code: report.CAValidity, Message: "the CA expires"}},
		ProxyUnusable: []string{`kubelet's HTTPS proxy "ftp://p" (/etc/systemd/system/kubelet.service.d/p.conf) has the scheme "ftp"`},
	}
	rs := inputResults(Options{}, cfg, inputs.Settings{})
	if len(rs) != 3 {
		t.Fatalf("%+v", rs)
	}
	if r := rs[0]; r.Kind != report.KindProxy || r.Status != report.Warn || r.Code != report.ProxyInconsistent || r.Hint == "" {
		t.Errorf("%+v", r)
	}
	if r := rs[1]; r.Kind != report.KindConfig || r.Code != report.CAValidity {
		t.Errorf("%+v", r)
	}
	if r := rs[2]; r.Kind != report.KindProxy || r.Status != report.Fail || r.Code != report.ProxyInvalid || !strings.Contains(r.Msg, "kubelet.service.d/p.conf") {
		t.Errorf("%+v", r)
	}
	if v := report.Decide(rs, report.FailOnRequired); v.Passed {
		t.Errorf("an unusable proxy passes: %+v", v)
	}
}
