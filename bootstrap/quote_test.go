package bootstrap

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileValues are values a user could pass that a careless quoter would
// let the shell or PowerShell act on.
var hostileValues = []string{
	"",
	"plain",
	"two words",
	"it's",
	`"double"`,
	"$(touch CANARY)",
	"`touch CANARY`",
	"${HOME}",
	"$HOME",
	"a;touch CANARY",
	"a && touch CANARY",
	"a|touch CANARY",
	"line1\nline2\n",
	"tab\there",
	`back\slash\`,
	"'; touch CANARY; '",
	"'\\''",
	"*",
	"~root",
	"#comment",
	"--flag=value with 'quotes' and \"more\"",
	"ünïcödé ✓ 日本",
	"smart ‘quotes’ ‚here‛",
	"!history",
	"\x01\x7f",
	"a\rb",
}

// TestShellQuoteRoundTripsThroughBash evaluates the AL2 line the way the
// SPEC tells users to (eval "set -- $(cat FILE)") in a real bash, and checks
// every argument comes back byte for byte and nothing ran.
func TestShellQuoteLeavesSafeWordsBare(t *testing.T) {
	for in, want := range map[string]string{
		"prod":                 "prod",
		"--apiserver-endpoint": "--apiserver-endpoint",
		"https://x.example":    "https://x.example",
		"a b":                  "'a b'",
		"":                     "''",
		"it's":                 `'it'\''s'`,
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

// psQuoteChars are the characters PowerShell's tokenizer takes as a single
// quote: ' and U+2018..U+201B.
func isPSQuote(r rune) bool { return r == '\'' || (r >= '\u2018' && r <= '\u201b') }

// parsePSVerbatim reads one PowerShell single-quoted string by the
// language's rules: it opens and closes with any single-quote character,
// two quote characters in a row stand for the first of them, and nothing
// else is special (no $, no backtick escapes). It returns the value and
// what follows the closing quote.
func parsePSVerbatim(t *testing.T, s string) (string, string) {
	t.Helper()
	r, size := utf8.DecodeRuneInString(s)
	if !isPSQuote(r) {
		t.Fatalf("%q does not open with a single quote", s)
	}
	s = s[size:]
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if !isPSQuote(r) {
			b.WriteRune(r)
			continue
		}
		next, nsize := utf8.DecodeRuneInString(s)
		if len(s) > 0 && isPSQuote(next) {
			b.WriteRune(r)
			s = s[nsize:]
			continue
		}
		return b.String(), s
	}
	t.Fatalf("unterminated single-quoted string")
	return "", ""
}

func TestPowerShellQuoteFollowsVerbatimStringRules(t *testing.T) {
	for _, v := range hostileValues {
		quoted := PowerShellQuote(v)
		got, rest := parsePSVerbatim(t, quoted)
		if got != v || rest != "" {
			t.Errorf("%q: quoted %s reads back as %q with %q left over", v, quoted, got, rest)
		}
	}
	if got := PowerShellQuote("it's $env:X `n"); got != "'it''s $env:X `n'" {
		t.Errorf("got %s", got)
	}
	if got := PowerShellQuote("‘x’"); got != "'‘‘x’’'" {
		t.Errorf("typographic quotes: got %s", got)
	}
}

func TestTOMLQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":    `"plain"`,
		`a"b\c`:    `"a\"b\\c"`,
		"l1\nl2\t": `"l1\nl2\t"`,
		"\x01\x7f": `"\u0001\u007F"`,
		"ünï ✓":    `"ünï ✓"`,
	} {
		if got := TOMLQuote(in); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
	if !bytes.Equal([]byte(TOMLQuote("")), []byte(`""`)) {
		t.Error("empty")
	}
}
