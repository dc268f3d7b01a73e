package run

import (
	"errors"
	"github.com/eksboot/eksboot/report"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
)

// TestIdentityExpectsWhatNodeadmRegisters: with InstanceIdNodeName the node
// registers as its instance id; on an Outposts local cluster the token
// names the cluster id.
func TestIdentityExpectsWhatNodeadmRegisters(t *testing.T) {
	f := &imds.Facts{InstanceID: "i-0abc", LocalHostname: "ip-10-0-0-1.eu-west-1.compute.internal"}
	f.Identity.Err = errors.New("no role")
	for _, tc := range []struct {
		cfg           inputs.Config
		node, cluster string
	}{
		{inputs.Config{ClusterName: "prod"}, f.LocalHostname, "prod"},
		{inputs.Config{ClusterName: "prod", NodeNameFromInstanceID: true, OutpostClusterID: "0123-abcd"}, "i-0abc", "0123-abcd"},
	} {
		p := BuildPlan(&tc.cfg, inputs.Settings{}, f)
		if p.Identity.NodeName != tc.node || p.Identity.Cluster != tc.cluster {
			t.Errorf("%+v: node %q cluster %q; want %q %q", tc.cfg, p.Identity.NodeName, p.Identity.Cluster, tc.node, tc.cluster)
		}
	}
}

// TestNodeadmRefusalFailsTheRun: what nodeadm refuses in the user data is a
// failed config result (the verdict fails, so --exec does not hand over),
// not an input error: the flags were right, the user data is not.
func TestNodeadmRefusalFailsTheRun(t *testing.T) {
	cfg := &inputs.Config{NodeadmRefuses: []string{"spec.cluster.name: a number"}}
	rs := inputResults(Options{}, cfg, inputs.Settings{})
	if len(rs) != 1 || rs[0].Status != report.Fail || rs[0].Code != report.NodeadmRefusesConfig || !strings.Contains(rs[0].Msg, "spec.cluster.name") {
		t.Fatalf("%+v", rs)
	}
}
