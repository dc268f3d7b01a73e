package bootstrap

import (
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/BurntSushi/toml"
	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/test/testpki"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var testNow = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

// validValues are complete inputs for every target.
func validValues() inputs.Values {
	return inputs.Values{
		inputs.FlagClusterName: {"prod-eu_1"},
		inputs.FlagEndpoint:    {"https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"},
		inputs.FlagCA:          {base64.StdEncoding.EncodeToString(testpki.ClusterCAPEM)},
		inputs.FlagServiceCIDR: {"10.100.0.0/16"},
	}
}

// noHost is a machine with neither nodeadm nor bootstrap.sh.
var noHost = inputs.Host{GOOS: "linux", LookPath: func(string) (string, error) { return "", os.ErrNotExist }, Exists: func(string) bool { return false }}

// noIMDS is a node whose IMDS knows nothing: the inputs must say it all.
func noIMDS() *inputs.InstanceFacts { return inputs.KnownFacts(&imds.Facts{}) }

// resolveTarget resolves valid inputs for target, changed by extra; a nil
// value in extra removes that input.
func resolveTarget(t *testing.T, target inputs.Target, extra inputs.Values) *inputs.Config {
	t.Helper()
	v := validValues()
	v[inputs.FlagTarget] = []string{string(target)}
	for k, val := range extra {
		if val == nil {
			delete(v, k)
		} else {
			v[k] = val
		}
	}
	c, err := inputs.Resolve(v, noHost, noIMDS(), testNow, true)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	return c
}

var goldenCases = map[string]inputs.Values{
	"ipv4": {
		inputs.FlagNodeLabels:       {"team=data,node.kubernetes.io/lifecycle=spot"},
		inputs.FlagTaints:           {"dedicated=gpu:NoSchedule", "spot:PreferNoSchedule"},
		inputs.FlagKubeletExtraArgs: {"--max-pods=58 --v=2"},
	},
	"ipv6": {
		inputs.FlagServiceCIDR:     nil,
		inputs.FlagServiceIPv6CIDR: {"fd30:1c53:5f8a::/108"},
	},
}

func TestRenderGolden(t *testing.T) {
	for _, target := range inputs.Targets() {
		for name, extra := range goldenCases {
			if target == inputs.TargetWindows && name == "ipv6" {
				continue // EKS Windows nodes are IPv4 only; see TestResolveRefuses
			}
			if target == inputs.TargetBottlerocket {
				extra = withoutKey(extra, inputs.FlagKubeletExtraArgs)
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

func withoutKey(v inputs.Values, key string) inputs.Values {
	out := inputs.Values{}
	for k, val := range v {
		if k != key {
			out[k] = val
		}
	}
	return out
}

// TestAL2LineIsBootstrapShArgv evaluates a whole AL2 render in bash, with
// hostile extra args, and checks the argv bootstrap.sh would get.
// TestBottlerocketTOMLParses reads the render back with a TOML parser and
// checks Bottlerocket's documented setting names and values.
func TestBottlerocketTOMLParses(t *testing.T) {
	c := resolveTarget(t, inputs.TargetBottlerocket, inputs.Values{inputs.FlagNodeLabels: {"team=data"}, inputs.FlagTaints: {"dedicated=gpu:NoSchedule,dedicated=gpu:NoExecute"}})
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
	c := resolveTarget(t, inputs.TargetWindows, inputs.Values{inputs.FlagServiceCIDR: {"172.20.0.0/16"}, inputs.FlagKubeletExtraArgs: {"--v=2 '$(x)'"},
		inputs.FlagKubeProxyArgs: {"--v=3 '$(y)'"}, inputs.FlagExcludedSNAT: {"10.10.0.0/16,192.168.5.1/24"}})
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
}

func TestHandoverCommand(t *testing.T) {
	c := resolveTarget(t, inputs.TargetAL2, nil)
	path, argv, err := HandoverCommand(c)
	if err != nil || path != inputs.AL2BootstrapScript || argv[0] != inputs.AL2BootstrapScript || !reflect.DeepEqual(argv[1:], AL2Args(c)) {
		t.Fatalf("al2: %s %q %v", path, argv, err)
	}
	c = resolveTarget(t, inputs.TargetBottlerocket, nil)
	if _, _, err := HandoverCommand(c); err == nil {
		t.Fatal("bottlerocket has nothing to hand over to")
	}
}

// TestWindowsHandoverBindsArrays: powershell.exe -File binds each value as
// a string, so -ExcludedSnatCIDRs reached Start-EKSBootstrap.ps1 as one;
// the hand-over is a PowerShell command, the rendered line after the
// script's path, so 'a','b' binds as an array.
func TestWindowsHandoverBindsArrays(t *testing.T) {
	c := resolveTarget(t, inputs.TargetWindows, inputs.Values{inputs.FlagExcludedSNAT: {"10.10.0.0/16,192.168.5.0/24"}, inputs.FlagKubeletExtraArgs: {"--v=2 '$(x)' ünï"}})
	path, argv, err := HandoverCommand(c)
	if err != nil || path != "powershell.exe" || len(argv) != 7 || strings.Join(argv[:6], " ") != "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand" {
		t.Fatalf("windows: %s %q %v", path, argv, err)
	}
	raw, err := base64.StdEncoding.DecodeString(argv[6])
	if err != nil || len(raw)%2 != 0 {
		t.Fatalf("-EncodedCommand %q: %v", argv[6], err)
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	script := string(utf16.Decode(units))
	line, _ := Render(c)
	want := "& '" + filepath.Join(programFiles(), "Amazon", "EKS", "Start-EKSBootstrap.ps1") + "' " + strings.TrimSuffix(string(line), "\n") + "\nexit $LASTEXITCODE\n"
	if script != want {
		t.Fatalf("the command is\n%s\nwant\n%s", script, want)
	}
	_, rest, _ := strings.Cut(script, " -ExcludedSnatCIDRs ")
	first, rest := parsePSVerbatim(t, rest)
	if !strings.HasPrefix(rest, ",") {
		t.Fatalf("-ExcludedSnatCIDRs is %q then %q: not an array", first, rest)
	}
	if second, _ := parsePSVerbatim(t, rest[1:]); first != "10.10.0.0/16" || second != "192.168.5.0/24" {
		t.Fatalf("-ExcludedSnatCIDRs binds %q, %q", first, second)
	}
}
