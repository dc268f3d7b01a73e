// Package diag renders a run's results: JSON lines for machines (the SPEC §6
// schema, through log/slog's JSON handler) and a table for people.
package diag

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/eksboot/eksboot/probes"
)

// SchemaVersion is the "v" of every JSON line.
const SchemaVersion = 1

// Summary is the last line of a run.
type Summary struct {
	Verdict  probes.Verdict
	ArgsFile string
	Server   string
	Took     time.Duration
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

// NewJSONLogger writes one JSON object per line to w, each with time,
// level, msg and v.
func NewJSONLogger(w io.Writer) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h).With("v", SchemaVersion)
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

// LogResult writes one result line.
func LogResult(l *slog.Logger, r probes.Result) {
	l.LogAttrs(context.Background(), level(r.Status), r.Msg, ResultAttrs(r)...)
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
	return append(attrs, slog.Int64("ms", s.Took.Milliseconds()))
}

// LogSummary writes the summary line, always last.
func LogSummary(l *slog.Logger, s Summary) {
	l.LogAttrs(context.Background(), level(s.Verdict.Status), "summary", SummaryAttrs(s)...)
}

// WriteJSON writes every result, then the summary.
func WriteJSON(w io.Writer, results []probes.Result, s Summary) {
	l := NewJSONLogger(w)
	for _, r := range results {
		LogResult(l, r)
	}
	LogSummary(l, s)
}
