// Package diag renders a run's report wherever someone looks: JSON lines
// (SPEC §6, through log/slog's JSON handler) on stdout and on the serial
// console within its budget, structured entries in the journal, a table on
// a terminal; and reads console text back for explain.
package diag

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/eksboot/eksboot/probes"
)

// SchemaVersion is the "v" of every JSON line.
const SchemaVersion = 1

// Report is one run as every output renders it.
type Report struct {
	// Run tells this run's lines from another's on a shared console (the
	// unit's probe and user data's run can write at once).
	Run     string
	Results []probes.Result
	Summary Summary
}

// NewRunID is a short random id for a run.
func NewRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Summary is the last line of a run.
type Summary struct {
	Verdict  probes.Verdict
	ArgsFile string
	Server   string
	User     *probes.UserInfo // who the API server says the node is
	Took     time.Duration
	// Interrupted: SIGTERM or SIGINT ended the run before its verdict.
	Interrupted bool
}

// level maps a status to a log level.
func level(s probes.Status) slog.Level {
	switch s {
	case probes.Fail:
		return slog.LevelError
	case probes.Warn:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// ResultAttrs are a result's fields as the SPEC names them; empty ones are
// left out.
func ResultAttrs(r probes.Result) []slog.Attr {
	attrs := []slog.Attr{slog.String("check", r.Check)}
	add := func(k, v string) {
		if v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}
	add("endpoint", r.Endpoint)
	add("host", r.Host)
	add("addr", r.Addr)
	add("route", r.Route)
	attrs = append(attrs, slog.String("status", string(r.Status)), slog.String("code", string(r.Code)), slog.Int64("ms", r.Duration.Milliseconds()))
	add("hint", r.Hint)
	return attrs
}

// SummaryAttrs are the summary line's fields.
func SummaryAttrs(s Summary) []slog.Attr {
	v := s.Verdict
	attrs := []slog.Attr{
		slog.String("status", string(v.Status)),
		slog.Bool("passed", v.Passed),
		slog.Int("pass", v.Counts.Pass), slog.Int("warn", v.Counts.Warn), slog.Int("fail", v.Counts.Fail), slog.Int("skip", v.Counts.Skip),
	}
	if len(v.Failed) > 0 {
		attrs = append(attrs, slog.Any("failed", v.Failed))
	}
	if len(v.Codes) > 0 {
		codes := make([]string, len(v.Codes))
		for i, c := range v.Codes {
			codes[i] = string(c)
		}
		attrs = append(attrs, slog.Any("codes", codes))
	}
	if s.ArgsFile != "" {
		attrs = append(attrs, slog.String("args_file", s.ArgsFile))
	}
	if s.Server != "" {
		attrs = append(attrs, slog.String("server_version", s.Server))
	}
	if s.User != nil {
		attrs = append(attrs, slog.String("user", s.User.Username), slog.Any("groups", s.User.Groups))
	}
	if s.Interrupted {
		attrs = append(attrs, slog.Bool("interrupted", true))
	}
	return append(attrs, slog.Int64("ms", s.Took.Milliseconds()))
}

// Encoder turns records into JSON lines, one at a time.
type Encoder struct {
	buf bytes.Buffer
	log *slog.Logger
	now func() time.Time
}

// NewEncoder returns an encoder stamping lines of run with now (time.Now
// if nil).
func NewEncoder(run string, now func() time.Time) *Encoder {
	if now == nil {
		now = time.Now
	}
	e := &Encoder{now: now}
	h := slog.NewJSONHandler(&e.buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	e.log = slog.New(h).With("v", SchemaVersion)
	if run != "" {
		e.log = e.log.With("run", run)
	}
	return e
}

func (e *Encoder) line(lvl slog.Level, msg string, attrs []slog.Attr) []byte {
	e.buf.Reset()
	r := slog.NewRecord(e.now(), lvl, msg, 0)
	r.AddAttrs(attrs...)
	e.log.Handler().Handle(context.Background(), r)
	return bytes.Clone(e.buf.Bytes())
}

// Result is one result's JSON line, newline included.
func (e *Encoder) Result(r probes.Result) []byte {
	return e.line(level(r.Status), r.Msg, ResultAttrs(r))
}

// Summary is the summary's JSON line.
func (e *Encoder) Summary(s Summary) []byte {
	return e.line(level(s.Verdict.Status), "summary", SummaryAttrs(s))
}

// Note is a line that is neither a result nor the summary.
func (e *Encoder) Note(lvl slog.Level, msg string, attrs ...slog.Attr) []byte {
	return e.line(lvl, msg, attrs)
}

// Lines are every result's line, then the summary's.
func (e *Encoder) Lines(rep Report) [][]byte {
	lines := make([][]byte, 0, len(rep.Results)+1)
	for _, r := range rep.Results {
		lines = append(lines, e.Result(r))
	}
	return append(lines, e.Summary(rep.Summary))
}
