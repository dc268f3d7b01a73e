package inputs

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/userdata"
)

// TestNodeadmRefusesConfig: what nodeadm refuses in a NodeConfig of the
// user data (a name YAML 1.1 types as a number or boolean, a CA that is not
// base64 to encoding/base64, a leading empty document) reaches the Config
// with its field, whichever part it is in; what nodeadm reads does not.
func TestNodeadmRefusesConfig(t *testing.T) {
	part := "Content-Type: application/node.eks.aws\r\n\r\n"
	good := userdata.NodeConfig("prod")
	ca := userdata.CA
	for _, tc := range []struct{ name, doc, field string }{
		{"name 123", userdata.NodeConfig("123"), "spec.cluster.name"},
		{"name yes", userdata.NodeConfig("yes"), "spec.cluster.name"},
		{"name 0x1F", userdata.NodeConfig("0x1F"), "spec.cluster.name"},
		{"name 1e3", userdata.NodeConfig("1e3"), "spec.cluster.name"},
		{"CA with a space", strings.Replace(good, ca, ca[:8]+" "+ca[8:], 1), "spec.cluster.certificateAuthority"},
		{"CA split across plain lines", strings.Replace(good, ca, ca[:8]+"\n      "+ca[8:], 1), "spec.cluster.certificateAuthority"},
		{"a leading empty document", "---\n---\n" + good, "the document"},
		{"enableOutpost quoted", strings.Replace(good, "    name: prod\n", "    name: prod\n    enableOutpost: \"true\"\n    id: x\n", 1), "spec.cluster.enableOutpost"},
		{"a feature gate quoted", good + "  featureGates:\n    InstanceIdNodeName: \"true\"\n", "spec.featureGates"},
		{"kubelet flags not a list", good + "  kubelet:\n    flags: --v=2\n", "spec.kubelet.flags"},
		{"quoted 123", userdata.NodeConfig(`"123"`), ""},
		{"CA in a literal block", strings.Replace(good, ca, "|\n      "+ca[:8]+"\n      "+ca[8:], 1), ""},
		{"a leading ---", "---\n" + good, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, parts := range [][]string{{part + tc.doc}, {part + tc.doc, part + good}} {
				v, _, err := userDataValues(userdata.Multipart(userdata.MIMEVersion, "B", parts...))
				if err != nil {
					t.Fatal(err)
				}
				c, err := Resolve(v, noHost, noIMDS(), testNow, false)
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Join(c.NodeadmRefuses, "; ")
				if tc.field == "" && got != "" || !strings.HasPrefix(got, tc.field) {
					t.Fatalf("%d parts: refuses %q; want field %q", len(parts), got, tc.field)
				}
			}
		})
	}
}

// TestFlowStyleIsNotJSON: nodeadm's decoder takes a document that starts
// with { for JSON, so YAML flow style fails there (apimachinery
// yaml.IsJSONBuffer); eksboot says so rather than read it as YAML.
func TestFlowStyleIsNotJSON(t *testing.T) {
	doc := "{apiVersion: node.eks.aws/v1alpha1, kind: NodeConfig, spec: {cluster: {name: prod}}}\n"
	_, _, err := userDataValues([]byte(doc))
	wantInputError(t, err, FlagConfig, "not valid JSON")
}

// TestNodeadmReadsTheseShapes: what nodeadm loads, eksboot reads the same:
// APIVERSION/KIND keys (sniffed case-insensitively), a key given twice (the
// last wins), JSON with \/ escapes, anchors and merge keys.
func TestNodeadmReadsTheseShapes(t *testing.T) {
	ca := userdata.CA
	for name, doc := range map[string]string{
		"upper-case keys": strings.Replace(strings.Replace(userdata.NodeConfig("prod"), "apiVersion:", "APIVERSION:", 1), "kind:", "KIND:", 1),
		"anchors and a merge key": "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nbase: &base\n  name: base\n  cidr: " + userdata.CIDR +
			"\n  apiServerEndpoint: &ep " + userdata.Endpoint + "\nspec:\n  cluster:\n    <<: *base\n    name: prod\n    apiServerEndpoint: *ep\n    certificateAuthority: " + ca + "\n",
		"a key twice":   strings.Replace(userdata.NodeConfig("prod"), "    name: prod\n", "    name: first\n    name: prod\n", 1),
		"JSON with \\/": `{"apiVersion":"node.eks.aws\/v1alpha1","kind":"NodeConfig","spec":{"cluster":{"name":"prod","apiServerEndpoint":"https:\/\/abc.gr7.eu-west-1.eks.amazonaws.com","certificateAuthority":"` + ca + `","cidr":"10.100.0.0\/16"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			v, _, err := userDataValues([]byte(doc))
			if err != nil || v.Get(FlagClusterName) != "prod" || v.Get(FlagServiceCIDR) != userdata.CIDR {
				t.Fatalf("%v %v", v, err)
			}
		})
	}
}
