// Command brapi is a stand-in for Bottlerocket's API server on a unix
// socket, for the end-to-end cases: the calls a bootstrap container makes
// (GET /settings, PATCH /settings?tx=, POST /tx/commit_and_apply?tx=),
// answered in the server's shapes, and every call written down.
//
//	brapi SOCKET SETTINGS.json RECORD.jsonl
//
// SETTINGS.json is the live settings without their "settings" key, as GET
// /settings answers them ({"kubernetes": {...}, "network": {...}}). Shapes
// as apiserver (bottlerocket-core-kit sources/api/apiserver) gives them: a
// prefix query returns only the settings whose dotted names start with
// settings.PREFIX, nested as in the model, or {} when none do; a PATCH
// stages into the named transaction (default "default") and answers 204; a
// commit with nothing staged answers 422; commit_and_apply answers the
// changed keys as a JSON list. Each request goes to RECORD.jsonl as one
// line: method, URI, body, and for a commit the keys it changed.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: brapi SOCKET SETTINGS.json RECORD.jsonl")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fatal(err)
	}
	var settings map[string]any
	if err := json.Unmarshal(raw, &settings); err != nil {
		fatal(fmt.Errorf("%s: %w", os.Args[2], err))
	}
	rec, err := os.OpenFile(os.Args[3], os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fatal(err)
	}
	s := &server{live: flatten("settings", settings), pending: map[string]map[string]any{}, record: rec}
	os.Remove(os.Args[1])
	ln, err := net.Listen("unix", os.Args[1])
	if err != nil {
		fatal(err)
	}
	fatal(http.Serve(ln, s))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "brapi:", err)
	os.Exit(1)
}

type server struct {
	mu      sync.Mutex
	live    map[string]any            // dotted key -> value
	pending map[string]map[string]any // transaction -> dotted key -> value
	record  io.Writer
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	entry := map[string]any{"method": r.Method, "uri": r.URL.RequestURI()}
	if len(body) > 0 {
		entry["body"] = json.RawMessage(body)
		if !json.Valid(body) {
			entry["body"] = string(body)
		}
	}
	defer func() {
		line, _ := json.Marshal(entry)
		fmt.Fprintf(s.record, "%s\n", line)
	}()
	tx := r.URL.Query().Get("tx")
	if tx == "" {
		tx = "default"
	}
	switch {
	case r.URL.Path == "/settings" && r.Method == http.MethodGet:
		keys := s.live
		if p := r.URL.Query().Get("prefix"); p != "" {
			if !strings.HasPrefix(p, "settings") {
				p = "settings." + p
			}
			keys = filter(s.live, func(k string) bool { return strings.HasPrefix(k, p) })
		} else if r.URL.Query().Has("prefix") {
			http.Error(w, "Input 'prefix' cannot be empty", http.StatusBadRequest)
			return
		}
		answer(w, unflatten(keys)["settings"])
	case r.URL.Path == "/settings" && r.Method == http.MethodPatch:
		var patch map[string]any
		if err := json.Unmarshal(body, &patch); err != nil {
			http.Error(w, "Json deserialize error: "+err.Error(), http.StatusBadRequest)
			return
		}
		if s.pending[tx] == nil {
			s.pending[tx] = map[string]any{}
		}
		for k, v := range flatten("settings", patch) {
			s.pending[tx][k] = v
		}
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/tx/commit_and_apply" && r.Method == http.MethodPost:
		var changed []string
		for k, v := range s.pending[tx] {
			if old, ok := s.live[k]; !ok || !jsonEqual(old, v) {
				changed = append(changed, k)
			}
			s.live[k] = v
		}
		delete(s.pending, tx)
		if len(changed) == 0 {
			http.Error(w, "Tried to commit with no pending changes", http.StatusUnprocessableEntity)
			return
		}
		sort.Strings(changed)
		entry["changed"] = changed
		answer(w, changed)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func answer(w http.ResponseWriter, v any) {
	if v == nil {
		v = map[string]any{}
	}
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// flatten turns nested settings into dotted keys, as the datastore keeps
// them; a list or a scalar is one value.
func flatten(prefix string, v any) map[string]any {
	out := map[string]any{}
	m, ok := v.(map[string]any)
	if !ok {
		out[prefix] = v
		return out
	}
	for k, sub := range m {
		for fk, fv := range flatten(prefix+"."+k, sub) {
			out[fk] = fv
		}
	}
	return out
}

func unflatten(keys map[string]any) map[string]any {
	root := map[string]any{}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		parts := strings.Split(k, ".")
		m := root
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = keys[k]
	}
	return root
}

func filter(keys map[string]any, keep func(string) bool) map[string]any {
	out := map[string]any{}
	for k, v := range keys {
		if keep(k) {
			out[k] = v
		}
	}
	return out
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
