package inputs

import (
	"testing"
)

// TestWindowsOnlyInputsRefused: kube-proxy arguments are for Windows
// nodes, and must be one line there; SNAT exclusions are IPv4.
func TestWindowsOnlyInputsRefused(t *testing.T) {
	for flag, bad := range map[string]string{FlagExcludedSNAT: "fd00::/8", FlagKubeProxyArgs: "a\nb"} {
		wantInputError(t, resolveErr(t, TargetWindows, Values{flag: {bad}}), flag, "")
	}
	wantInputError(t, resolveErr(t, TargetAL2023, Values{FlagKubeProxyArgs: {"--v=2"}}), FlagKubeProxyArgs, "is for Windows nodes")
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
