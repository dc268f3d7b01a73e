package diag

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
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
	var e map[string]json.RawMessage
	if json.Unmarshal([]byte(strings.TrimLeft(text, "\x1e \t")), &e) != nil || len(e["MESSAGE"]) == 0 {
		return "", false
	}
	identifier, _ := journalString(e, "SYSLOG_IDENTIFIER")
	if identifier == "eksboot" {
		if line, ok := nativeLine(e); ok {
			return line, true
		}
	}
	prefix := ""
	if identifier != "" {
		pid, _ := journalString(e, "_PID")
		prefix = identifier + "[" + pid + "]: "
	}
	if s, ok := journalString(e, "MESSAGE"); ok {
		return prefix + s, true
	}
	var bytes []int
	if json.Unmarshal(e["MESSAGE"], &bytes) != nil || len(bytes) > maxMessageBytes {
		return "", false
	}
	b := make([]byte, len(bytes))
	for i, c := range bytes {
		b[i] = byte(c)
	}
	return prefix + string(b), true
}

// nativeLine rebuilds eksboot's JSON line from its own journal entry
// (Journal.Write: every field of the line an EKSBOOT_ field, its message
// the MESSAGE): what journalctl -t eksboot -o json holds where eksboot's
// stdout was the journal, so it printed no lines (the packaged unit).
func nativeLine(e map[string]json.RawMessage) (string, bool) {
	check, ok := journalString(e, "EKSBOOT_CHECK")
	if !ok {
		return "", false
	}
	var l Line
	v := reflect.ValueOf(&l).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		val, ok := journalString(e, "EKSBOOT_"+strings.ToUpper(name))
		if !ok {
			continue
		}
		setField(v.Field(i), val)
	}
	l.V, l.Msg = SchemaVersion, ""
	if msg, ok := journalString(e, "MESSAGE"); ok {
		l.Msg = msg
	}
	if check == SummaryMsg {
		l.Msg, l.Check = SummaryMsg, ""
	}
	if us, ok := journalString(e, "__REALTIME_TIMESTAMP"); ok {
		if n, err := strconv.ParseInt(us, 10, 64); err == nil {
			l.Time = time.UnixMicro(n).UTC()
		}
	}
	b, err := json.Marshal(l)
	return string(b), err == nil
}

// setField sets f from a journal field's text, as journalFields wrote it:
// numbers and booleans in JSON's words, lists joined by commas.
func setField(f reflect.Value, s string) {
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Int, reflect.Int64:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			f.SetInt(n)
		}
	case reflect.Bool:
		if b, err := strconv.ParseBool(s); err == nil {
			f.SetBool(b)
		}
	case reflect.Pointer:
		p := reflect.New(f.Type().Elem())
		setField(p.Elem(), s)
		f.Set(p)
	case reflect.Slice:
		if f.Type().Elem().Kind() == reflect.String && s != "" {
			f.Set(reflect.ValueOf(strings.Split(s, ",")))
		}
	}
}

// journalString is entry field k as text; false when absent or not text.
func journalString(e map[string]json.RawMessage, k string) (string, bool) {
	var s string
	raw, ok := e[k]
	return s, ok && json.Unmarshal(raw, &s) == nil
}
