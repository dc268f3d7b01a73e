package diag

import (
	"io"
	"time"
)

// WriteJSON writes the report as JSON lines: each result, then the summary.
func WriteJSON(w io.Writer, rep Report, now func() time.Time) error {
	for _, line := range Lines(rep, now) {
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}
