package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/eksboot/eksboot/probes"
)

// WriteEndpoints lists what a run would probe under s: as JSON lines, one
// endpoint each, or as a table followed by what is left out and the
// node-wide checks.
func WriteEndpoints(w io.Writer, s probes.Selection, asJSON bool) error {
	list := probes.Endpoints(s)
	if asJSON {
		enc := json.NewEncoder(w)
		for _, ep := range list {
			if err := enc.Encode(ep); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tHOST\tSERVICE\tKIND\tON FAILURE\tWHY")
	for _, ep := range list {
		onFailure := "fail"
		if !ep.Required {
			onFailure = "warn"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ep.Name, ep.Host, dash(ep.Service), ep.Kind, onFailure, ep.Why)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if left := probes.NotProbed(s); len(left) > 0 {
		fmt.Fprintf(w, "\nNot probed unless named in --require or --optional: %s\n", strings.Join(left, ", "))
	}
	fmt.Fprintln(w, "\nChecked besides (--require and --optional name these too):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tON FAILURE\tWHY")
	for _, c := range probes.NodeChecks {
		onFailure := "warn"
		switch {
		case c.Required:
			onFailure = "fail"
		case c.RequiredOnWindows:
			onFailure = "fail on Windows, else warn"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, onFailure, c.Why)
	}
	return tw.Flush()
}
