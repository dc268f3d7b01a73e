package bootstrap

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/test/userdata"
)

// TestDropInKeepsTheUserDataClusterDNS: nodeadm takes any clusterDNS list
// (NodeLocal DNSCache's 169.254.20.10 is outside the service CIDR), and the
// drop-in, merged over it, restates every entry.
func TestDropInKeepsTheUserDataClusterDNS(t *testing.T) {
	nc := strings.Replace(userdata.NodeConfig("prod"), "spec:\n", "spec:\n  kubelet:\n    config:\n      clusterDNS: [169.254.20.10, 10.100.0.10]\n", 1)
	v, err := inputs.ParseNodeConfig([]byte(nc))
	if err != nil {
		t.Fatal(err)
	}
	v[inputs.FlagCA] = validValues()[inputs.FlagCA]
	c := resolveTarget(t, inputs.TargetAL2023, v)
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "clusterDNS:\n        - 169.254.20.10\n        - 10.100.0.10\n") {
		t.Fatalf("drop-in:\n%s", out)
	}
}

// TestDropInRestatesTheUserDataAsRead: values eksboot trims, canonicalizes
// or masks are restated as nodeadm read them, since the drop-in's non-empty
// values replace the user data's; a flag given over them still wins.
func TestDropInRestatesTheUserDataAsRead(t *testing.T) {
	nc := strings.NewReplacer("name: prod", `name: "prod "`, userdata.Endpoint, userdata.Endpoint+":443/", userdata.CIDR, "10.100.5.7/16").Replace(userdata.NodeConfig("prod"))
	v, err := inputs.ParseNodeConfig([]byte(nc))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(resolveTarget(t, inputs.TargetAL2023, v))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name: 'prod '`, "apiServerEndpoint: " + userdata.Endpoint + ":443/\n", "cidr: 10.100.5.7/16\n"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("want %q in the drop-in:\n%s", want, out)
		}
	}
	v[inputs.FlagClusterName] = []string{"other"}
	if out, _ := Render(resolveTarget(t, inputs.TargetAL2023, v)); !strings.Contains(string(out), "name: other\n") {
		t.Fatalf("the flag does not win:\n%s", out)
	}
}
