package inputs

import (
	"fmt"
	"strings"
)

// InputError is a user input that cannot be used: exit code 2, nothing
// written. Flag names the input so the one-line message says where to look;
// Source, when set, says where its value came from as the user gave it
// (Origins.Attribute fills it).
type InputError struct {
	Flag    string
	Problem string
	Source  string
}

func (e *InputError) Error() string {
	if e.Source != "" {
		return e.Source + ": " + e.Problem
	}
	return "--" + e.Flag + ": " + e.Problem
}

// Errorf is the InputError of flag, its problem formatted as fmt.Sprintf,
// each value quoted with %q (a value as given) cut to 100 bytes: a message
// is one line, whatever was pasted into the flag. %s arguments are
// eksboot's own words and stay whole.
func Errorf(flag, format string, args ...any) *InputError {
	for i, verb := range verbs(format) {
		if i >= len(args) {
			break
		}
		if s, ok := args[i].(string); ok && verb == 'q' {
			args[i] = clip(s)
		}
	}
	return &InputError{Flag: flag, Problem: fmt.Sprintf(format, args...)}
}

// verbs are format's verbs in order, one per argument ("%%" takes none).
func verbs(format string) []byte {
	var out []byte
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.", format[j]) >= 0 { // flags, width, precision
			j++
		}
		if j < len(format) && format[j] != '%' {
			out = append(out, format[j])
		}
		i = j
	}
	return out
}
