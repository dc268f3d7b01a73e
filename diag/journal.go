package diag

import (
	"github.com/coreos/go-systemd/v22/journal"
	"github.com/eksboot/eksboot/probes"
)

// Journal sends results to journald with fields to filter on:
// journalctl -t eksboot EKSBOOT_STATUS=fail.
type Journal struct {
	send func(msg string, p journal.Priority, vars map[string]string) error
}

// OpenJournal returns the journal when journald runs, else nil.
func OpenJournal() *Journal {
	if !journal.Enabled() {
		return nil
	}
	return &Journal{send: journal.Send}
}

// StdoutIsJournal says stdout already goes to the journal (a unit's
// StandardOutput=journal), so lines there would be duplicates.
func StdoutIsJournal() bool {
	ok, err := journal.StdoutIsJournalStream()
	return err == nil && ok
}

func priority(s probes.Status) journal.Priority {
	switch s {
	case probes.Fail:
		return journal.PriErr
	case probes.Warn:
		return journal.PriWarning
	}
	return journal.PriInfo
}

// Write sends every result and the summary.
func (j *Journal) Write(rep Report) error {
	for _, r := range rep.Results {
		vars := map[string]string{
			"SYSLOG_IDENTIFIER": "eksboot",
			"EKSBOOT_CHECK":     r.Check,
			"EKSBOOT_STATUS":    string(r.Status),
			"EKSBOOT_CODE":      string(r.Code),
			"EKSBOOT_RUN":       rep.Run,
		}
		set := func(k, v string) {
			if v != "" {
				vars[k] = v
			}
		}
		set("EKSBOOT_ENDPOINT", r.Endpoint)
		set("EKSBOOT_HOST", r.Host)
		set("EKSBOOT_ADDR", r.Addr)
		set("EKSBOOT_HINT", r.Hint)
		if err := j.send(r.Msg, priority(r.Status), vars); err != nil {
			return err
		}
	}
	s := rep.Summary
	return j.send(verdictLine(s), priority(s.Verdict.Status), map[string]string{
		"SYSLOG_IDENTIFIER": "eksboot",
		"EKSBOOT_CHECK":     "summary",
		"EKSBOOT_STATUS":    string(s.Verdict.Status),
		"EKSBOOT_RUN":       rep.Run,
	})
}
