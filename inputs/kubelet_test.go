package inputs

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseLabels(t *testing.T) {
	got, err := ParseLabels([]string{"team=data", "node.kubernetes.io/lifecycle=spot", "empty="})
	want := []Label{{"team", "data"}, {"node.kubernetes.io/lifecycle", "spot"}, {"empty", ""}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v %v", got, err)
	}
	for item, fragment := range map[string]string{
		"team":                            "not key=value",
		"=data":                           "not a valid label key",
		"bad key=x":                       "not a valid label key",
		"Example.COM/x=y":                 "not a valid label key",
		"team=$(reboot)":                  "not a valid label value",
		"team=a b":                        "not a valid label value",
		"team=" + strings.Repeat("v", 64): "not a valid label value",
	} {
		_, err := ParseLabels([]string{item})
		wantInputError(t, err, FlagNodeLabels, fragment)
	}
}

func TestParseTaints(t *testing.T) {
	got, err := ParseTaints([]string{"dedicated=gpu:NoSchedule", "spot:PreferNoSchedule", "dedicated=gpu:NoExecute"})
	want := []Taint{{"dedicated", "gpu", "NoSchedule"}, {"spot", "", "PreferNoSchedule"}, {"dedicated", "gpu", "NoExecute"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v %v", got, err)
	}
	if got[1].String() != "spot:PreferNoSchedule" || got[0].String() != "dedicated=gpu:NoSchedule" {
		t.Fatalf("String: %s %s", got[0], got[1])
	}
	for item, fragment := range map[string]string{
		"dedicated=gpu":          "not key=value:Effect",
		"dedicated=gpu:Never":    "effect \"Never\"",
		"bad key=gpu:NoSchedule": "not a valid taint key",
		"k=v;x:NoSchedule":       "not a valid taint value",
	} {
		_, err := ParseTaints([]string{item})
		wantInputError(t, err, FlagTaints, fragment)
	}
}

func TestKubeletFlags(t *testing.T) {
	c := &Config{
		NodeLabels:       []Label{{"a", "1"}, {"b", "2"}},
		Taints:           []Taint{{"t", "", "NoSchedule"}},
		KubeletExtraArgs: "  --max-pods=20\n --v=2 ",
	}
	want := []string{"--node-labels=a=1,b=2", "--register-with-taints=t:NoSchedule", "--max-pods=20", "--v=2"}
	if got := c.KubeletFlags(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	if got := c.KubeletArgsLine(); got != "--node-labels=a=1,b=2 --register-with-taints=t:NoSchedule --max-pods=20\n --v=2" {
		t.Fatalf("extra args string: %q", got)
	}
}
