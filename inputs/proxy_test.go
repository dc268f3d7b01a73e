package inputs

import (
	"errors"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/report"
)

const apiHost = "0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"

// via is where agent a sends https://host, "direct" or the proxy's URL.
func via(t *testing.T, p Proxies, a Agent, host string) string {
	t.Helper()
	u, err := p.For(a, host)
	if err != nil {
		t.Fatalf("For(%s, %s): %v", a, host, err)
	}
	if u == nil {
		return "direct"
	}
	return u.String()
}

func TestProxyFlags(t *testing.T) {
	v := validValues(t)
	v[FlagHTTPSProxy] = []string{"http://proxy.internal:3128"}
	v[FlagNoProxy] = []string{".eks.amazonaws.com, 10.0.0.0/16", "169.254.169.254"}
	v[ownEnvKey("HTTPS_PROXY")] = []string{"http://ignored:1"} // flags outrank eksboot's environment
	c := proxyOf(t, v, noHost)
	if _, ok := c.Proxies.ByAgent[AgentPluto]; ok {
		t.Errorf("pluto, off Bottlerocket: %+v", c.Proxies.ByAgent)
	}
	for _, a := range c.Platform().Agents() {
		ap, ok := c.Proxies.ByAgent[a]
		if !ok || ap.From != "--https-proxy" || ap.Env.HTTPSProxy != "http://proxy.internal:3128" || ap.Env.NoProxy != ".eks.amazonaws.com,10.0.0.0/16,169.254.169.254" {
			t.Errorf("%s: %+v", a, ap)
		}
	}
	if got := via(t, c.Proxies, AgentKubelet, apiHost); got != "direct" {
		t.Errorf("the API server: %s, want direct (.eks.amazonaws.com)", got)
	}
	if got := via(t, c.Proxies, AgentContainerd, "602401143452.dkr.ecr.eu-west-1.amazonaws.com"); got != "http://proxy.internal:3128" {
		t.Errorf("ECR: %s", got)
	}
	if len(c.Warnings) != 0 || len(c.ProxyUnusable) != 0 {
		t.Errorf("warnings %v, unusable %v", c.Warnings, c.ProxyUnusable)
	}
}

func TestProxyFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		proxy, noProxy []string
		flag, want     string
	}{
		{[]string{"ftp://proxy:21"}, nil, FlagHTTPSProxy, `has the scheme "ftp"`},
		{[]string{"http://"}, nil, FlagHTTPSProxy, "has no host"},
		{[]string{"http://proxy:99999"}, nil, FlagHTTPSProxy, "port 99999, outside 1-65535"},
		{[]string{"http://proxy:0"}, nil, FlagHTTPSProxy, "outside 1-65535"},
		{[]string{"http://[::1"}, nil, FlagHTTPSProxy, "is not a URL"},
		{[]string{"http://user:s3cret@proxy:99999"}, nil, FlagHTTPSProxy, `"http://proxy:99999"`},
		{nil, []string{".eks.amazonaws.com"}, FlagNoProxy, "without --https-proxy"},
		{[]string{" "}, []string{".eks.amazonaws.com"}, FlagHTTPSProxy, "is empty"},
		{[]string{"http://proxy:3128"}, []string{"a b"}, FlagNoProxy, "white space"},
	} {
		v := validValues(t)
		if tc.proxy != nil {
			v[FlagHTTPSProxy] = tc.proxy
		}
		if tc.noProxy != nil {
			v[FlagNoProxy] = tc.noProxy
		}
		_, err := Resolve(v, noHost, noIMDS(), testNow, false)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Flag != tc.flag || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %v: %v, want --%s ... %s", tc.proxy, tc.noProxy, err, tc.flag, tc.want)
		}
	}
	for _, ok := range []string{"proxy.internal:3128", "https://proxy:443", "socks5://10.0.0.9:1080", "socks5h://proxy", "http://user:pw@proxy:3128"} {
		v := validValues(t)
		v[FlagHTTPSProxy] = []string{ok}
		if _, err := Resolve(v, noHost, noIMDS(), testNow, false); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestProxyFromOwnEnvironment(t *testing.T) {
	env := map[string]string{"https_proxy": "http://proxy:3128", "no_proxy": "localhost", "EKSBOOT_CLUSTER_NAME": "x"}
	got := ownProxyEnv(func(k string) string { return env[k] })
	if len(got) != 2 || got.Get(ownEnvKey("https_proxy")) != "http://proxy:3128" || got.Get(ownEnvKey("no_proxy")) != "localhost" {
		t.Fatalf("%v", got)
	}
	v := Merge(validValues(t), got)
	c := proxyOf(t, v, noHost)
	if r, err := Resolve(v, noHost, noIMDS(), testNow, false); err != nil || r.Proxies.ByAgent != nil {
		t.Errorf("Resolve reads no node: %+v, %v", r.Proxies, err) // render may run anywhere
	}
	if len(c.Proxies.ByAgent) != len(c.Platform().Agents()) {
		t.Errorf("agents: %+v", c.Proxies.ByAgent)
	}
	for _, a := range c.Platform().Agents() {
		if ap := c.Proxies.ByAgent[a]; ap.From != "eksboot's environment" || ap.Env.HTTPSProxy != "http://proxy:3128" || ap.Env.NoProxy != "localhost" {
			t.Errorf("%s: %+v", a, ap)
		}
	}
	if c = proxyOf(t, validValues(t), noHost); c.Proxies.ByAgent != nil {
		t.Errorf("no proxy anywhere: %+v", c.Proxies)
	}
}

// TestProxyDecisions are httpproxy's decisions for the traps SPEC §4 and
// issue 21 name, through Proxies.For.
func TestProxyDecisions(t *testing.T) {
	const proxy = "http://proxy.internal:3128"
	for _, tc := range []struct {
		name string
		env  environ
		host string
		want string
	}{
		{"a VPC CIDR does not cover the API server's name", environ{"HTTPS_PROXY": {proxy, "f"}, "NO_PROXY": {"10.0.0.0/16,169.254.169.254", "f"}}, apiHost, proxy},
		{".eks.amazonaws.com covers it", environ{"HTTPS_PROXY": {proxy, "f"}, "NO_PROXY": {"10.0.0.0/16,.eks.amazonaws.com", "f"}}, apiHost, "direct"},
		{"eks.amazonaws.com covers it too", environ{"HTTPS_PROXY": {proxy, "f"}, "NO_PROXY": {"eks.amazonaws.com", "f"}}, apiHost, "direct"},
		{"the host name itself", environ{"HTTPS_PROXY": {proxy, "f"}, "NO_PROXY": {strings.ToLower(apiHost), "f"}}, apiHost, "direct"},
		{"a CIDR covers an address", environ{"HTTPS_PROXY": {proxy, "f"}, "NO_PROXY": {"10.0.0.0/16", "f"}}, "10.0.3.7", "direct"},
		{"* bypasses everything", environ{"HTTPS_PROXY": {proxy, "f"}, "NO_PROXY": {"*", "f"}}, "api.ecr.eu-west-1.amazonaws.com", "direct"},
		{"upper case wins", environ{"HTTPS_PROXY": {proxy, "f"}, "https_proxy": {"http://other:8080", "f"}}, "sts.eu-west-1.amazonaws.com", proxy},
		{"lower case alone is read", environ{"https_proxy": {proxy, "f"}}, "sts.eu-west-1.amazonaws.com", proxy},
		{"an empty upper case does not hide the lower case", environ{"HTTPS_PROXY": {"", "f"}, "https_proxy": {proxy, "f"}}, "sts.eu-west-1.amazonaws.com", proxy},
		{"upper-case NO_PROXY wins over no_proxy", environ{"HTTPS_PROXY": {proxy, "f"}, "NO_PROXY": {"localhost", "f"}, "no_proxy": {".amazonaws.com", "f"}}, "sts.eu-west-1.amazonaws.com", proxy},
		{"HTTP_PROXY alone: HTTPS goes direct", environ{"HTTP_PROXY": {proxy, "f"}}, apiHost, "direct"},
		{"a bare HOST:PORT is http", environ{"HTTPS_PROXY": {"proxy.internal:3128", "f"}}, apiHost, proxy},
		{"IMDS-style link-local is not special", environ{"HTTPS_PROXY": {proxy, "f"}}, "169.254.169.254", proxy},
	} {
		p := Proxies{ByAgent: map[Agent]AgentProxy{AgentKubelet: {Env: tc.env.config()}}}
		if got := via(t, p, AgentKubelet, tc.host); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if got := via(t, p, AgentContainerd, tc.host); got != "direct" {
			t.Errorf("%s: an agent without settings goes %s", tc.name, got)
		}
	}
}

func TestProxyWarnings(t *testing.T) {
	kubeletDropIn := "/etc/systemd/system/kubelet.service.d/http-proxy.conf"
	for _, tc := range []struct {
		name string
		envs map[Agent]environ
		want []string
	}{
		{"consistent", map[Agent]environ{
			AgentKubelet:    {"HTTPS_PROXY": {"http://p:3128", "a"}, "https_proxy": {"http://p:3128", "b"}, "NO_PROXY": {"x", "a"}},
			AgentContainerd: {"HTTPS_PROXY": {"http://p:3128", "c"}, "NO_PROXY": {"x", "c"}},
		}, nil},
		{"HTTP only", map[Agent]environ{
			AgentKubelet:    {"HTTP_PROXY": {"http://p:3128", kubeletDropIn}},
			AgentContainerd: {"HTTP_PROXY": {"http://p:3128", kubeletDropIn}},
			AgentDefault:    {"http_proxy": {"http://p:3128", "/etc/systemd/system.conf"}},
		}, []string{
			`kubelet, containerd see HTTP_PROXY="http://p:3128" (` + kubeletDropIn + `) but no HTTPS_PROXY: HTTPS requests, to AWS and the API server alike, go direct`,
			`the node's other services see http_proxy="http://p:3128" (/etc/systemd/system.conf) but no HTTPS_PROXY`,
		}},
		{"cases differ", map[Agent]environ{
			AgentKubelet:    {"HTTPS_PROXY": {"http://p:3128", kubeletDropIn}, "https_proxy": {"http://u:pw@q:3128", "/etc/environment"}, "NO_PROXY": {"a", "x"}, "no_proxy": {"b", "y"}},
			AgentContainerd: {"HTTPS_PROXY": {"http://p:3128", "c"}, "NO_PROXY": {"a", "x"}},
		}, []string{
			`kubelet sees HTTPS_PROXY="http://p:3128" (` + kubeletDropIn + `) and https_proxy="http://q:3128" (/etc/environment), which differ`,
			`kubelet sees NO_PROXY="a" (x) and no_proxy="b" (y)`,
		}},
		{"kubelet and containerd differ", map[Agent]environ{
			AgentKubelet: {"HTTPS_PROXY": {"http://p:3128", kubeletDropIn}, "NO_PROXY": {".eks.amazonaws.com", kubeletDropIn}},
		}, []string{`kubelet and containerd see different proxy settings: kubelet HTTPS_PROXY "http://p:3128" NO_PROXY ".eks.amazonaws.com" (` + kubeletDropIn + `), containerd direct (no HTTPS proxy set)`}},
		{"NO_PROXY alone changes no path", map[Agent]environ{
			AgentKubelet: {"NO_PROXY": {".eks.amazonaws.com", kubeletDropIn}},
		}, nil},
	} {
		got := proxyWarnings(tc.envs)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %q", tc.name, got)
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) || strings.Contains(got[i], "pw") {
				t.Errorf("%s: %q\nwant %q", tc.name, got[i], w)
			}
		}
	}
}

func TestProxyUnusableIsAFinding(t *testing.T) {
	c := &Config{}
	envs := map[Agent]environ{AgentKubelet: {"HTTPS_PROXY": {"ftp://user:pw@proxy:21", "/etc/systemd/system/kubelet.service.d/p.conf"}}}
	c.takeProxyEnvs(envs)
	if len(c.ProxyUnusable) != 1 || !strings.Contains(c.ProxyUnusable[0], `kubelet's HTTPS proxy "ftp://proxy:21" (/etc/systemd/system/kubelet.service.d/p.conf) has the scheme "ftp"`) {
		t.Errorf("%q", c.ProxyUnusable)
	}
	if len(c.Warnings) != 1 || c.Warnings[0].Code != report.ProxyInconsistent {
		t.Errorf("kubelet and containerd differ: %v", c.Warnings)
	}
	if c.Proxies.ByAgent != nil { // no path goes to a proxy Go cannot dial
		t.Errorf("%+v", c.Proxies)
	}
}

func TestProxiesDescribe(t *testing.T) {
	p := Proxies{ByAgent: map[Agent]AgentProxy{
		AgentKubelet:    {Env: environ{"HTTPS_PROXY": {"http://u:pw@proxy:3128", ""}, "NO_PROXY": {".eks.amazonaws.com", ""}}.config(), From: "/etc/systemd/system/kubelet.service.d/p.conf"},
		AgentContainerd: {Env: environ{"HTTP_PROXY": {"http://proxy:3128", ""}}.config(), From: "x"},
	}}
	for a, want := range map[Agent]string{
		AgentKubelet:    `HTTPS_PROXY "http://proxy:3128" NO_PROXY ".eks.amazonaws.com" (/etc/systemd/system/kubelet.service.d/p.conf)`,
		AgentContainerd: "direct (no HTTPS proxy set)",
		AgentNodeadm:    "direct (no HTTPS proxy set)",
	} {
		if got := p.Describe(a); got != want {
			t.Errorf("%s: %s, want %s", a, got, want)
		}
	}
}

// --https-proxy for Bottlerocket is what its proxy.env makes of it:
// kubelet, containerd and the rest also bypass localhost, the API server's
// host and the cluster domain; pluto takes --no-proxy alone; render
// writes what was given.
func TestProxyFlagsOnBottlerocket(t *testing.T) {
	v := validValues(t)
	v[FlagTarget] = []string{"bottlerocket"}
	v[FlagHTTPSProxy] = []string{"http://proxy.internal:3128"}
	v[FlagNoProxy] = []string{"10.0.0.0/16"}
	c := proxyOf(t, v, noHost)
	host := c.EndpointHost
	if got := via(t, c.Proxies, AgentKubelet, host); got != "direct" {
		t.Errorf("kubelet to the API server: %s", got)
	}
	if got := via(t, c.Proxies, AgentPluto, host); got != "http://proxy.internal:3128" {
		t.Errorf("pluto to the API server: %s", got)
	}
	if given, ok := c.Proxies.Stated(); !ok || given.NoProxy != "10.0.0.0/16" {
		t.Errorf("stated %+v %v", given, ok)
	}
}
