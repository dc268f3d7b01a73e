package diag

import (
	"time"

	"github.com/coreos/go-systemd/v22/journal"
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

// Write sends every result and the summary, each entry with every field of
// its JSON line as an EKSBOOT_ field (EKSBOOT_ROUTE, EKSBOOT_RUN, ...).
func (j *Journal) Write(rep Report) error {
	now := time.Now()
	for _, r := range rep.Results {
		if err := j.send(r.Msg, styleOf(r.Status).priority, resultLine(r, rep.Run, now).journalFields()); err != nil {
			return err
		}
	}
	fields := summaryLine(rep.Summary, rep.Run, now).journalFields()
	fields["EKSBOOT_CHECK"] = SummaryMsg
	return j.send(verdictLine(rep.Summary), styleOf(rep.Summary.Verdict.Status).priority, fields)
}
