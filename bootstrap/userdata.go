package bootstrap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
)

// nodeConfigMediaType marks a NodeConfig part in MIME multipart user data.
const nodeConfigMediaType = "application/node.eks.aws"

// maxMIMEDepth bounds nested multipart documents.
const maxMIMEDepth = 4

// NodeConfigsFromUserData returns the NodeConfig documents in EC2 user data
// the way nodeadm finds them: gzip is unpacked, MIME multipart is walked for
// application/node.eks.aws parts (base64 transfer encoding and gzip handled),
// and user data that is itself a NodeConfig counts whole. A shell script or
// anything else yields none.
func NodeConfigsFromUserData(data []byte) ([][]byte, error) {
	data, err := unwrap(data)
	if err != nil {
		return nil, err
	}
	if isMIME(data) {
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			return nil, errors.New("MIME user data: the headers do not parse") // the parser's error quotes the line
		}
		return nodeConfigParts(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	}
	if isScript(data) {
		return nil, nil // a script that mentions NodeConfig is still a script
	}
	if bytes.Contains(data, []byte(nodeConfigAPIVersion)) {
		return [][]byte{data}, nil
	}
	return nil, nil
}

// isScript: user data cloud-init or EC2Launch runs, not a document.
func isScript(data []byte) bool {
	head := bytes.TrimLeft(data, " \t\r\n")
	return bytes.HasPrefix(head, []byte("#!")) || bytes.HasPrefix(head, []byte("#cloud-config")) ||
		bytes.HasPrefix(bytes.ToLower(head), []byte("<powershell>")) || bytes.HasPrefix(bytes.ToLower(head), []byte("<script>"))
}

// unwrap undoes gzip, and base64 around gzip or MIME, as nodeadm does.
func unwrap(data []byte) ([]byte, error) {
	if decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data))); err == nil && len(decoded) > 0 {
		if isGzip(decoded) || isMIME(decoded) {
			data = decoded
		}
	}
	if isGzip(data) {
		return gunzip(data)
	}
	return data, nil
}

func isGzip(data []byte) bool { return len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b }

func isMIME(data []byte) bool {
	head := strings.ToLower(string(data[:min(len(data), 64)]))
	return strings.HasPrefix(head, "mime-version:") || strings.HasPrefix(head, "content-type:")
}

func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip user data: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("gzip user data: %v", err)
	}
	if len(out) > maxConfigBytes {
		return nil, fmt.Errorf("gzip user data unpacks to more than %d bytes", maxConfigBytes)
	}
	return out, nil
}

func nodeConfigParts(header textproto.MIMEHeader, body io.Reader, depth int) ([][]byte, error) {
	if depth > maxMIMEDepth {
		return nil, errors.New("MIME user data nested too deeply")
	}
	mediaType, params, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		return nil, errors.New("a MIME part's Content-Type does not parse")
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		var docs [][]byte
		mr := multipart.NewReader(bufio.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			if err != nil {
				return nil, errors.New("MIME multipart: a part does not parse (is the boundary right?)") // the reader's error quotes the line
			}
			found, err := nodeConfigParts(part.Header, part, depth+1)
			if err != nil {
				return nil, err
			}
			docs = append(docs, found...)
		}
	}
	if mediaType != nodeConfigMediaType {
		return nil, nil
	}
	content, err := io.ReadAll(io.LimitReader(body, maxConfigBytes+1))
	if err != nil {
		return nil, errors.New("a MIME part cannot be read")
	}
	if strings.EqualFold(header.Get("Content-Transfer-Encoding"), "base64") {
		decoded, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(content)), ""))
		if err != nil {
			return nil, fmt.Errorf("MIME part %s: not valid base64", nodeConfigMediaType)
		}
		content = decoded
	}
	if isGzip(content) {
		if content, err = gunzip(content); err != nil {
			return nil, err
		}
	}
	return [][]byte{content}, nil
}
