package inputs

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/userdata"
)

// TestNodeConfigNamesNodeAndTokenCluster: the user data's InstanceIdNodeName
// gate (yes is true to nodeadm's YAML 1.1 decoder; a later part's value
// wins) and an Outposts local cluster's id reach the Config, as nodeadm's
// merge of the parts leaves them.
func TestNodeConfigNamesNodeAndTokenCluster(t *testing.T) {
	part := "Content-Type: application/node.eks.aws\r\n\r\n"
	withSpec := func(extra string) string {
		return strings.Replace(userdata.NodeConfig("prod"), "spec:\n", "spec:\n"+extra, 1)
	}
	for _, tc := range []struct {
		name, first, second string
		byID                bool
		cluster             string
	}{
		{"gate yes, outpost", withSpec("  featureGates:\n    InstanceIdNodeName: yes\n") + "    enableOutpost: true\n    id: 0123-abcd\n", "", true, "0123-abcd"},
		{"a later false wins; a later enableOutpost false does not undo", withSpec("  featureGates:\n    InstanceIdNodeName: true\n") + "    enableOutpost: true\n    id: x1\n",
			withSpec("  featureGates:\n    InstanceIdNodeName: false\n") + "    enableOutpost: false\n", false, "x1"},
		{"id without enableOutpost", userdata.NodeConfig("prod") + "    id: x1\n", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := []string{part + tc.first}
			if tc.second != "" {
				parts = append(parts, part+tc.second)
			}
			v, _, err := userDataValues(userdata.Multipart(userdata.MIMEVersion, "B", parts...))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Resolve(v, noHost, noIMDS(), testNow, false)
			if err != nil {
				t.Fatal(err)
			}
			if c.NodeNameFromInstanceID != tc.byID || c.OutpostClusterID != tc.cluster {
				t.Fatalf("by instance id %v, token cluster %q; want %v, %q", c.NodeNameFromInstanceID, c.OutpostClusterID, tc.byID, tc.cluster)
			}
		})
	}
}
