package run

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/testpki"
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

// TestPlanViaFromDropIns: the plan's paths come from the node's own
// systemd drop-ins, read through the inputs, including the trap of a VPC
// CIDR in NO_PROXY, which does not cover the API server's host name.
func TestPlanViaFromDropIns(t *testing.T) {
	root := t.TempDir()
	for p, content := range map[string]string{
		"etc/systemd/system/kubelet.service.d/http-proxy.conf":    "[Service]\nEnvironment=\"HTTPS_PROXY=http://proxy.internal:3128\" \"NO_PROXY=10.0.0.0/16,169.254.169.254\"\n",
		"etc/systemd/system/containerd.service.d/http-proxy.conf": "[Service]\nEnvironmentFile=/etc/environment\n",
		"etc/environment": "HTTPS_PROXY=http://proxy.internal:3128\nNO_PROXY=10.0.0.0/16,169.254.169.254,s3.eu-west-1.amazonaws.com\n",
	} {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	real := inputs.ThisHost()
	in := func(p string) string { return filepath.Join(root, p) }
	h := inputs.Host{GOOS: "linux",
		LookPath: func(string) (string, error) { return "", os.ErrNotExist },
		Exists:   func(p string) bool { return real.Exists(in(p)) },
		ReadFile: func(p string) ([]byte, error) { return real.ReadFile(in(p)) },
		ReadDir:  func(p string) ([]string, error) { return real.ReadDir(in(p)) },
	}
	v := inputs.Values{
		inputs.FlagClusterName: {"prod"},
		inputs.FlagEndpoint:    {"https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com"},
		inputs.FlagCA:          {base64.StdEncoding.EncodeToString(testpki.ClusterCAPEM)},
		inputs.FlagServiceCIDR: {"10.100.0.0/16"},
		inputs.FlagRegion:      {"eu-west-1"},
	}
	cfg, err := inputs.Resolve(v, h, inputs.KnownFacts(nil), time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReadNodeProxies(v, h)
	want := map[string]string{"api": "http://proxy.internal:3128", "ecr.api": "http://proxy.internal:3128", "ecr.dkr": "http://proxy.internal:3128", "s3": "direct", "ec2": "direct", "sts": "direct"}
	for _, e := range BuildPlan(cfg, inputs.Settings{}, nil).Endpoints {
		got := "direct"
		if e.Via != nil {
			got = e.Via.String()
		}
		if w, ok := want[e.Name]; ok && got != w {
			t.Errorf("%s: via %s, want %s", e.Name, got, w)
		}
	}
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].Code != report.ProxyInconsistent || !strings.Contains(cfg.Warnings[0].Message, "/etc/environment") {
		t.Errorf("kubelet and containerd differ: %+v", cfg.Warnings)
	}
}

// TestPlanNamesPlutoOnBottlerocket: on Bottlerocket the EC2 calls are
// pluto's (there is no nodeadm there), with pluto's NO_PROXY rule, so the
// console names pluto when it says whose requests go to the proxy, and a
// host's own decision (Plan.ProxyFor) is pluto's too. Elsewhere nodeadm's.
func TestPlanNamesPlutoOnBottlerocket(t *testing.T) {
	const proxy = "http://proxy.internal:3128"
	for target, want := range map[inputs.Target]string{inputs.TargetBottlerocket: "pluto", inputs.TargetAL2023: "nodeadm"} {
		// "west-1.amazonaws.com" sends ec2 direct by pluto's plain suffix rule, not by Go's.
		env := httpproxy.Config{HTTPSProxy: proxy, NoProxy: "west-1.amazonaws.com"}
		cfg := &inputs.Config{Region: "eu-west-1", Target: target, EndpointHost: "ABCDEF.gr7.eu-west-1.eks.amazonaws.com", Proxies: inputs.Proxies{ByAgent: map[inputs.Agent]inputs.AgentProxy{}}}
		for _, a := range inputs.Agents {
			cfg.Proxies.ByAgent[a] = inputs.AgentProxy{Env: env}
		}
		plan := BuildPlan(cfg, inputs.Settings{}, nil)
		i := slices.IndexFunc(plan.Endpoints, func(e probes.Endpoint) bool { return e.Name == "ec2" })
		if i < 0 {
			t.Fatal("ec2 is not in the plan")
		}
		e := plan.Endpoints[i]
		wantVia := e.Agent == "nodeadm" // Go's rule: the entry is no whole label of the host
		if e.Agent != want || (e.Via != nil) != wantVia || (plan.ProxyFor(e.Agent, e.Host) != nil) != wantVia {
			t.Errorf("%s: ec2 agent %q, via %v, ProxyFor %v; want %s's path", target, e.Agent, e.Via, plan.ProxyFor(e.Agent, e.Host), want)
		}
	}
}
