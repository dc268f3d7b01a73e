package run

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/imdsmock"
)

// TestTheNodeNameIsEC2s: with a DHCP option set whose domain IMDS's
// local-hostname does not show, the node registers as DescribeInstances'
// private DNS name (nodeadm's and bootstrap.sh's call), and the identity
// check expects that name, saying so when a mapping names another.
func TestTheNodeNameIsEC2s(t *testing.T) {
	inst := imdsmock.Default()
	const ec2Name = "ip-10-0-1-10.corp.example.com"

	v := newVPC(t, "10.100.0.1")
	v.AWS.PrivateDNSName = ec2Name
	v.API.Access.PrivateDNSName[inst.InstanceID] = ec2Name
	out, err := v.run(t, false, inputs.FlagServiceCIDR, "10.100.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	if !out.Verdict.Passed || out.User == nil || out.User.Username != "system:node:"+ec2Name {
		t.Fatalf("mapped as EC2 names the node: %+v %+v %s", out.Verdict, out.User, dumpResults(out.Results))
	}

	v.API.Access.PrivateDNSName[inst.InstanceID] = inst.LocalHostname // a mapping of IMDS's name
	out, err = v.run(t, false, inputs.FlagServiceCIDR, "10.100.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Results {
		if r.Code == report.AuthNodeName {
			if !strings.Contains(r.Msg, "registers as system:node:"+ec2Name) || !strings.Contains(r.Msg, "IMDS's local-hostname is "+inst.LocalHostname) {
				t.Fatalf("%s", r.Msg)
			}
			return
		}
	}
	t.Fatalf("no auth_node_name: %s", dumpResults(out.Results))
}

func dumpResults(rs []report.Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(string(r.Status) + " " + string(r.Code) + " " + r.Msg + "\n")
	}
	return b.String()
}
