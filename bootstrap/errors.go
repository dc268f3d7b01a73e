package bootstrap

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

func inputErrorf(flag, format string, args ...any) *InputError {
	return &InputError{Flag: flag, Problem: fmt.Sprintf(format, args...)}
}

// WriteError is a failure to write to the node: exit code 3.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string { return fmt.Sprintf("writing %s: %v", e.Path, e.Err) }

func (e *WriteError) Unwrap() error { return e.Err }
