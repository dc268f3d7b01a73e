package inputs

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/userdata"
)

// TestTaintsUnionWithUserData: kubelet keeps the last --register-with-taints
// nodeadm passes it, and eksboot's drop-in comes last, so the drop-in
// carries the user data's taints first, then eksboot's, then those of
// --kubelet-extra-args (taken out of them); a key and effect twice is refused.
func TestTaintsUnionWithUserData(t *testing.T) {
	nc := strings.Replace(userdata.NodeConfig("prod"), "spec:\n",
		"spec:\n  kubelet:\n    flags:\n      - --v=2\n      - --register-with-taints=karpenter.sh/unregistered:NoExecute,team=a:NoSchedule\n", 1)
	read := func(t *testing.T, extra map[string]string) (*Config, error) {
		v, _, err := userDataValues([]byte(nc))
		if err != nil {
			t.Fatal(err)
		}
		v[FlagTarget] = []string{"al2023"}
		for k, val := range extra {
			v[k] = []string{val}
		}
		return Resolve(v, noHost, noIMDS(), testNow, false)
	}
	c, err := read(t, map[string]string{FlagTaints: "dedicated=gpu:NoSchedule", FlagKubeletExtraArgs: "--max-pods=20 --register-with-taints=x=y:PreferNoSchedule"})
	if err != nil {
		t.Fatal(err)
	}
	want := "--register-with-taints=karpenter.sh/unregistered:NoExecute,team=a:NoSchedule,dedicated=gpu:NoSchedule,x=y:PreferNoSchedule --max-pods=20"
	if got := strings.Join(c.KubeletFlags(), " "); got != want {
		t.Fatalf("flags %q\nwant  %q", got, want)
	}
	if _, err := read(t, map[string]string{FlagTaints: "team=b:NoSchedule"}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("a taint of the user data given again: %v", err)
	}
}
