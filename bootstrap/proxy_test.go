package bootstrap

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/eksboot/eksboot/inputs"
	"golang.org/x/net/http/httpproxy"
)

var proxyFlags = inputs.Values{inputs.FlagHTTPSProxy: {"http://proxy.internal:3128"}, inputs.FlagNoProxy: {".eks.amazonaws.com,10.0.0.0/16,169.254.169.254"}}

// TestNodeConfigCarriesTheStatedProxy: the flags' proxy goes into the
// NodeConfig as spec.instance.environment.default, and reading the render
// back, as the drop-in nodeadm-run writes to systemd, gives kubelet,
// containerd and the rest that proxy; not nodeadm-config's EC2 call, which
// reads the user data alone.
func TestNodeConfigCarriesTheStatedProxy(t *testing.T) {
	out, err := Render(resolveTarget(t, inputs.TargetAL2023, proxyFlags))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "  instance:\n    environment:\n      default:\n        HTTPS_PROXY: http://proxy.internal:3128\n        NO_PROXY: .eks.amazonaws.com,10.0.0.0/16,169.254.169.254\n") {
		t.Fatalf("%s", out)
	}
	v, err := inputs.ParseConfig(out)
	if err != nil {
		t.Fatal(err)
	}
	v[inputs.FlagTarget] = []string{"al2023"}
	v[inputs.FlagConfig] = []string{inputs.NodeadmDropInDir + "eksboot.yaml"}
	empty := inputs.Host{GOOS: "linux", Exists: func(string) bool { return false },
		ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist },
		ReadDir:  func(string) ([]string, error) { return nil, fs.ErrNotExist }}
	c, err := inputs.Resolve(v, empty, noIMDS(), testNow, false)
	if err != nil {
		t.Fatal(err)
	}
	c.ReadNodeProxies(v, empty)
	want := httpproxy.Config{HTTPSProxy: "http://proxy.internal:3128", NoProxy: ".eks.amazonaws.com,10.0.0.0/16,169.254.169.254"}
	for _, a := range []inputs.Agent{inputs.AgentKubelet, inputs.AgentContainerd, inputs.AgentDefault} {
		if got := c.Proxies.ByAgent[a]; got.Env != want || !strings.Contains(got.From, "spec.instance.environment.default") {
			t.Errorf("%s: %+v", a, got)
		}
	}
	if got, ok := c.Proxies.ByAgent[inputs.AgentNodeadm]; ok {
		t.Errorf("nodeadm-config: %+v", got)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("%v", c.Warnings)
	}
}

func TestBottlerocketCarriesTheStatedProxy(t *testing.T) {
	out, err := Render(resolveTarget(t, inputs.TargetBottlerocket, proxyFlags))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Settings struct {
			Network struct {
				HTTPSProxy string   `toml:"https-proxy"`
				NoProxy    []string `toml:"no-proxy"`
			} `toml:"network"`
		} `toml:"settings"`
	}
	if _, err := toml.Decode(string(out), &doc); err != nil {
		t.Fatalf("TOML: %v\n%s", err, out)
	}
	if n := doc.Settings.Network; n.HTTPSProxy != "http://proxy.internal:3128" || !reflect.DeepEqual(n.NoProxy, []string{".eks.amazonaws.com", "10.0.0.0/16", "169.254.169.254"}) {
		t.Errorf("%+v\n%s", n, out)
	}
}

// TestProxyReadFromTheNodeIsNotRewritten: a proxy the node already has is
// not the renderers' to restate.
func TestProxyReadFromTheNodeIsNotRewritten(t *testing.T) {
	for _, target := range []inputs.Target{inputs.TargetAL2023, inputs.TargetBottlerocket} {
		c := resolveTarget(t, target, nil)
		c.Proxies = inputs.Proxies{ByAgent: map[inputs.Agent]inputs.AgentProxy{inputs.AgentKubelet: {Env: httpproxy.Config{HTTPSProxy: "http://p:1"}, From: "/etc/systemd/system/kubelet.service.d/p.conf"}}}
		out, err := Render(c)
		if err != nil || strings.Contains(string(out), "http://p:1") {
			t.Errorf("%s: %v\n%s", target, err, out)
		}
	}
}
