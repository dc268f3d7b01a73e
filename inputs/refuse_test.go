package inputs

import (
	"strings"
	"testing"
)

// TestWindowsOnlyInputsRefused: kube-proxy arguments are for Windows
// nodes, and must be one line there; SNAT exclusions are IPv4.
func TestWindowsOnlyInputsRefused(t *testing.T) {
	for flag, bad := range map[string]string{FlagExcludedSNAT: "fd00::/8", FlagKubeProxyArgs: "a\nb"} {
		wantInputError(t, resolveErr(t, TargetWindows, Values{flag: {bad}}), flag, "")
	}
	wantInputError(t, resolveErr(t, TargetAL2023, Values{FlagKubeProxyArgs: {"--v=2"}}), FlagKubeProxyArgs, "is for Windows nodes")
	wantInputError(t, resolveErr(t, TargetWindows, Values{FlagKubeProxyArgs: {`--hostname-override="a b"`}}), FlagKubeProxyArgs, "reads as quoting")
}

// TestExtraArgsBootstrapShCannotCarry: bootstrap.sh writes the extra args
// into Environment='KUBELET_EXTRA_ARGS=...' of a systemd drop-in, so a
// newline would start a directive of its own and a quote would end the
// value. Control characters are refused for every target.
func TestExtraArgsBootstrapShCannotCarry(t *testing.T) {
	for _, target := range Targets() {
		for _, bad := range []string{"--v=2\nExecStartPre=/bin/touch /CANARY", "a\rb", "a\tb", "a\x00b", "a\x7fb", "a\x1bb"} {
			wantInputError(t, resolveErr(t, target, Values{FlagKubeletExtraArgs: {bad}}), FlagKubeletExtraArgs, "control character")
		}
	}
}

// TestExtraArgsServiceManagerWouldChange: systemd splits $KUBELET_EXTRA_ARGS
// and $NODEADM_KUBELET_ARGS taking ' " \ as quotes and escapes (so
// --provider-id=it's --max-pods=20 reaches kubelet as one argument), drops
// a line that is not UTF-8, and on al2 reads % in bootstrap.sh's drop-in
// as a specifier; Windows splits kubelet's service command line at ".
// Each is refused for the targets whose consumer would change it.
func TestExtraArgsServiceManagerWouldChange(t *testing.T) {
	refused := map[Target][]string{
		TargetAL2:     {"--provider-id=it's --max-pods=20", `--v=2 "x y"`, `--foo=a\nb`, "--foo=%n", "--v=2 \xff", "caf\xc3"},
		TargetAL2023:  {"--provider-id=it's --max-pods=20", `--v=2 "x y"`, `--foo=a\ b`, "--v=2 \xff"},
		TargetWindows: {`--v=2 "x y"`, "--v=2 \xff"},
	}
	for target, values := range refused {
		for _, bad := range values {
			wantInputError(t, resolveErr(t, target, Values{FlagKubeletExtraArgs: {bad}}), FlagKubeletExtraArgs, "")
		}
	}
	for target, ok := range map[Target]string{TargetAL2023: "--foo=%n", TargetWindows: `--root-dir=C:\var\lib\kubelet --provider-id=it's`} {
		if err := resolveErr(t, target, Values{FlagKubeletExtraArgs: {ok}}); err != nil {
			t.Errorf("%s refuses %q, which its consumer leaves as it is: %v", target, ok, err)
		}
	}
}

// TestKubeletFlagsSplitWhereSystemdSplits: systemd splits at ASCII white
// space only; U+0085, U+00A0 and U+2028 stay inside the argument.
func TestKubeletFlagsSplitWhereSystemdSplits(t *testing.T) {
	c := &Config{KubeletExtraArgs: "--a=x\u0085y --b=x\u00a0y --c=x\u2028y  --d"}
	got := strings.Join(c.KubeletFlags(), "|")
	if want := "--a=x\u0085y|--b=x\u00a0y|--c=x\u2028y|--d"; got != want {
		t.Fatalf("KubeletFlags = %q, want %q", got, want)
	}
	c.KubeletExtraArgs = "\u00a0--a "
	if got := c.KubeletArgsLine(); got != "\u00a0--a" {
		t.Fatalf("KubeletArgsLine = %q: it trimmed what systemd keeps", got)
	}
}

// TestLabelsAndTaintsKubeletRefuses: what makes kubelet exit, or gives
// TOML a key twice, is refused for every target with the key named.
func TestLabelsAndTaintsKubeletRefuses(t *testing.T) {
	for _, target := range Targets() {
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
