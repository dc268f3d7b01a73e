package inputs

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
)

// nodeConfigMediaType marks a NodeConfig part in MIME multipart user data.
const nodeConfigMediaType = "application/node.eks.aws"

// maxUserDataParts bounds the parts of a multipart document. nodeadm has no
// cap; EC2 holds 16 KiB of user data, and the smallest part ("--b", a line
// break, an empty header block) is 5 bytes, so 16384/5 parts fit: a document
// with more was not written for a node.
const maxUserDataParts = 4096

// NodeConfigsFromUserData returns the NodeConfig documents nodeadm finds in
// EC2 user data, read the way its user-data provider reads them (amazon-eks-ami
// nodeadm/internal/configprovider): the whole user data base64-decoded
// whenever it is valid base64, then gunzipped when it starts as gzip; then,
// if its top-level Content-Type is multipart/*, each part with Content-Type
// application/node.eks.aws (quoted-printable decoded, then base64-decoded
// whenever valid, then gunzipped), parts without a Content-Type and nested
// multipart parts skipped; otherwise the whole user data is one NodeConfig.
// A script is not, whatever it mentions. Errors quote nothing of the data.
func NodeConfigsFromUserData(data []byte) ([][]byte, error) {
	data, err := gunzipIfGzip(decodeIfBase64(data))
	if err != nil {
		return nil, err
	}
	mr, whyNot := multipartReader(data)
	switch {
	case whyNot != nil:
		return nil, whyNot // MIME nodeadm cannot read: say why
	case mr == nil && (isScript(data) || !mentionsNodeConfig(data)):
		return nil, nil
	case mr == nil:
		return [][]byte{data}, nil
	}
	var docs [][]byte
	for n := 0; ; n++ {
		part, err := mr.NextPart() // decodes quoted-printable, as nodeadm's reader does
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, errors.New("MIME multipart: a part does not parse (is the boundary right?)") // the reader's error quotes the line
		}
		if n >= maxUserDataParts {
			return nil, fmt.Errorf("MIME multipart: too many parts (more than %d, beyond what 16 KiB of EC2 user data holds)", maxUserDataParts)
		}
		ct := part.Header.Get("Content-Type")
		if ct == "" {
			continue // nodeadm skips a part without a Content-Type
		}
		mediaType, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, errors.New("a MIME part's Content-Type does not parse")
		}
		if mediaType != nodeConfigMediaType {
			continue // nested multipart too: nodeadm does not look inside
		}
		content, err := readAtMost(part, maxConfigBytes)
		if err != nil {
			return nil, errors.New("a MIME part cannot be read")
		}
		content, err = gunzipIfGzip(decodeIfBase64(content))
		if err != nil {
			return nil, err
		}
		docs = append(docs, content)
	}
}

// multipartReader reads data as a MIME message whose Content-Type is
// multipart/*; nil, with the reason worth telling, when it is not.
func multipartReader(data []byte) (*multipart.Reader, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, nil // not MIME at all
	}
	ct := msg.Header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	switch {
	case err != nil && ct != "":
		return nil, errors.New("nodeadm will not find a NodeConfig in this user data: its MIME Content-Type does not parse (a boundary with characters such as / must be in double quotes)")
	case err != nil || !strings.HasPrefix(mediaType, "multipart/"):
		return nil, nil
	}
	return multipart.NewReader(msg.Body, params["boundary"]), nil
}

// decodeIfBase64 is data decoded when all of it is valid standard base64
// (line breaks are allowed), as nodeadm decodes; data itself otherwise.
func decodeIfBase64(data []byte) []byte {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(data)))
	n, err := base64.StdEncoding.Decode(out, data)
	if err != nil || n == 0 {
		return data
	}
	return out[:n]
}

func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

// gunzipIfGzip unpacks data that starts as gzip, at most maxConfigBytes.
func gunzipIfGzip(data []byte) ([]byte, error) {
	if !isGzip(data) {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, errors.New("gzip user data: the gzip header does not parse")
	}
	out, err := readAtMost(zr, maxConfigBytes)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("gzip user data unpacks to more than %d bytes", maxConfigBytes)
	}
	if err != nil {
		return nil, errors.New("gzip user data: the compressed data does not unpack")
	}
	return out, nil
}

// isScript: user data cloud-init or EC2Launch runs, not a document.
func isScript(data []byte) bool {
	head := bytes.TrimLeft(data, " \t\r\n")
	return bytes.HasPrefix(head, []byte("#!")) || bytes.HasPrefix(head, []byte("#cloud-config")) ||
		bytes.HasPrefix(bytes.ToLower(head), []byte("<powershell>")) || bytes.HasPrefix(bytes.ToLower(head), []byte("<script>"))
}

// mentionsNodeConfig: the apiVersion appears, also as JSON writes it with
// its / escaped.
func mentionsNodeConfig(data []byte) bool {
	return bytes.Contains(data, []byte(NodeConfigAPIVersion)) ||
		bytes.Contains(data, []byte(strings.ReplaceAll(NodeConfigAPIVersion, "/", `\/`)))
}
