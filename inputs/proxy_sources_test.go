package inputs

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/http/httpproxy"
)

// nodeRoot is a node whose / is a temporary directory holding files (path
// to content), read through ThisHost's own functions; it has nodeadm when
// al2023.
func nodeRoot(t *testing.T, al2023 bool, files map[string]string) Host {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	real := ThisHost()
	in := func(p string) string { return filepath.Join(root, p) }
	return Host{
		GOOS: "linux",
		LookPath: func(name string) (string, error) {
			if al2023 && name == "nodeadm" {
				return "/usr/bin/nodeadm", nil
			}
			return "", os.ErrNotExist
		},
		Exists:   func(p string) bool { return real.Exists(in(p)) },
		ReadFile: func(p string) ([]byte, error) { return real.ReadFile(in(p)) },
		ReadDir:  func(p string) ([]string, error) { return real.ReadDir(in(p)) },
	}
}

// proxyOf resolves v and reads the node's proxies on h, as a probe does.
func proxyOf(t *testing.T, v Values, h Host) *Config {
	t.Helper()
	c, err := Resolve(v, h, noIMDS(), testNow, false)
	if err != nil {
		t.Fatal(err)
	}
	c.ReadNodeProxies(v, h)
	return c
}

func TestSystemdWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{`"HTTPS_PROXY=http://p:3128" "NO_PROXY=a,b"`, []string{"HTTPS_PROXY=http://p:3128", "NO_PROXY=a,b"}, true},
		{`HTTPS_PROXY=http://p:3128 NO_PROXY=a`, []string{"HTTPS_PROXY=http://p:3128", "NO_PROXY=a"}, true},
		{`'KUBELET_ARGS=--a --b' X=1`, []string{"KUBELET_ARGS=--a --b", "X=1"}, true},
		{`A="x y"z`, []string{"A=x yz"}, true},
		{`A=a\sb B="\x41\u00e9\101" C='\n'`, []string{"A=a b", "B=Aé" + "A", "C=\n"}, true},
		{`A=1 "B=2`, []string{"A=1"}, false},
		{`A=1 B=\q C=3`, []string{"A=1"}, false},
		{"  \t", nil, true},
	} {
		got, ok := systemdWords(tc.in)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestEnvFileAssignments(t *testing.T) {
	got := envFileAssignments([]byte(strings.Join([]string{
		"# the proxy",
		"; also a comment 'with a quote",
		"HTTPS_PROXY=http://p:3128   ",
		"  https_proxy = 'http://q:3128'",
		`NO_PROXY="a,b\"c\$"`,
		`no_proxy=one\`,
		`two`,
		"not a variable",
		"1BAD=x",
		`SPACE=a b`,
	}, "\n")))
	want := []string{"HTTPS_PROXY=http://p:3128", "https_proxy=http://q:3128", `NO_PROXY=a,b"c$`, "no_proxy=onetwo", "SPACE=a b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q\nwant %q", got, want)
	}
}

// TestSystemdProxySources: the agents' environments as systemd builds
// them, with each value's file.
func TestSystemdProxySources(t *testing.T) {
	const (
		kubeletDir    = "/etc/systemd/system/kubelet.service.d/"
		containerdDir = "/etc/systemd/system/containerd.service.d/"
	)
	for _, tc := range []struct {
		name   string
		files  map[string]string
		agent  Agent
		want   httpproxy.Config
		from   string
		direct []Agent
	}{
		{"a drop-in's Environment=", map[string]string{
			kubeletDir + "http-proxy.conf": "[Service]\nEnvironment=\"HTTPS_PROXY=http://p:3128\" \"NO_PROXY=.eks.amazonaws.com\"\n",
		}, AgentKubelet, httpproxy.Config{HTTPSProxy: "http://p:3128", NoProxy: ".eks.amazonaws.com"}, kubeletDir + "http-proxy.conf", []Agent{AgentContainerd, AgentNodeadm, AgentDefault}},
		{"later drop-ins win, by file name", map[string]string{
			kubeletDir + "10-a.conf":                              "[Service]\nEnvironment=HTTPS_PROXY=http://a:1\n",
			kubeletDir + "20-b.conf":                              "[Service]\nEnvironment=HTTPS_PROXY=http://b:2\n",
			"/usr/lib/systemd/system/kubelet.service.d/30-c.conf": "[Service]\nEnvironment=HTTPS_PROXY=http://c:3\n",
			"/usr/lib/systemd/system/kubelet.service.d/20-b.conf": "[Service]\nEnvironment=HTTPS_PROXY=http://hidden:9\n",
		}, AgentKubelet, httpproxy.Config{HTTPSProxy: "http://c:3"}, "/usr/lib/systemd/system/kubelet.service.d/30-c.conf", nil},
		{"an empty Environment= resets", map[string]string{
			kubeletDir + "10-a.conf": "[Service]\nEnvironment=HTTPS_PROXY=http://a:1\n",
			kubeletDir + "20-b.conf": "[Service]\nEnvironment=\nEnvironment=NO_PROXY=x\n",
		}, AgentKubelet, httpproxy.Config{NoProxy: "x"}, kubeletDir + "20-b.conf", nil},
		{"EnvironmentFile= beats Environment= and may be optional", map[string]string{
			"/etc/systemd/system/containerd.service": "[Unit]\nDescription=containerd\n[Service]\nEnvironmentFile=-/etc/missing\nEnvironmentFile=/etc/proxy.env\n",
			containerdDir + "zz.conf":                "[Service]\nEnvironment=HTTPS_PROXY=http://env:1\n",
			"/etc/proxy.env":                         "HTTPS_PROXY=http://file:2\n",
		}, AgentContainerd, httpproxy.Config{HTTPSProxy: "http://file:2"}, "/etc/proxy.env", nil},
		{"the AWS recipe: /etc/environment through EnvironmentFile=", map[string]string{
			kubeletDir + "proxy.conf":    "[Service]\nEnvironmentFile=/etc/environment\n",
			containerdDir + "proxy.conf": "[Service]\nEnvironmentFile=/etc/environment\n",
			"/etc/environment":           "HTTPS_PROXY=http://p:3128\nhttps_proxy=http://p:3128\nNO_PROXY=10.0.0.0/16,169.254.169.254,.internal\nno_proxy=10.0.0.0/16,169.254.169.254,.internal\n",
		}, AgentContainerd, httpproxy.Config{HTTPSProxy: "http://p:3128", NoProxy: "10.0.0.0/16,169.254.169.254,.internal"}, "/etc/environment", []Agent{AgentNodeadm, AgentDefault}},
		{"/etc/environment alone reaches no service", map[string]string{
			"/etc/environment": "HTTPS_PROXY=http://p:3128\n",
		}, "", httpproxy.Config{}, "", []Agent{AgentKubelet, AgentContainerd, AgentNodeadm, AgentDefault}},
		{"DefaultEnvironment= is every unit's, below its own", map[string]string{
			"/etc/systemd/system.conf":                 "[Manager]\nDefaultEnvironment=\"HTTPS_PROXY=http://all:1\" NO_PROXY=a\n",
			"/etc/systemd/system.conf.d/10-proxy.conf": "[Manager]\nDefaultEnvironment=NO_PROXY=b\n",
			kubeletDir + "p.conf":                      "[Service]\nEnvironment=NO_PROXY=kubelet-own\n",
		}, AgentDefault, httpproxy.Config{HTTPSProxy: "http://all:1", NoProxy: "b"}, "/etc/systemd/system.conf, /etc/systemd/system.conf.d/10-proxy.conf", nil},
		{"a unit's own beats DefaultEnvironment=", map[string]string{
			"/etc/systemd/system.conf.d/10-proxy.conf": "[Manager]\nDefaultEnvironment=HTTPS_PROXY=http://all:1 NO_PROXY=b\n",
			kubeletDir + "p.conf":                      "[Service]\nEnvironment=NO_PROXY=kubelet-own\n",
		}, AgentKubelet, httpproxy.Config{HTTPSProxy: "http://all:1", NoProxy: "kubelet-own"}, "/etc/systemd/system.conf.d/10-proxy.conf, " + kubeletDir + "p.conf", nil},
		{"other sections, comments, continuations and specifiers", map[string]string{
			kubeletDir + "p.conf": "[Unit]\nEnvironment=HTTPS_PROXY=http://unit-section:1\n[Service]\n# Environment=HTTPS_PROXY=http://comment:1\nEnvironment=HTTPS_PROXY=http://p:3128 \\\n  NO_PROXY=100%%\nEnvironment=HTTP_PROXY=http://u:p%40ss@p:1\n",
		}, AgentKubelet, httpproxy.Config{HTTPSProxy: "http://p:3128", NoProxy: "100%"}, kubeletDir + "p.conf", nil},
		// systemd since 245 at least (systemd.syntax(7); AL2023 has 252)
		// drops comment lines inside a continued line, and a line ending
		// in an escaped backslash continues nothing.
		{"a comment inside a continued line", map[string]string{
			kubeletDir + "p.conf": "[Service]\nEnvironment=HTTPS_PROXY=http://p:3128 \\\n# NO_PROXY=old\n  NO_PROXY=.eks.amazonaws.com\n",
		}, AgentKubelet, httpproxy.Config{HTTPSProxy: "http://p:3128", NoProxy: ".eks.amazonaws.com"}, kubeletDir + "p.conf", nil},
		{"an escaped backslash at the end of a line", map[string]string{
			kubeletDir + "p.conf": "[Service]\nEnvironment=NO_PROXY=a\\\\\nEnvironment=HTTPS_PROXY=http://p:3128\n",
		}, AgentKubelet, httpproxy.Config{HTTPSProxy: "http://p:3128", NoProxy: `a\`}, kubeletDir + "p.conf", nil},
	} {
		c := proxyOf(t, validValues(t), nodeRoot(t, false, tc.files))
		if tc.agent != "" {
			ap, ok := c.Proxies.ByAgent[tc.agent]
			if !ok || ap.Env != tc.want || ap.From != tc.from {
				t.Errorf("%s: %s %+v, want %+v from %s", tc.name, tc.agent, ap, tc.want, tc.from)
			}
		}
		for _, a := range tc.direct {
			if ap, ok := c.Proxies.ByAgent[a]; ok {
				t.Errorf("%s: %s has %+v, want nothing", tc.name, a, ap)
			}
		}
	}
}

// TestNodeConfigEnvironment: spec.instance.environment is read as the files
// nodeadm writes, over what is on disk, and its default is nodeadm's own.
func TestNodeConfigEnvironment(t *testing.T) {
	doc := `apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: prod
    apiServerEndpoint: https://ABC.gr7.eu-west-1.eks.amazonaws.com
    certificateAuthority: ` + testCA(t) + `
    cidr: 10.100.0.0/16
  instance:
    environment:
      default:
        HTTPS_PROXY: http://proxy.internal:3128
        NO_PROXY: 169.254.169.254,.eks.amazonaws.com
      containerd:
        NO_PROXY: "50%,s3.eu-west-1.amazonaws.com"
`
	v, err := ParseConfig([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	h := nodeRoot(t, true, map[string]string{
		// written by nodeadm at an earlier boot; this NodeConfig rewrites it
		"/etc/systemd/system/containerd.service.d/environment.conf": "[Service]\nEnvironment=\"NO_PROXY=stale\"\n",
		"/etc/systemd/system/containerd.service.d/zz-user.conf":     "[Service]\nEnvironment=HTTP_PROXY=http://proxy.internal:3128\n",
	})
	c := proxyOf(t, Merge(Values{FlagTarget: {"al2023"}, FlagConfig: {UserDataSource}}, v), h)
	const def = "spec.instance.environment.default (nodeadm writes it to /etc/systemd/system.conf.d/environment.conf)"
	for a, want := range map[Agent]AgentProxy{
		AgentKubelet: {Env: httpproxy.Config{HTTPSProxy: "http://proxy.internal:3128", NoProxy: "169.254.169.254,.eks.amazonaws.com"}, From: def},
		AgentContainerd: {Env: httpproxy.Config{HTTPSProxy: "http://proxy.internal:3128", HTTPProxy: "http://proxy.internal:3128", NoProxy: "50%,s3.eu-west-1.amazonaws.com"},
			From: def + ", /etc/systemd/system/containerd.service.d/zz-user.conf, spec.instance.environment.containerd (nodeadm writes it to /etc/systemd/system/containerd.service.d/environment.conf)"},
		AgentNodeadm: {Env: httpproxy.Config{HTTPSProxy: "http://proxy.internal:3128", NoProxy: "169.254.169.254,.eks.amazonaws.com"}, From: "spec.instance.environment.default"},
		AgentDefault: {Env: httpproxy.Config{HTTPSProxy: "http://proxy.internal:3128", NoProxy: "169.254.169.254,.eks.amazonaws.com"}, From: def},
	} {
		if got := c.Proxies.ByAgent[a]; got != want {
			t.Errorf("%s: %+v\nwant %+v", a, got, want)
		}
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Message, "kubelet and containerd see different proxy settings") {
		t.Errorf("%v", c.Warnings)
	}
	// A drop-in of nodeadm.d: nodeadm-run writes it, nodeadm-config never
	// reads it.
	c = proxyOf(t, Merge(Values{FlagTarget: {"al2023"}, FlagConfig: {NodeadmDropInDir + "proxy.yaml"}}, v), h)
	if got := c.Proxies.ByAgent[AgentKubelet]; got.From != def {
		t.Errorf("nodeadm.d: kubelet %+v", got)
	}
	if got, ok := c.Proxies.ByAgent[AgentNodeadm]; ok {
		t.Errorf("nodeadm.d: nodeadm-config, before nodeadm-run wrote anything, has %+v", got)
	}
	// Not AL2023, or a NodeConfig nodeadm never reads: nodeadm writes
	// nothing, and the disk is the truth.
	for _, other := range []Values{{FlagTarget: {"al2"}, FlagConfig: {UserDataSource}}, {FlagTarget: {"al2023"}, FlagConfig: {"/tmp/nodeconfig.yaml"}}} {
		c = proxyOf(t, Merge(other, v), h)
		if got := c.Proxies.ByAgent[AgentContainerd].Env; got.NoProxy != "stale" {
			t.Errorf("%v: %+v", other, got)
		}
	}
}

func TestNodeConfigEnvironmentMergesAcrossParts(t *testing.T) {
	part := func(env string) string {
		return "---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  instance:\n    environment:\n" + env
	}
	v, err := ParseConfig([]byte(part("      kubelet:\n        HTTPS_PROXY: http://a:1\n        NO_PROXY: x\n") + part("      kubelet:\n        HTTPS_PROXY: http://b:2\n")))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := nodeConfigEnvironmentFiles(v[nodeConfigEnvironment])
	got := string(files["/etc/systemd/system/kubelet.service.d/environment.conf"].data)
	if got != "[Service]\nEnvironment=\"HTTPS_PROXY=http://b:2\"\nEnvironment=\"NO_PROXY=x\"\n" {
		t.Errorf("%q", got)
	}
	if _, err := ParseNodeConfig([]byte(part("      kubelet: a string\n"))); err != nil {
		t.Fatal(err)
	}
	if v, _ := ParseNodeConfig([]byte(part("      kubelet: a string\n"))); len(NodeadmRefusals(v)) != 1 {
		t.Errorf("nodeadm refuses an environment that is not a map: %v", v)
	}
}

func TestBottlerocketProxySources(t *testing.T) {
	v := validValues(t)
	maps := BottlerocketProxy{HTTPS: "http://proxy:3128", NoProxy: []string{"10.0.0.0/16", ".internal"}, APIServer: "https://ABC.gr7.eu-west-1.eks.amazonaws.com", ClusterDomain: "cluster.local"}.values()
	c := proxyOf(t, Merge(Values{FlagTarget: {"bottlerocket"}}, v, maps), noHost)
	proxyEnv := AgentProxy{Env: httpproxy.Config{HTTPSProxy: "http://proxy:3128", NoProxy: "10.0.0.0/16,.internal,localhost,127.0.0.1,ABC.gr7.eu-west-1.eks.amazonaws.com,.cluster.local"},
		From: "settings.network.https-proxy/no-proxy (Bottlerocket's /etc/network/proxy.env)"}
	for a, want := range map[Agent]AgentProxy{
		AgentKubelet: proxyEnv, AgentContainerd: proxyEnv, AgentDefault: proxyEnv,
		AgentPluto: {Env: httpproxy.Config{HTTPSProxy: "http://proxy:3128", NoProxy: "10.0.0.0/16,.internal"}, From: "settings.network.https-proxy, settings.network.no-proxy"},
	} {
		if got := c.Proxies.ByAgent[a]; got != want {
			t.Errorf("%s: %+v\nwant %+v", a, got, want)
		}
	}
	// Bottlerocket adds the API server's host, so kubelet goes direct.
	if got := via(t, c.Proxies, AgentKubelet, "ABC.gr7.eu-west-1.eks.amazonaws.com"); got != "direct" {
		t.Errorf("the API server: %s", got)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("%v", c.Warnings)
	}
	// pluto matches no-proxy as a plain suffix, where Go's rules want a
	// whole label: its EC2 call goes direct, containerd's S3 pulls do not.
	suffix := BottlerocketProxy{HTTPS: "proxy:3128", NoProxy: []string{"west-1.amazonaws.com"}}.values()
	c = proxyOf(t, Merge(Values{FlagTarget: {"bottlerocket"}}, v, suffix), noHost)
	if got := via(t, c.Proxies, AgentPluto, "ec2.eu-west-1.amazonaws.com"); got != "direct" {
		t.Errorf("pluto, suffix entry: %s", got)
	}
	if got := via(t, c.Proxies, AgentContainerd, "s3.eu-west-1.amazonaws.com"); got != "http://proxy:3128" {
		t.Errorf("containerd, suffix entry: %s", got)
	}
	// --target auto in a bootstrap container: the API's answer tells.
	c = proxyOf(t, Merge(v, maps), noHost)
	if got := c.Proxies.ByAgent[AgentKubelet]; got != proxyEnv {
		t.Errorf("auto: %+v", got)
	}
	c = proxyOf(t, Merge(Values{FlagTarget: {"bottlerocket"}}, v), noHost)
	if c.Proxies.ByAgent != nil {
		t.Errorf("no settings: %+v", c.Proxies)
	}
}

func TestWindowsProxySources(t *testing.T) {
	machine := map[string]string{"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "169.254.169.254"}
	h := Host{GOOS: "windows", LookPath: noHost.LookPath, Exists: noHost.Exists, ServiceEnvironment: func(service string) (map[string]string, error) {
		switch service {
		case "":
			return machine, nil
		case "containerd":
			return map[string]string{"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "169.254.169.254,.amazonaws.com"}, nil
		}
		return nil, errors.New("no such service")
	}}
	c := proxyOf(t, Merge(Values{FlagTarget: {"windows"}}, validValues(t)), h)
	const key = `HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment`
	if got := c.Proxies.ByAgent[AgentNodeadm]; got.From != key || got.Env.HTTPSProxy != "http://proxy:3128" {
		t.Errorf("nodeadm: %+v", got)
	}
	if got := c.Proxies.ByAgent[AgentContainerd]; got.From != key+`, HKLM\SYSTEM\CurrentControlSet\Services\containerd\Environment` || got.Env.NoProxy != "169.254.169.254,.amazonaws.com" {
		t.Errorf("containerd: %+v", got)
	}
	if _, ok := c.Proxies.ByAgent[AgentKubelet]; ok { // its service cannot be read: nothing known of it
		t.Errorf("kubelet: %+v", c.Proxies.ByAgent[AgentKubelet])
	}
}

// TestProxyPrecedence: flags, then the platform's places, then eksboot's
// own environment.
func TestProxyPrecedence(t *testing.T) {
	dropIn := map[string]string{"/etc/systemd/system/kubelet.service.d/p.conf": "[Service]\nEnvironment=HTTPS_PROXY=http://dropin:1\n"}
	own := Values{ownEnvKey("HTTPS_PROXY"): {"http://own:2"}}
	flags := Values{FlagHTTPSProxy: {"http://flag:3"}}
	for _, tc := range []struct {
		name  string
		v     Values
		files map[string]string
		want  map[Agent]string
	}{
		{"flags over everything", Merge(flags, own), dropIn, map[Agent]string{AgentKubelet: "--https-proxy", AgentContainerd: "--https-proxy"}},
		{"the platform over eksboot's environment", own, dropIn, map[Agent]string{AgentKubelet: "/etc/systemd/system/kubelet.service.d/p.conf", AgentContainerd: ""}},
		{"eksboot's environment when the platform says nothing", own, nil, map[Agent]string{AgentKubelet: "eksboot's environment", AgentNodeadm: "eksboot's environment"}},
	} {
		c := proxyOf(t, Merge(validValues(t), tc.v), nodeRoot(t, false, tc.files))
		for a, from := range tc.want {
			if got := c.Proxies.ByAgent[a].From; got != from {
				t.Errorf("%s: %s from %q, want %q", tc.name, a, got, from)
			}
		}
	}
}

// TestUnusableDropIn: a proxy kubelet cannot parse, in a drop-in, is a
// finding of the run, not an input error.
func TestUnusableDropIn(t *testing.T) {
	h := nodeRoot(t, false, map[string]string{"/etc/systemd/system/kubelet.service.d/p.conf": "[Service]\nEnvironment=\"HTTPS_PROXY=http://user:pw@proxy:99999\"\n"})
	c := proxyOf(t, validValues(t), h)
	if len(c.ProxyUnusable) != 1 || !strings.Contains(c.ProxyUnusable[0], `kubelet's HTTPS proxy "http://proxy:99999" (/etc/systemd/system/kubelet.service.d/p.conf) has the port 99999`) {
		t.Errorf("%q", c.ProxyUnusable)
	}
}
