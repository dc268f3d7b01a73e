package inputs

import (
	"bytes"
	"compress/gzip"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// ncDoc is a NodeConfig naming cluster, as the generators write one.
func ncDoc(cluster string) string {
	return "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: " + cluster +
		"\n    apiServerEndpoint: https://abc.gr7.eu-west-1.eks.amazonaws.com\n    certificateAuthority: Q0E=\n    cidr: 10.100.0.0/16\n"
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// wrapped is base64 broken into 76-character lines, as MIME writers do.
func wrapped(b []byte) string {
	s := b64(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s
}

func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// multipartDoc is a MIME multipart document with boundary b and parts.
func multipartDoc(head, b string, parts ...string) []byte {
	doc := head + "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n"
	for _, p := range parts {
		doc += "--" + b + "\r\n" + p + "\r\n"
	}
	return []byte(doc + "--" + b + "--\r\n")
}

const mimeVersion = "MIME-Version: 1.0\r\n"

// userDataCorpus are the shapes of user data the tools that write AL2023
// launch templates produce (written here from their formats), and what
// nodeadm reads from each: the cluster name of the merged NodeConfig, or
// "" for none, with refuse naming what eksboot must say.
var userDataCorpus = []struct {
	name, want, refuse string
	data               []byte
}{
	{name: "karpenter unmerged", want: "prod", data: multipartDoc(mimeVersion, "//",
		"Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod"))},
	{name: "karpenter merged with a custom shell and a headerless base64 part", want: "prod", data: multipartDoc(mimeVersion, "//",
		"Content-Type: text/x-shellscript; charset=\"us-ascii\"\r\n\r\n#!/bin/bash\necho custom\n",
		"Content-Type: application/node.eks.aws\r\n\r\n"+wrapped([]byte(ncDoc("custom"))),
		"Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod"))},
	{name: "karpenter custom part gzip+base64, no header", want: "prod", data: multipartDoc(mimeVersion, "BOUNDARY",
		"Content-Type: application/node.eks.aws\r\n\r\n"+wrapped(gzipped([]byte(ncDoc("custom")))),
		"Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod"))},
	{name: "terraform pre-bootstrap shell, CRLF headers, LF bodies", want: "prod", data: multipartDoc(mimeVersion, "MIMEBOUNDARY",
		"Content-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\n#!/bin/bash\necho pre\n",
		"Content-Transfer-Encoding: 7bit\r\nContent-Type: application/node.eks.aws\r\nMime-Version: 1.0\r\n\r\n---\n"+ncDoc("prod"))},
	{name: "eksctl hex boundary, Content-Type first, repeated headers", want: "prod", data: []byte(
		"Content-Type: multipart/mixed; boundary=6a1c3b0f8e\r\nMIME-Version: 1.0\r\n\r\n--6a1c3b0f8e\r\nContent-Type: application/node.eks.aws\r\nContent-Type: application/node.eks.aws\r\n\r\n" +
			ncDoc("prod") + "\r\n--6a1c3b0f8e--\r\n")},
	{name: "managed node group, EKS part first and last", want: "prod", data: multipartDoc(mimeVersion, "==MYBOUNDARY==",
		"Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("first"),
		"Content-Type: text/x-shellscript\r\n\r\n#!/bin/bash\ntrue\n",
		"Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod"))},
	{name: "gzip of the whole", want: "prod", data: gzipped(multipartDoc(mimeVersion, "B", "Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod")))},
	{name: "base64 of the whole", want: "prod", data: []byte(b64(multipartDoc(mimeVersion, "B", "Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod"))))},
	{name: "base64 part with its header", want: "prod", data: multipartDoc(mimeVersion, "B",
		"Content-Type: application/node.eks.aws\r\nContent-Transfer-Encoding: base64\r\n\r\n"+wrapped([]byte(ncDoc("prod"))))},
	{name: "base64 part without a header", want: "prod", data: multipartDoc(mimeVersion, "B",
		"Content-Type: application/node.eks.aws\r\n\r\n"+b64([]byte(ncDoc("prod"))))},
	{name: "quoted-printable part", want: "prod", data: multipartDoc(mimeVersion, "B",
		"Content-Type: application/node.eks.aws\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+qp(ncDoc("prod")+"# a comment long enough that quoted-printable wraps it, and with an = sign: a=b\n"))},
	{name: "a part without Content-Type is skipped", want: "prod", data: multipartDoc(mimeVersion, "B",
		"X-Note: no type\r\n\r\nnot: a nodeconfig\n",
		"Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod"))},
	{name: "base64 of a plain NodeConfig", want: "prod", data: []byte(b64([]byte(ncDoc("prod"))))},
	{name: "a NodeConfig alone", want: "prod", data: []byte(ncDoc("prod"))},
	{name: "two documents in one part: the first counts", want: "prod", data: multipartDoc(mimeVersion, "B",
		"Content-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod")+"---\n"+ncDoc("second"))},
	{name: "nested multipart holds the NodeConfig", refuse: "has no NodeConfig", data: multipartDoc(mimeVersion, "outer",
		"Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n--inner\r\nContent-Type: application/node.eks.aws\r\n\r\n"+ncDoc("prod")+"\r\n--inner--\r\n")},
	{name: "boundary=// unquoted", refuse: "must be in double quotes", data: []byte(
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=//\r\n\r\n--//\r\nContent-Type: application/node.eks.aws\r\n\r\n" + ncDoc("prod") + "\r\n--//--\r\n")},
	{name: "a shell script that writes a NodeConfig", refuse: "has no NodeConfig", data: []byte("#!/bin/bash\ncat <<EOF >/etc/eks/nodeadm.d/x.yaml\n" + ncDoc("prod") + "EOF\n")},
}

// TestUserDataAsNodeadmReadsIt: every shape in the corpus gives what
// nodeadm's user-data provider gives: the same merged cluster, or a refusal
// that says so, quoting none of the user data.
func TestUserDataAsNodeadmReadsIt(t *testing.T) {
	for _, tc := range userDataCorpus {
		t.Run(tc.name, func(t *testing.T) {
			v, _, err := userDataValues(tc.data)
			if tc.refuse != "" {
				if err == nil || !strings.Contains(err.Error(), "nodeadm will not find a NodeConfig") || !strings.Contains(err.Error(), tc.refuse) {
					t.Fatalf("want a refusal (%s), got %v %v", tc.refuse, v, err)
				}
				if strings.Contains(err.Error(), "apiVersion") || strings.Contains(err.Error(), "prod") {
					t.Fatalf("the refusal quotes user data: %v", err)
				}
				return
			}
			if err != nil || v.Get(FlagClusterName) != tc.want || v.Get(FlagServiceCIDR) != "10.100.0.0/16" {
				t.Fatalf("read %v, %v; want cluster %s", v, err, tc.want)
			}
		})
	}
}
