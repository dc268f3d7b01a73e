// Package userdata is the corpus of AL2023 user data the tests read: the
// shapes that Karpenter, terraform-aws-eks, eksctl and EKS managed node
// groups write, written here from their formats, with what nodeadm finds
// in each. The inputs tests read it with eksboot; test/nodeadm puts every
// document before nodeadm itself.
package userdata

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"mime/quotedprintable"
	"strings"

	"github.com/eksboot/eksboot/test/testpki"
)

// Endpoint and CIDR are what every NodeConfig of the corpus states.
const (
	Endpoint = "https://abc.gr7.eu-west-1.eks.amazonaws.com"
	CIDR     = "10.100.0.0/16"
)

// CA is the certificateAuthority every NodeConfig states: the committed
// test CA, since eksboot refuses one that is not a certificate.
var CA = base64.StdEncoding.EncodeToString(testpki.ClusterCAPEM)

// Case is one document and what nodeadm finds in it.
type Case struct {
	Name string
	Data []byte
	// Cluster is the name of the NodeConfig nodeadm merges from Data; ""
	// when it finds none, and Refuse is then what eksboot must say.
	Cluster, Refuse string
	// Decoded is Data as nodeadm main decodes it before it reads MIME and
	// YAML (base64 of the whole or of a NodeConfig part, then gzip:
	// amazon-eks-ami nodeadm/internal/configprovider, encoding.go and
	// mime.go); nil when there is nothing to decode. Nodeadm releases
	// before that decoding read only Decoded as main reads Data.
	Decoded []byte
}

// NodeConfig is a NodeConfig naming cluster, as the generators write one.
func NodeConfig(cluster string) string {
	return "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: " + cluster +
		"\n    apiServerEndpoint: " + Endpoint + "\n    certificateAuthority: " + CA + "\n    cidr: " + CIDR + "\n"
}

// Gzip is b compressed, as cloud-init and Karpenter compress.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Base64 is b in standard base64, on one line.
func Base64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Wrapped is base64 broken into 76-character lines, as MIME writers do.
func Wrapped(b []byte) string {
	s := Base64(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s
}

func quotedPrintable(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// Multipart is a MIME multipart document: head, then boundary b quoted,
// then parts, each its headers, a blank line and its body.
func Multipart(head, b string, parts ...string) []byte {
	doc := head + "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n"
	for _, p := range parts {
		doc += "--" + b + "\r\n" + p + "\r\n"
	}
	return []byte(doc + "--" + b + "--\r\n")
}

func repeat(part string, n int) []string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = part
	}
	return parts
}

// MIMEVersion is the header every generator writes first.
const MIMEVersion = "MIME-Version: 1.0\r\n"

const (
	nodeConfigPart = "Content-Type: application/node.eks.aws\r\n\r\n"
	shellPart      = "Content-Type: text/x-shellscript; charset=\"us-ascii\"\r\n\r\n#!/bin/bash\necho custom\n"
)

// Corpus is every shape, in a fixed order.
func Corpus() []Case {
	nc := NodeConfig
	plainParts := Multipart(MIMEVersion, "B", nodeConfigPart+nc("prod"))
	return []Case{
		{Name: "karpenter unmerged", Cluster: "prod", Data: Multipart(MIMEVersion, "//", nodeConfigPart+nc("prod"))},
		{Name: "karpenter merged with a custom shell and a headerless base64 part", Cluster: "prod",
			Data:    Multipart(MIMEVersion, "//", shellPart, nodeConfigPart+Wrapped([]byte(nc("custom"))), nodeConfigPart+nc("prod")),
			Decoded: Multipart(MIMEVersion, "//", shellPart, nodeConfigPart+nc("custom"), nodeConfigPart+nc("prod"))},
		{Name: "karpenter custom part gzip+base64, no header", Cluster: "prod",
			Data:    Multipart(MIMEVersion, "BOUNDARY", nodeConfigPart+Wrapped(Gzip([]byte(nc("custom")))), nodeConfigPart+nc("prod")),
			Decoded: Multipart(MIMEVersion, "BOUNDARY", nodeConfigPart+nc("custom"), nodeConfigPart+nc("prod"))},
		{Name: "terraform pre-bootstrap shell, CRLF headers, LF bodies", Cluster: "prod", Data: Multipart(MIMEVersion, "MIMEBOUNDARY",
			"Content-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\n\r\n#!/bin/bash\necho pre\n",
			"Content-Transfer-Encoding: 7bit\r\nContent-Type: application/node.eks.aws\r\nMime-Version: 1.0\r\n\r\n---\n"+nc("prod"))},
		{Name: "eksctl hex boundary, Content-Type first, repeated headers", Cluster: "prod", Data: []byte(
			"Content-Type: multipart/mixed; boundary=6a1c3b0f8e\r\nMIME-Version: 1.0\r\n\r\n--6a1c3b0f8e\r\nContent-Type: application/node.eks.aws\r\nContent-Type: application/node.eks.aws\r\n\r\n" +
				nc("prod") + "\r\n--6a1c3b0f8e--\r\n")},
		{Name: "managed node group, EKS part first and last", Cluster: "prod", Data: Multipart(MIMEVersion, "==MYBOUNDARY==",
			nodeConfigPart+nc("first"), "Content-Type: text/x-shellscript\r\n\r\n#!/bin/bash\ntrue\n", nodeConfigPart+nc("prod"))},
		{Name: "gzip of the whole", Cluster: "prod", Data: Gzip(plainParts), Decoded: plainParts},
		{Name: "base64 of the whole", Cluster: "prod", Data: []byte(Base64(plainParts)), Decoded: plainParts},
		{Name: "base64 part with its header", Cluster: "prod",
			Data:    Multipart(MIMEVersion, "B", "Content-Type: application/node.eks.aws\r\nContent-Transfer-Encoding: base64\r\n\r\n"+Wrapped([]byte(nc("prod")))),
			Decoded: plainParts},
		{Name: "base64 part without a header", Cluster: "prod",
			Data: Multipart(MIMEVersion, "B", nodeConfigPart+Base64([]byte(nc("prod")))), Decoded: plainParts},
		{Name: "quoted-printable part", Cluster: "prod", Data: Multipart(MIMEVersion, "B",
			"Content-Type: application/node.eks.aws\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+
				quotedPrintable(nc("prod")+"# a comment long enough that quoted-printable wraps it, and with an = sign: a=b\n"))},
		{Name: "a part without Content-Type is skipped", Cluster: "prod", Data: Multipart(MIMEVersion, "B",
			"X-Note: no type\r\n\r\nnot: a nodeconfig\n", nodeConfigPart+nc("prod"))},
		{Name: "base64 of a plain NodeConfig", Cluster: "prod", Data: []byte(Base64([]byte(nc("prod")))), Decoded: []byte(nc("prod"))},
		{Name: "a NodeConfig alone", Cluster: "prod", Data: []byte(nc("prod"))},
		{Name: "APIVERSION and KIND keys", Cluster: "prod", Data: []byte(strings.Replace(strings.Replace(nc("prod"), "apiVersion:", "APIVERSION:", 1), "kind:", "KIND:", 1))},
		{Name: "a key given twice: the last wins", Cluster: "prod", Data: []byte(strings.Replace(nc("prod"), "    name: prod\n", "    name: first\n    name: prod\n", 1))},
		{Name: "anchors and a merge key", Cluster: "prod", Data: []byte("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nbase: &base\n  name: base\n  cidr: " + CIDR +
			"\n  apiServerEndpoint: &ep " + Endpoint + "\nspec:\n  cluster:\n    <<: *base\n    name: prod\n    apiServerEndpoint: *ep\n    certificateAuthority: " + CA + "\n")},
		{Name: "JSON with \\/ escapes", Cluster: "prod", Data: []byte(`{"apiVersion":"node.eks.aws\/v1alpha1","kind":"NodeConfig","spec":{"cluster":{"name":"prod","apiServerEndpoint":"` +
			strings.ReplaceAll(Endpoint, "/", `\/`) + `","certificateAuthority":"` + CA + `","cidr":"10.100.0.0\/16"}}}`)},
		{Name: "300 parts", Cluster: "prod", Data: Multipart(MIMEVersion, "B", append(repeat("Content-Type: text/plain\r\n\r\n", 299), nodeConfigPart+nc("prod"))...)},
		{Name: "two documents in one part: the first counts", Cluster: "prod", Data: Multipart(MIMEVersion, "B",
			nodeConfigPart+nc("prod")+"---\n"+nc("second"))},
		{Name: "nested multipart holds the NodeConfig", Refuse: "has no NodeConfig", Data: Multipart(MIMEVersion, "outer",
			"Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n--inner\r\n"+nodeConfigPart+nc("prod")+"\r\n--inner--\r\n")},
		{Name: "boundary=// unquoted", Refuse: "must be in double quotes", Data: []byte(
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=//\r\n\r\n--//\r\n" + nodeConfigPart + nc("prod") + "\r\n--//--\r\n")},
		{Name: "a shell script that writes a NodeConfig", Refuse: "has no NodeConfig", Data: []byte(
			"#!/bin/bash\ncat <<EOF >/etc/eks/nodeadm.d/x.yaml\n" + nc("prod") + "EOF\n")},
		{Name: "a NodeConfig in YAML flow style, which nodeadm takes for JSON", Refuse: "not valid JSON", Data: []byte(
			"{apiVersion: node.eks.aws/v1alpha1, kind: NodeConfig, spec: {cluster: {name: prod, apiServerEndpoint: \"" + Endpoint +
				"\", certificateAuthority: " + CA + ", cidr: " + CIDR + "}}}\n")},
	}
}
