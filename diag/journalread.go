package diag

import (
	"encoding/json"
	"strings"
)

// maxMessageBytes bounds a MESSAGE given as bytes, as journald stores a
// message that is not valid text.
const maxMessageBytes = maxLine

// journalMessage is one entry of journalctl -o json (one object a line;
// -o json-seq puts an RS before each) as the short format shows it:
// IDENTIFIER[PID]: MESSAGE. journald keeps a unit's output line by line, so
// on Bottlerocket each of eksboot's console lines is the MESSAGE of an
// entry of bootstrap-containers@NAME; a message that is not valid text
// comes as an array of its bytes.
func journalMessage(text string) (string, bool) {
	if !strings.Contains(text, `"MESSAGE":`) {
		return "", false
	}
	var e struct {
		Message    json.RawMessage `json:"MESSAGE"`
		Identifier string          `json:"SYSLOG_IDENTIFIER"`
		PID        string          `json:"_PID"`
	}
	if json.Unmarshal([]byte(strings.TrimLeft(text, "\x1e \t")), &e) != nil || len(e.Message) == 0 {
		return "", false
	}
	prefix := ""
	if e.Identifier != "" {
		prefix = e.Identifier + "[" + e.PID + "]: "
	}
	var s string
	if json.Unmarshal(e.Message, &s) == nil {
		return prefix + s, true
	}
	var bytes []int
	if json.Unmarshal(e.Message, &bytes) != nil || len(bytes) > maxMessageBytes {
		return "", false
	}
	b := make([]byte, len(bytes))
	for i, c := range bytes {
		b[i] = byte(c)
	}
	return prefix + string(b), true
}
