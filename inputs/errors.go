package inputs

import "fmt"

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
// each string argument (a value as given) cut to 100 bytes: a message
// is one line, whatever was pasted into the flag.
func Errorf(flag, format string, args ...any) *InputError {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = clip(s)
		}
	}
	return &InputError{Flag: flag, Problem: fmt.Sprintf(format, args...)}
}
