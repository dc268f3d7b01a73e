package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Listing is what a run would probe: the plan's endpoints and checks, as
// `eksboot endpoints` shows them.
type Listing struct {
	Endpoints []ListedEndpoint
	NotProbed []string // the catalog's endpoints left out unless named
	Checks    []ListedCheck
}

// ListedEndpoint is one endpoint of a Listing; its JSON is one line of
// `eksboot endpoints --output json`.
type ListedEndpoint struct {
	Name     string `json:"endpoint"`
	Host     string `json:"host"`
	Service  string `json:"service,omitempty"` // the VPC endpoint service name
	Kind     string `json:"kind"`
	Required bool   `json:"required"`
	// Agent is the program whose proxy settings decide the path; Path is
	// that path: direct, or proxy HOST:PORT.
	Agent string `json:"agent"`
	Path  string `json:"path"`
	Why   string `json:"why"`
}

// ListedCheck is one node-wide check of a Listing.
type ListedCheck struct {
	Name      string
	OnFailure string // fail, warn, or a word on when it fails
	Why       string
}

// WriteEndpoints writes l: as JSON lines, one endpoint each, or as a table
// followed by what is left out and the node-wide checks.
func WriteEndpoints(w io.Writer, l Listing, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, ep := range l.Endpoints {
			if err := enc.Encode(ep); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tHOST\tSERVICE\tKIND\tON FAILURE\tAGENT\tPATH\tWHY")
	for _, ep := range l.Endpoints {
		onFailure := "fail"
		if !ep.Required {
			onFailure = "warn"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ep.Name, ep.Host, dash(ep.Service), ep.Kind, onFailure, dash(ep.Agent), dash(ep.Path), ep.Why)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(l.NotProbed) > 0 {
		fmt.Fprintf(w, "\nNot probed unless named in --require or --optional: %s\n", strings.Join(l.NotProbed, ", "))
	}
	fmt.Fprintln(w, "\nChecked besides (--require and --optional name these too):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tON FAILURE\tWHY")
	for _, c := range l.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.OnFailure, c.Why)
	}
	return tw.Flush()
}
