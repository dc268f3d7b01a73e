package diag

import (
	"fmt"
	"io"
	"time"
)

// Outputs are where one run's report goes.
type Outputs struct {
	Stdout  io.Writer // the table or JSON lines; nil: nowhere
	JSON    bool      // JSON lines on stdout, else the table
	Style   Style
	Console io.Writer // nil: no console
	Journal *Journal  // nil: no journal
	Stderr  io.Writer // warnings about the outputs themselves
	Now     func() time.Time
}

// Publish writes rep everywhere it should go. A console or journal that
// fails is a warning on stderr, never a failure of the run.
func (o Outputs) Publish(rep Report) error {
	if o.Console != nil {
		if err := WriteConsole(o.Console, rep, ConsoleBudget, o.Now); err != nil {
			fmt.Fprintf(o.Stderr, "eksboot: warning: console: %v\n", err)
		}
	}
	if o.Journal != nil {
		if err := o.Journal.Write(rep); err != nil {
			fmt.Fprintf(o.Stderr, "eksboot: warning: journal: %v\n", err)
		}
	}
	if o.Stdout == nil {
		return nil
	}
	if o.JSON {
		return WriteJSON(o.Stdout, rep, o.Now)
	}
	return WriteTable(o.Stdout, rep, o.Style)
}
