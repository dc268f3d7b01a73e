package diag

import (
	"encoding/json"
	"strings"
)

// maxMessageBytes bounds a MESSAGE given as bytes, as journald stores a
// message that is not valid text.
const maxMessageBytes = maxLine

// journalMessage is the MESSAGE of one entry of journalctl -o json (one
// object a line; -o json-seq puts an RS before each). journald keeps a
// unit's output line by line, so on Bottlerocket each of eksboot's console
// lines is the MESSAGE of an entry of bootstrap-containers@NAME; a message
// that is not valid text comes as an array of its bytes.
func journalMessage(text string) (string, bool) {
	if !strings.Contains(text, `"MESSAGE":`) {
		return "", false
	}
	var e struct {
		Message json.RawMessage `json:"MESSAGE"`
	}
	if json.Unmarshal([]byte(strings.TrimLeft(text, "\x1e \t")), &e) != nil || len(e.Message) == 0 {
		return "", false
	}
	var s string
	if json.Unmarshal(e.Message, &s) == nil {
		return s, true
	}
	var bytes []int
	if json.Unmarshal(e.Message, &bytes) != nil || len(bytes) > maxMessageBytes {
		return "", false
	}
	b := make([]byte, len(bytes))
	for i, c := range bytes {
		b[i] = byte(c)
	}
	return string(b), true
}
