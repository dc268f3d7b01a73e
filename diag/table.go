package diag

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/eksboot/eksboot/report"
)

// row is one endpoint (or one node-wide check) in the terminal table.
type row struct {
	endpoint, host string
	via            string // the proxy the endpoint's agent goes through, "" when direct
	addrs          []string
	dns, tcp, tls  report.Status // "" when that check did not run
	worst          report.Result // the result that sets the row's outcome
	problems       []report.Result
}

// rows folds results into one row per endpoint host, in run order.
func rows(results []report.Result) []*row {
	var out []*row
	byKey := map[string]*row{}
	for _, r := range results {
		key := r.Endpoint + " " + r.Host
		if r.Endpoint == "" {
			key = r.Kind
		}
		rw := byKey[key]
		if rw == nil {
			rw = &row{endpoint: r.Endpoint, host: r.Host, worst: r}
			if rw.endpoint == "" {
				rw.endpoint = r.Kind
			}
			byKey[key] = rw
			out = append(out, rw)
		}
		if strings.HasPrefix(r.Via, "proxy ") && rw.via == "" {
			rw.via = r.Via
		}
		switch r.Kind {
		case report.KindDNS:
			rw.dns = worse(rw.dns, r.Status)
		case report.KindTCP:
			rw.tcp = worse(rw.tcp, r.Status)
			if a := strings.TrimSuffix(strings.TrimSuffix(r.Addr, ":443"), "]"); !slices.Contains(rw.addrs, strings.TrimPrefix(a, "[")) {
				rw.addrs = append(rw.addrs, strings.TrimPrefix(a, "["))
			}
		case report.KindTLS:
			rw.tls = worse(rw.tls, r.Status)
		}
		if r.Status.Rank() > rw.worst.Status.Rank() {
			rw.worst = r
		}
		if r.Status == report.Fail || r.Status == report.Warn {
			rw.problems = append(rw.problems, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *row) int { return b.worst.Status.Rank() - a.worst.Status.Rank() })
	return out
}

func worse(a, b report.Status) report.Status {
	if a == "" || b.Rank() > a.Rank() {
		return b
	}
	return a
}

// Style colours status words; the zero Style prints them plain.
type Style struct{ Color bool }

func (s Style) status(st report.Status) string {
	style := styleOf(st)
	if !s.Color {
		return style.word
	}
	// Every word gets escapes of the same length, so columns still align.
	return "\x1b[" + style.colour + "m" + style.word + "\x1b[0m"
}

// WriteTable writes the report for a person: one row per endpoint
// (endpoint, host, its path when some endpoint goes through a proxy,
// address, DNS, TCP, TLS, result), failures first, each
// problem's message and fix under its row, then the verdict.
func WriteTable(w io.Writer, rep Report, style Style) error {
	rep = printableCopy(rep)
	rs := rows(rep.Results)
	// Align the rows first, then put each row's problems under it.
	var grid strings.Builder
	tw := tabwriter.NewWriter(&grid, 0, 0, 2, ' ', 0)
	// The path column shows only when some endpoint goes through a proxy.
	proxied := slices.ContainsFunc(rs, func(rw *row) bool { return rw.via != "" })
	path := func(rw *row) string {
		switch {
		case !proxied:
			return ""
		case rw.via != "":
			return rw.via + "\t"
		case rw.host == "":
			return "-\t"
		}
		return "direct\t"
	}
	header := "ENDPOINT\tHOST\t"
	if proxied {
		header += "PATH\t"
	}
	fmt.Fprintln(tw, header+"ADDRESS\tDNS\tTCP\tTLS\tRESULT")
	for _, rw := range rs {
		result := string(rw.worst.Code)
		switch {
		case rw.worst.Status == report.Pass:
			result = "ok"
		case rw.worst.Status == report.Skip && rw.worst.Code == report.OK: // not asked: its message says why
			result = "skipped"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\t%s\t%s\t%s\t%s\n", printable(rw.endpoint), dash(printable(rw.host)), path(rw), dash(printable(strings.Join(rw.addrs, ","))),
			style.status(rw.dns), style.status(rw.tcp), style.status(rw.tls), printable(result))
	}
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(grid.String(), "\n"), "\n")
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for i, rw := range rs {
		b.WriteString(lines[i+1] + "\n")
		for _, p := range rw.problems {
			fmt.Fprintf(&b, "    %s %s\n", style.status(p.Status), printable(p.Msg))
			if p.Hint != "" {
				fmt.Fprintf(&b, "         fix: %s\n", printable(p.Hint))
			}
		}
	}
	b.WriteString(printable(verdictLine(rep.Summary)) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func verdictLine(s Summary) string {
	v := s.Verdict
	word := "PASS"
	if !v.Passed {
		word = "FAIL"
	}
	if s.Interrupted {
		word += ", interrupted before the verdict"
	}
	line := fmt.Sprintf("verdict: %s (%d pass, %d warn, %d fail, %d skip) in %s", word, v.Counts.Pass, v.Counts.Warn, v.Counts.Fail, v.Counts.Skip, s.Took.Round(1e6))
	if len(v.Failed) > 0 {
		line += "; failed: " + strings.Join(v.Failed, ", ")
	}
	if s.Server != "" {
		line += "; API server " + s.Server
	}
	if s.User != nil {
		line += "; node identity " + s.User.Username
		if len(s.User.Groups) > 0 {
			line += " (" + strings.Join(s.User.Groups, ", ") + ")"
		}
	}
	if s.ArgsFile != "" {
		line += "; arguments in " + s.ArgsFile
	}
	if n := s.Node; n.InstanceID != "" {
		line += "; on " + n.InstanceID
		if n.SubnetID != "" {
			line += " in " + n.SubnetID + " (" + strings.Trim(n.SubnetCIDR+", "+n.AZ, ", ") + ")"
		}
	}
	return line
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
