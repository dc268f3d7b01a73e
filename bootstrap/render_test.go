package bootstrap

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var testNow = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

// resolveTarget resolves valid inputs for target, changed by extra; a nil
// value in extra removes that input.
func resolveTarget(t *testing.T, target Target, extra Values) *Config {
	t.Helper()
	v := validValues(t)
	v[FlagTarget] = []string{string(target)}
	for k, val := range extra {
		if val == nil {
			delete(v, k)
		} else {
			v[k] = val
		}
	}
	c, err := Resolve(v, noHost, noIMDS(), testNow, true)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	return c
}

var goldenCases = map[string]Values{
	"ipv4": {
		FlagNodeLabels:       {"team=data,node.kubernetes.io/lifecycle=spot"},
		FlagTaints:           {"dedicated=gpu:NoSchedule", "spot:PreferNoSchedule"},
		FlagKubeletExtraArgs: {"--max-pods=58 --v=2"},
	},
	"ipv6": {
		FlagServiceCIDR:     nil,
		FlagServiceIPv6CIDR: {"fd30:1c53:5f8a::/108"},
	},
}

func TestRenderGolden(t *testing.T) {
	for _, target := range Targets {
		for name, extra := range goldenCases {
			if target == TargetWindows && name == "ipv6" {
				continue // EKS Windows nodes are IPv4 only; see TestResolveRefuses
			}
			if target == TargetBottlerocket {
				extra = withoutKey(extra, FlagKubeletExtraArgs)
			}
			c := resolveTarget(t, target, extra)
			got, err := Render(c)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "golden", fmt.Sprintf("%s-%s.golden", target, name))
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test ./bootstrap -run TestRenderGolden -update)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from the golden file:\n%s", file, got)
			}
		}
	}
}

func withoutKey(v Values, key string) Values {
	out := Values{}
	for k, val := range v {
		if k != key {
			out[k] = val
		}
	}
	return out
}

// TestAL2LineIsBootstrapShArgv evaluates a whole AL2 render in bash, with
// hostile extra args, and checks the argv bootstrap.sh would get.
func TestAL2LineIsBootstrapShArgv(t *testing.T) {
	for _, extra := range hostileValues {
		if strings.TrimSpace(extra) == "" {
			continue
		}
		if strings.ContainsFunc(extra, func(r rune) bool { return strings.ContainsRune(`'%\`, r) || r < 0x20 || r == 0x7f }) {
			continue // refused for AL2: TestExtraArgsBootstrapShCannotCarry
		}
		c := resolveTarget(t, TargetAL2, Values{FlagKubeletExtraArgs: {extra}, FlagNodeLabels: {"a=b"}})
		line, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(strings.TrimSuffix(string(line), "\n"), "\n") != strings.Count(strings.TrimSpace(extra), "\n") {
			t.Errorf("%q: line breaks outside the quoted value: %q", extra, line)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "bootstrap.args")
		if err := os.WriteFile(file, line, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "-c", `eval "set -- $(cat "$1")"; printf '%s\0' "$@"`, "bash", file)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash: %v", err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		want := AL2Args(c)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: bash argv %q, want %q", extra, got, want)
		}
		if last := got[len(got)-1]; last != "--node-labels=a=b "+strings.TrimSpace(extra) {
			t.Errorf("kubelet extra args came back as %q", last)
		}
		if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
			t.Fatalf("%q ran a command", extra)
		}
	}
}

// TestBottlerocketTOMLParses reads the render back with a TOML parser and
// checks Bottlerocket's documented setting names and values.
func TestBottlerocketTOMLParses(t *testing.T) {
	c := resolveTarget(t, TargetBottlerocket, Values{FlagNodeLabels: {"team=data"}, FlagTaints: {"dedicated=gpu:NoSchedule,dedicated=gpu:NoExecute"}})
	out, _ := Render(c)
	var doc struct {
		Settings struct {
			Kubernetes struct {
				ClusterName        string              `toml:"cluster-name"`
				APIServer          string              `toml:"api-server"`
				ClusterCertificate string              `toml:"cluster-certificate"`
				ClusterDNSIP       string              `toml:"cluster-dns-ip"`
				NodeLabels         map[string]string   `toml:"node-labels"`
				NodeTaints         map[string][]string `toml:"node-taints"`
			} `toml:"kubernetes"`
		} `toml:"settings"`
	}
	md, err := toml.Decode(string(out), &doc)
	if err != nil {
		t.Fatalf("TOML: %v\n%s", err, out)
	}
	if len(md.Undecoded()) > 0 {
		t.Fatalf("keys Bottlerocket does not document: %v", md.Undecoded())
	}
	k := doc.Settings.Kubernetes
	if k.ClusterName != c.ClusterName || k.APIServer != c.Endpoint || k.ClusterCertificate != c.CA || k.ClusterDNSIP != "10.100.0.10" ||
		k.NodeLabels["team"] != "data" || !reflect.DeepEqual(k.NodeTaints["dedicated"], []string{"gpu:NoSchedule", "gpu:NoExecute"}) {
		t.Fatalf("decoded %+v", k)
	}
	for _, v := range hostileValues {
		var one struct{ V string }
		if _, err := toml.Decode("V = "+TOMLQuote(v), &one); err != nil || one.V != v {
			t.Errorf("%q: TOML reads %q, %v", v, one.V, err)
		}
	}
}

func TestWindowsLineParameters(t *testing.T) {
	c := resolveTarget(t, TargetWindows, Values{FlagServiceCIDR: {"172.20.0.0/16"}, FlagKubeletExtraArgs: {"--v=2 '$(x)'"},
		FlagKubeProxyArgs: {"--v=3 '$(y)'"}, FlagExcludedSNAT: {"10.10.0.0/16,192.168.5.1/24"}})
	args := WindowsArgs(c)
	wantNames := []string{"-EKSClusterName", "-APIServerEndpoint", "-Base64ClusterCA", "-ServiceCIDR", "-DNSClusterIP", "-KubeletExtraArgs", "-KubeProxyExtraArgs", "-ExcludedSnatCIDRs"}
	for i, name := range wantNames {
		if args[i].Name != name {
			t.Fatalf("parameter %d is %s, want %s", i, args[i].Name, name)
		}
	}
	if args[3].Values[0] != "172.20.0.0/16" || args[4].Values[0] != "172.20.0.10" || args[5].Values[0] != "--v=2 '$(x)'" ||
		args[6].Values[0] != "--v=3 '$(y)'" || !reflect.DeepEqual(args[7].Values, []string{"10.10.0.0/16", "192.168.5.0/24"}) {
		t.Fatalf("values %q", args)
	}
	line, _ := Render(c)
	rest := strings.TrimSuffix(string(line), "\n")
	for _, p := range args {
		if !strings.HasPrefix(rest, p.Name+" ") {
			t.Fatalf("expected %s at %q", p.Name, rest)
		}
		rest = rest[len(p.Name)+1:]
		for i, want := range p.Values {
			if i > 0 {
				if !strings.HasPrefix(rest, ",") {
					t.Fatalf("%s: no comma between array values at %q", p.Name, rest)
				}
				rest = rest[1:]
			}
			var val string
			val, rest = parsePSVerbatim(t, rest)
			if val != want {
				t.Fatalf("%s reads back as %q, want %q", p.Name, val, want)
			}
		}
		rest = strings.TrimPrefix(rest, " ")
	}
	if rest != "" {
		t.Fatalf("left over: %q", rest)
	}
	if argv := WindowsArgv(c); argv[5] != "-KubeletExtraArgs:--v=2 '$(x)'" || argv[7] != "-ExcludedSnatCIDRs:10.10.0.0/16,192.168.5.0/24" {
		t.Fatalf("-File argv %q", argv)
	}
	for flag, bad := range map[string]string{FlagExcludedSNAT: "fd00::/8", FlagKubeProxyArgs: "a\nb"} {
		wantInputError(t, resolveErr(t, TargetWindows, Values{flag: {bad}}), flag, "")
	}
	wantInputError(t, resolveErr(t, TargetAL2023, Values{FlagKubeProxyArgs: {"--v=2"}}), FlagKubeProxyArgs, "is for Windows nodes")
}

func TestHandoverCommand(t *testing.T) {
	c := resolveTarget(t, TargetAL2, nil)
	path, argv, err := HandoverCommand(c)
	if err != nil || path != AL2BootstrapScript || argv[0] != AL2BootstrapScript || !reflect.DeepEqual(argv[1:], AL2Args(c)) {
		t.Fatalf("al2: %s %q %v", path, argv, err)
	}
	c = resolveTarget(t, TargetAL2023, Values{FlagArgsFile: {"/etc/eks/nodeadm.d/eksboot.yaml"}})
	if _, argv, _ := HandoverCommand(c); strings.Join(argv, " ") != NodeadmPath+" init --config-source file:///etc/eks/nodeadm.d/eksboot.yaml" {
		t.Fatalf("al2023: %q", argv)
	}
	c = resolveTarget(t, TargetWindows, nil)
	_, argv, _ = HandoverCommand(c)
	if argv[0] != "powershell.exe" || strings.Join(argv[1:5], " ") != "-NoProfile -ExecutionPolicy Bypass -File" || !strings.HasSuffix(argv[5], "Start-EKSBootstrap.ps1") || !reflect.DeepEqual(argv[6:], WindowsArgv(c)) || argv[6] != "-EKSClusterName:"+c.ClusterName {
		t.Fatalf("windows: %q", argv)
	}
	c = resolveTarget(t, TargetBottlerocket, nil)
	if _, _, err := HandoverCommand(c); err == nil {
		t.Fatal("bottlerocket has nothing to hand over to")
	}
}

// TestExtraArgsBootstrapShCannotCarry: bootstrap.sh writes the extra args
// into Environment='KUBELET_EXTRA_ARGS=...' of a systemd drop-in, so a
// newline would start a directive of its own and a quote would end the
// value. Control characters are refused for every target, quotes for al2.
func TestExtraArgsBootstrapShCannotCarry(t *testing.T) {
	for _, target := range Targets {
		for _, bad := range []string{"--v=2\nExecStartPre=/bin/touch /CANARY", "a\rb", "a\tb", "a\x00b", "a\x7fb", "a\x1bb"} {
			wantInputError(t, resolveErr(t, target, Values{FlagKubeletExtraArgs: {bad}}), FlagKubeletExtraArgs, "control character")
		}
	}
	for _, bad := range []string{"--v=2 'x'", "--foo=%n", `--foo=a\nb`} {
		wantInputError(t, resolveErr(t, TargetAL2, Values{FlagKubeletExtraArgs: {bad}}), FlagKubeletExtraArgs, "systemd reads")
	}
	if err := resolveErr(t, TargetAL2023, Values{FlagKubeletExtraArgs: {"--v=2 'x'"}}); err != nil {
		t.Fatalf("al2023 takes a quote: %v", err)
	}
}

// TestLabelsAndTaintsKubeletRefuses: what makes kubelet exit, or gives
// TOML a key twice, is refused for every target with the key named.
func TestLabelsAndTaintsKubeletRefuses(t *testing.T) {
	for _, target := range Targets {
		for _, tc := range []struct{ flag, value, fragment string }{
			{FlagNodeLabels, "node-role.kubernetes.io/worker=true", `kubelet refuses the key "node-role.kubernetes.io/worker"`},
			{FlagNodeLabels, "kubernetes.io/role=x", `"kubernetes.io/role"`},
			{FlagNodeLabels, "k8s.io/x=y", `"k8s.io/x"`},
			{FlagNodeLabels, "node-restriction.kubernetes.io/team=a", "kubelet refuses"},
			{FlagNodeLabels, "a=b,a=c", `the key "a" is given twice`},
			{FlagTaints, "a=b:NoSchedule,a=c:NoSchedule", `"a" with effect NoSchedule is given twice`},
		} {
			wantInputError(t, resolveErr(t, target, Values{tc.flag: {tc.value}}), tc.flag, tc.fragment)
		}
		for _, ok := range []string{"node.kubernetes.io/lifecycle=spot", "x.kubelet.kubernetes.io/a=b", "topology.kubernetes.io/zone=eu-west-1a", "example.com/team=data"} {
			if err := resolveErr(t, target, Values{FlagNodeLabels: {ok}}); err != nil {
				t.Errorf("%s %s: %v", target, ok, err)
			}
		}
		if err := resolveErr(t, target, Values{FlagTaints: {"a=b:NoSchedule,a=b:NoExecute"}}); err != nil {
			t.Errorf("%s: one key with two effects: %v", target, err)
		}
	}
}

func resolveErr(t *testing.T, target Target, extra Values) error {
	t.Helper()
	v := validValues(t)
	v[FlagTarget] = []string{string(target)}
	for k, val := range extra {
		v[k] = val
	}
	_, err := Resolve(v, noHost, noIMDS(), testNow, true)
	return err
}
