package inputs

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What eksboot reads of systemd's configuration is bounded: a node has a
// handful of each (and Host.ReadFile bounds each file's size).
const (
	maxDropIns  = 64 // *.conf files per directory
	maxEnvFiles = 16 // EnvironmentFile= files per unit
)

// unitDirs are where systemd looks for system units and their drop-in
// directories, the highest priority first (systemd.unit(5)).
var unitDirs = []string{"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}

// systemConf and systemConfDirs are the manager's configuration and its
// drop-in directories (systemd-system.conf(5)), where DefaultEnvironment=
// sets every unit's environment.
const systemConf = "/etc/systemd/system.conf"

var systemConfDirs = []string{"/etc/systemd/system.conf.d", "/run/systemd/system.conf.d", "/usr/local/lib/systemd/system.conf.d", "/usr/lib/systemd/system.conf.d"}

// dropIns are the *.conf files of dirs in the order systemd applies them:
// by file name, whatever the directory, a name in an earlier (higher
// priority) directory hiding the same name in later ones.
func dropIns(h Host, dirs []string) []string {
	if h.ReadDir == nil {
		return nil
	}
	byName := map[string]string{}
	for _, d := range dirs {
		names, err := h.ReadDir(d)
		if err != nil {
			continue
		}
		for i, n := range names {
			if i == maxDropIns {
				break
			}
			if _, hidden := byName[n]; !hidden && strings.HasSuffix(n, ".conf") {
				byName[n] = path.Join(d, n)
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = byName[n]
	}
	return out
}

// managerEnvironment is DefaultEnvironment= of system.conf and its drop-ins:
// what every unit starts with. systemd's config_parse_environ expands
// specifiers there only since it took a manager specifier table (after
// AL2023's systemd 252): before, %% stays %%, and that is what is read.
func managerEnvironment(h Host) environ {
	env := environ{}
	for _, file := range append([]string{systemConf}, dropIns(h, systemConfDirs)...) {
		for _, s := range unitSettings(h, file, "Manager") {
			if s.key != "DefaultEnvironment" {
				continue
			}
			if s.value == "" { // an empty assignment resets the list
				clear(env)
				continue
			}
			words, _ := systemdWords(s.value) // past a syntax error systemd ignores the rest of the line
			for _, w := range words {
				assign(env, w, h.origin(file))
			}
		}
	}
	return env
}

// unitEnvironment is the environment systemd gives unit's processes, as
// far as the proxy variables go: the manager's DefaultEnvironment=, then the
// unit's Environment= (its file, then its drop-ins), then its
// EnvironmentFile= files, which systemd reads at start and which override
// Environment= whatever their order (systemd.exec(5)). A file that does not
// exist yet is passed over: eksboot may run before whoever writes it.
func unitEnvironment(h Host, unit string) environ {
	type assignment struct{ word, from string }
	var assigns []assignment
	var envFiles []string
	var files []string
	for _, d := range unitDirs {
		if f := path.Join(d, unit); h.Exists != nil && h.Exists(f) {
			files = append(files, f) // the first found is the unit
			break
		}
	}
	var dropInDirs []string
	for _, d := range unitDirs {
		dropInDirs = append(dropInDirs, path.Join(d, unit+".d"), path.Join(d, "service.d"))
	}
	files = append(files, dropIns(h, dropInDirs)...)
	for _, file := range files {
		for _, s := range unitSettings(h, file, "Service") {
			switch s.key {
			case "Environment":
				if s.value == "" {
					assigns = nil
					continue
				}
				words, _ := systemdWords(s.value)
				for _, w := range words {
					if w, ok := unitSpecifiers(w); ok {
						assigns = append(assigns, assignment{w, h.origin(file)})
					}
				}
			case "EnvironmentFile":
				if s.value == "" {
					envFiles = nil
					continue
				}
				if f, ok := unitSpecifiers(strings.TrimPrefix(s.value, "-")); ok && path.IsAbs(f) && len(envFiles) < maxEnvFiles {
					envFiles = append(envFiles, f)
				}
			}
		}
	}
	env := managerEnvironment(h)
	for _, a := range assigns {
		assign(env, a.word, a.from)
	}
	for _, f := range envFiles {
		data, err := h.ReadFile(f)
		if err != nil {
			continue
		}
		for _, kv := range envFileAssignments(data) {
			assign(env, kv, h.origin(f))
		}
	}
	return env
}

// assign sets env from one KEY=VALUE word when KEY is a proxy variable;
// systemd ignores a word that is not a valid assignment.
func assign(env environ, word, from string) {
	k, val, ok := strings.Cut(word, "=")
	if ok && slices.Contains(proxyVars, k) {
		env[k] = envVar{val, from}
	}
}

// unitSpecifiers expands the specifiers systemd resolves in a unit's
// Environment= and EnvironmentFile= values, as far as a proxy setting meets
// them: %% is %. Any other % names something of the unit (%n, %H...) or
// nothing, and systemd skips a word it cannot resolve; eksboot skips every
// such word rather than guess (a percent-encoded password, p%40ss, is one).
func unitSpecifiers(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		return "", false
	}
	return b.String(), true
}

// setting is one Key=value line of a unit file's section.
type setting struct{ key, value string }

// unitSettings are the settings of file's [section], in order, as systemd
// reads a unit file (config_parse): # and ; begin comment lines, which are
// dropped even inside a continued line (systemd.syntax(7), systemd 245 on;
// AL2's 219 kept them); a line ending in an unescaped backslash joins the
// next, the backslash turned into a space; white space around the key and
// value goes. A file that cannot be read has none.
func unitSettings(h Host, file, section string) []setting {
	data, err := h.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []setting
	in := false
	take := func(line string) {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case line[0] == '[':
			in = line == "["+section+"]"
		case in:
			if k, v, ok := strings.Cut(line, "="); ok {
				out = append(out, setting{strings.TrimSpace(k), strings.TrimSpace(v)})
			}
		}
	}
	continued := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if t := strings.TrimLeft(line, " \t\r"); t != "" && (t[0] == '#' || t[0] == ';') {
			continue
		}
		line = continued + line
		if trailingBackslashes(line)%2 == 1 {
			continued = line[:len(line)-1] + " "
			continue
		}
		continued = ""
		take(line)
	}
	take(continued) // a file that ends mid-continuation
	return out
}

// trailingBackslashes counts the backslashes s ends with: an odd count
// leaves the last unescaped.
func trailingBackslashes(s string) int {
	return len(s) - len(strings.TrimRight(s, `\`))
}

// systemdWords splits a value the way systemd splits Environment= and
// DefaultEnvironment= (extract_first_word with EXTRACT_UNQUOTE and
// EXTRACT_CUNESCAPE): at white space outside quotes; single or double
// quotes anywhere in a word, removed; C escapes inside quotes and out. At a
// syntax error (an open quote, an unknown escape) systemd ignores the rest of
// the line, keeping the words before it: ok is false, words those.
func systemdWords(s string) (words []string, ok bool) {
	var w strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			r, n, ok := cEscape(s[i+1:])
			if !ok {
				return words, false
			}
			w.WriteString(r)
			i += n
			inWord = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return words, false
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, true
}

// cEscape reads one C escape after a backslash as systemd's cunescape_one
// does: what it stands for and how many bytes of s it took. \xNN and \NNN
// (octal) are bytes, \uNNNN and \UNNNNNNNN code points; NUL is refused.
func cEscape(s string) (string, int, bool) {
	if s == "" {
		return "", 0, false
	}
	if r, ok := simpleEscapes[s[0]]; ok {
		return r, 1, true
	}
	start, digits, base := 1, 0, 16
	switch {
	case s[0] == 'x':
		digits = 2
	case s[0] == 'u':
		digits = 4
	case s[0] == 'U':
		digits = 8
	case s[0] >= '0' && s[0] <= '7':
		start, digits, base = 0, 3, 8
	default:
		return "", 0, false
	}
	if len(s) < start+digits {
		return "", 0, false
	}
	n, err := strconv.ParseUint(s[start:start+digits], base, 32)
	switch {
	case err != nil || n == 0:
		return "", 0, false
	case s[0] == 'x' || base == 8:
		return string([]byte{byte(n)}), start + digits, n < 256
	case n > utf8.MaxRune:
		return "", 0, false
	}
	return string(rune(n)), start + digits, true
}

var simpleEscapes = map[byte]string{'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\\': `\`, '"': `"`, '\'': "'", 's': " "}

// envFileAssignments are the KEY=VALUE assignments of an environment file
// as systemd reads one (EnvironmentFile=, and /etc/environment when a unit
// names it): # and ; lines are comments; white space around the key and
// before the value goes; an unquoted value loses its trailing white space
// and a backslash escapes the next character; 'single' quotes are literal;
// "double" quotes take \" \\ \` \$ as escapes; a backslash at the end of a
// line continues it. A line with no = or a key that is no variable name
// sets nothing.
func envFileAssignments(data []byte) []string {
	var out []string
	s := string(data)
	for len(s) > 0 {
		var line string
		line, s = envFileLine(s)
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !validEnvName(k) || strings.HasPrefix(k, "#") || strings.HasPrefix(k, ";") {
			continue
		}
		out = append(out, k+"="+envFileValue(strings.TrimLeft(v, " \t")))
	}
	return out
}

// envFileLine is s's first logical line, lines joined where quotes or a
// trailing backslash continue them, and the rest.
func envFileLine(s string) (line, rest string) {
	var quote byte
	comment := strings.HasPrefix(strings.TrimLeft(s, " \t"), "#") || strings.HasPrefix(strings.TrimLeft(s, " \t"), ";")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quote != '\'':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			if !comment && strings.Contains(s[:i], "=") { // quotes mean something in values only
				quote = c
			}
		case c == '\n':
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// envFileValue unquotes one value of an environment file.
func envFileValue(v string) string {
	var b strings.Builder
	var quote byte
	pendingSpace := ""
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				b.WriteByte(c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c == '\\' && i+1 < len(v):
				i++
				switch v[i] {
				case '"', '\\', '`', '$':
					b.WriteByte(v[i])
				case '\n':
				default:
					b.WriteByte('\\')
					b.WriteByte(v[i])
				}
			default:
				b.WriteByte(c)
			}
		case c == '\'' || c == '"':
			b.WriteString(pendingSpace)
			pendingSpace = ""
			quote = c
		case c == '\\' && i+1 < len(v):
			i++
			b.WriteString(pendingSpace)
			pendingSpace = ""
			if v[i] != '\n' {
				b.WriteByte(v[i])
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			pendingSpace += string(c) // kept only if more of the value follows
		default:
			b.WriteString(pendingSpace)
			pendingSpace = ""
			b.WriteByte(c)
		}
	}
	return b.String()
}

// validEnvName is a variable name systemd accepts: letters, digits and _,
// not starting with a digit.
func validEnvName(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
