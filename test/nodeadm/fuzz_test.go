package nodeadm

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/test/userdata"
)

// choices hands out the fuzzer's bytes as decisions; past the end, the
// first option.
type choices struct {
	b []byte
	i int
}

func (c *choices) pick(n int) int {
	if c.i >= len(c.b) {
		return 0
	}
	c.i++
	return int(c.b[c.i-1]) % n
}

func (c *choices) of(options ...string) string { return options[c.pick(len(options))] }

// shape builds user data from choices, varying what the generators vary:
// which parts, in what order, under which headers (order, case, repeats,
// parameters, transfer encodings nodeadm reads), which boundary, quoted or
// not, which line ends, a preamble, a part nested in another multipart,
// several YAML documents in a part. The NodeConfigs themselves stay valid,
// so that any disagreement is one of reading user data.
func shape(c *choices) []byte {
	if c.pick(8) == 0 { // not MIME at all
		return []byte(c.of(userdata.NodeConfig("prod"), "#!/bin/bash\necho hi\n", "---\n"+userdata.NodeConfig("prod")+"---\n"+userdata.NodeConfig("b")))
	}
	eol := c.of("\r\n", "\n")
	boundary := c.of("B", "//", "==MYBOUNDARY==", "6a1c3b0f8e", "MIMEBOUNDARY", "a b")
	param := `"` + boundary + `"`
	if c.pick(3) == 0 {
		param = boundary
	}
	contentType := c.of("Content-Type", "content-type", "CONTENT-TYPE") + ": multipart/" + c.of("mixed", "alternative") + "; boundary=" + param
	head := contentType + eol
	switch c.pick(3) {
	case 0:
		head = "MIME-Version: 1.0" + eol + head
	case 1:
		head += "MIME-Version: 1.0" + eol
	}
	var doc strings.Builder
	doc.WriteString(head + eol)
	if c.pick(4) == 0 {
		doc.WriteString("This is a multi-part message in MIME format." + eol)
	}
	for n := 1 + c.pick(4); n > 0; n-- {
		doc.WriteString("--" + boundary + eol + part(c, eol) + eol)
	}
	doc.WriteString("--" + boundary + "--" + eol)
	return []byte(doc.String())
}

// part is one MIME part: its headers, a blank line, its body.
func part(c *choices, eol string) string {
	nodeConfigType := c.of("application/node.eks.aws", "Application/Node.EKS.AWS", `application/node.eks.aws; charset="us-ascii"`)
	body := userdata.NodeConfig(c.of("prod", "a", "b"))
	headers := []string{"Content-Type: " + nodeConfigType}
	switch c.pick(9) {
	case 0:
		headers, body = []string{"Content-Type: text/x-shellscript; charset=\"us-ascii\""}, "#!/bin/bash\necho pre\n"
	case 1:
		headers, body = []string{"Content-Type: text/cloud-config"}, "#cloud-config\nruncmd: [true]\n"
	case 2:
		headers = []string{"X-Note: no type"}
	case 3:
		headers = []string{"Content-Type: multipart/mixed; boundary=\"inner\""}
		body = "--inner" + eol + "Content-Type: application/node.eks.aws" + eol + eol + body + eol + "--inner--"
	case 4:
		body = "---\n" + body + "---\n" + userdata.NodeConfig("second")
	case 5:
		headers = append(headers, "Content-Transfer-Encoding: quoted-printable")
		body = strings.ReplaceAll(body, "=", "=3D")
	case 6:
		headers = append(headers, "Content-Type: application/node.eks.aws")
	case 7:
		headers = append([]string{"Content-Transfer-Encoding: 7bit", "Mime-Version: 1.0"}, headers...)
	}
	return strings.Join(headers, eol) + eol + eol + body
}

// mainDecodes says whether nodeadm main would decode data (base64 of the
// whole, or gzip), which the pinned referee cannot: shape never makes
// such a document, and a mutated one is left out.
func mainDecodes(data []byte) bool {
	if _, err := base64.StdEncoding.DecodeString(string(data)); err == nil {
		return true
	}
	return len(data) > 1 && data[0] == 0x1f && data[1] == 0x8b
}

// serveUserData is an IMDSv2 that knows only user data: nodeadm's reading
// needs no more, and it stops nodeadm at its next question.
func serveUserData(t *testing.T, data []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			w.Write([]byte("token"))
		case r.URL.Path == "/latest/user-data":
			w.Write(data)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// eksbootReadsUserData is eksboot's reading of the user data at endpoint,
// as --config imds://user-data reads it.
func eksbootReadsUserData(endpoint string) cluster {
	v, _, err := inputs.ConfigSource(context.Background(), inputs.UserDataSource, true, imds.New(endpoint))
	if err != nil {
		return cluster{refused: err.Error()}
	}
	ca, err := base64.StdEncoding.DecodeString(v.Get(inputs.FlagCA))
	if err != nil {
		return cluster{refused: fmt.Sprintf("the CA is not base64: %v", err)}
	}
	return cluster{Name: v.Get(inputs.FlagClusterName), APIServerEndpoint: v.Get(inputs.FlagEndpoint), CA: ca, CIDR: v.Get(inputs.FlagServiceCIDR)}
}

// FuzzUserDataAgainstNodeadm: whatever shape the generators' user data
// takes, eksboot finds the cluster nodeadm finds, or none where it finds
// none. make test runs the committed seeds and a short fuzz.
func FuzzUserDataAgainstNodeadm(f *testing.F) {
	for _, seed := range [][]byte{{}, {1}, {1, 0, 0, 1, 2, 3}, {1, 1, 2, 0, 1, 3, 4, 5}, {1, 5, 2, 1, 0, 3, 2, 6, 7}, {7, 0, 1, 2, 3, 4, 5, 6, 7, 8}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, decisions []byte) {
		data := shape(&choices{b: decisions})
		if mainDecodes(data) {
			return
		}
		endpoint := serveUserData(t, data)
		theirs, ours := nodeadmReads(t, endpoint), eksbootReadsUserData(endpoint)
		if !theirs.same(ours) {
			t.Fatalf("on\n%s\nnodeadm: %s\neksboot: %s", bytes.ReplaceAll(data, []byte("\r"), []byte(`\r`)), theirs, ours)
		}
	})
}
