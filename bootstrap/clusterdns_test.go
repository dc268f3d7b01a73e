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
