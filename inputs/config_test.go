package inputs

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/userdata"
)

func TestParseConfigFlagKeys(t *testing.T) {
	v, err := ParseConfig([]byte(`
cluster-name: prod
apiserver-endpoint: https://abc.example
service-cidr: 10.100.0.0/16
node-labels: [a=1, b=2]
kubelet-extra-args: --max-pods=20
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Values{
		FlagClusterName: {"prod"}, FlagEndpoint: {"https://abc.example"}, FlagServiceCIDR: {"10.100.0.0/16"},
		FlagNodeLabels: {"a=1", "b=2"}, FlagKubeletExtraArgs: {"--max-pods=20"},
	}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %v", v)
	}
	for doc, fragment := range map[string]string{
		"clustername: x":          `unknown key "clustername"`,
		"config: /etc/other.yaml": `unknown key "config"`,
		"cluster-name: [a, b]":    "takes one value, not a list",
		"cluster-name: {a: b}":    "takes a value, not a map",
		"cluster-name: [unclosed": "not valid YAML",
		"- just\n- a list":        "not a map of keys to values",
	} {
		if _, err := ParseConfig([]byte(doc)); err == nil || !strings.Contains(err.Error(), fragment) {
			t.Errorf("%q: got %v, want %q", doc, err, fragment)
		}
	}
}

const nodeConfigDoc = `---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: prod
    apiServerEndpoint: https://abc.gr7.eu-west-1.eks.amazonaws.com
    certificateAuthority: Q0E=
    cidr: 10.100.0.0/16
  kubelet:
    flags: [--v=2]
`

func TestParseConfigNodeConfig(t *testing.T) {
	v, err := ParseConfig([]byte(nodeConfigDoc))
	if err != nil {
		t.Fatal(err)
	}
	want := Values{FlagClusterName: {"prod"}, FlagEndpoint: {"https://abc.gr7.eu-west-1.eks.amazonaws.com"}, FlagCA: {"Q0E="}, FlagServiceCIDR: {"10.100.0.0/16"}}
	for k := range v {
		if strings.HasPrefix(k, nodeConfigOnly) {
			delete(v, k) // what only the drop-in restates
		}
	}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %v", v)
	}
	v6, err := ParseConfig([]byte(strings.Replace(nodeConfigDoc, "10.100.0.0/16", "fd30::/108", 1)))
	if err != nil || v6.Get(FlagServiceIPv6CIDR) != "fd30::/108" || v6.Has(FlagServiceCIDR) {
		t.Fatalf("IPv6 cidr: %v %v", v6, err)
	}
	if _, err := ParseConfig([]byte("apiVersion: v1\nkind: ConfigMap\n")); err == nil || !strings.Contains(err.Error(), "the only kind understood") {
		t.Fatalf("other kinds: %v", err)
	}
	// A later document fills in over an earlier one, as nodeadm merges.
	v, err = ParseConfig([]byte(nodeConfigDoc + "---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: other\n"))
	if err != nil || v.Get(FlagClusterName) != "other" || v.Get(FlagCA) != "Q0E=" {
		t.Fatalf("merge: %v %v", v, err)
	}
}

const shellPart = "Content-Type: text/x-shellscript; charset=\"us-ascii\"\r\n\r\n#!/bin/bash\neksboot run --config imds://user-data\n"

func TestNodeConfigsFromUserData(t *testing.T) {
	plainPart := "Content-Type: application/node.eks.aws\r\n\r\n" + nodeConfigDoc
	b64Part := "Content-Type: application/node.eks.aws\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(nodeConfigDoc))
	gzB64Part := "Content-Type: application/node.eks.aws\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(userdata.Gzip([]byte(nodeConfigDoc)))
	nested := "Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n--inner\r\n" + plainPart + "\r\n--inner--\r\n"
	for name, tc := range map[string]struct {
		data []byte
		want int
	}{
		"mime plain part":         {userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", plainPart, shellPart), 1},
		"mime base64 part":        {userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", shellPart, b64Part), 1},
		"mime gzip base64 part":   {userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", gzB64Part), 1},
		"two parts":               {userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", plainPart, b64Part), 2},
		"nested multipart":        {userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", shellPart, nested), 0}, // nodeadm does not look inside
		"gzip of mime":            {userdata.Gzip(userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", plainPart)), 1},
		"base64 of gzip of mime":  {[]byte(base64.StdEncoding.EncodeToString(userdata.Gzip(userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", plainPart)))), 1},
		"bare NodeConfig":         {[]byte(nodeConfigDoc), 1},
		"shell script only":       {[]byte("#!/bin/bash\necho hi\n"), 0},
		"mime without NodeConfig": {userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", shellPart), 0},
	} {
		docs, err := NodeConfigsFromUserData(tc.data)
		if err != nil || len(docs) != tc.want {
			t.Errorf("%s: %d docs, %v; want %d", name, len(docs), err, tc.want)
			continue
		}
		for _, d := range docs {
			if v, err := ParseConfig(d); err != nil || v.Get(FlagClusterName) != "prod" {
				t.Errorf("%s: part reads as %v, %v", name, v, err)
			}
		}
	}
	docs, err := NodeConfigsFromUserData(userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", "Content-Type: application/node.eks.aws\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!"))
	if err != nil || len(docs) != 1 {
		t.Fatalf("a part that is not base64 is read as it is, as nodeadm reads it: %d %v", len(docs), err)
	}
	if _, err := ParseNodeConfig(docs[0]); err == nil {
		t.Error("and then it is no NodeConfig")
	}
}

func TestConfigSourceFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "absent.yaml")
	if v, _, err := ConfigSource(context.Background(), missing, false, nil); err != nil || len(v) != 0 {
		t.Fatalf("absent default file must be fine: %v %v", v, err)
	}
	_, _, err := ConfigSource(context.Background(), missing, true, nil)
	wantInputError(t, err, FlagConfig, "no such file")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("nope: 1\n"), 0o644)
	_, _, err = ConfigSource(context.Background(), bad, true, nil)
	wantInputError(t, err, FlagConfig, `bad.yaml: unknown key "nope"`)
}

// TestConfigScalarsKeepTheirText: YAML would read 012345 as a number; the
// user wrote a cluster name or an account.
func TestConfigScalarsKeepTheirText(t *testing.T) {
	v, err := ParseConfig([]byte("cluster-name: 012345\necr-account: [012345678901]\ntimeout: 2s\n"))
	if err != nil || v.Get(FlagClusterName) != "012345" || v.Get(FlagECRAccount) != "012345678901" {
		t.Fatalf("%v %v", v, err)
	}
	v, err = ParseConfig([]byte(strings.Replace(nodeConfigDoc, "name: prod", "name: 012345", 1)))
	if err != nil || v.Get(FlagClusterName) != "012345" {
		t.Fatalf("NodeConfig name: %v %v", v, err)
	}
}

// TestNodeConfigClusterDNSCarriesOver: the user's clusterDNS becomes the
// DNS IP, so the drop-in eksboot writes (merged last by nodeadm) keeps it.
func TestNodeConfigClusterDNSCarriesOver(t *testing.T) {
	doc := strings.Replace(nodeConfigDoc, "    flags: [--v=2]", "    config:\n      clusterDNS: [10.100.0.53]\n    flags: [--v=2]", 1)
	v, err := ParseConfig([]byte(doc))
	if err != nil || v.Get(FlagDNSClusterIP) != "10.100.0.53" {
		t.Fatalf("%v %v", v, err)
	}
}

// TestUserDataErrorsQuoteNothing: a broken or foreign part of user data is
// refused without a byte of it in the message.
func TestUserDataErrorsQuoteNothing(t *testing.T) {
	for _, part := range []string{
		"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: [SECRETVALUE: {\n",
		"password: SECRETVALUE\n",
		"apiVersion: SECRETVALUE\nkind: NodeConfig\n",
	} {
		_, err := ParseNodeConfig([]byte(part))
		if err == nil || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "password") {
			t.Errorf("%q: %v", part, err)
		}
	}
}

// TestScriptUserDataIsNotANodeConfig: a shell script that writes a
// NodeConfig is a script, never parsed as YAML.
func TestScriptUserDataIsNotANodeConfig(t *testing.T) {
	for _, ud := range []string{
		"#!/bin/bash\ncat > /etc/eks/nodeadm.d/x.yaml <<EOF\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nEOF\n",
		"<powershell>\n# node.eks.aws/v1alpha1\n</powershell>\n",
	} {
		if docs, err := NodeConfigsFromUserData([]byte(ud)); err != nil || len(docs) != 0 {
			t.Errorf("%q: %d docs, %v", ud, len(docs), err)
		}
	}
	bad := "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: SECRET;;=\r\n\r\nx\r\n--B--\r\n"
	if _, err := NodeConfigsFromUserData([]byte(bad)); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("bad Content-Type: %v", err)
	}
}

// A key given twice (or by its name and its alias) is refused: YAML
// forbids duplicate keys, and one value would be lost without a word.
func TestConfigKeyGivenTwice(t *testing.T) {
	for _, doc := range []string{"cluster-name: prod\ncluster-name: other\n", "service-cidr: 10.100.0.0/16\nservice-ipv4-cidr: 10.200.0.0/16\n"} {
		if _, _, err := parseDocs([]byte(doc), false); err == nil || !strings.Contains(err.Error(), "give it once") {
			t.Errorf("%q: %v", doc, err)
		}
	}
}
