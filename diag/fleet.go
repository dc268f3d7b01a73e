package diag

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/eksboot/eksboot/report"
)

// Fleet is many nodes' runs folded together, one at a time: per node its
// facts and failure signatures, and the last run whole (the one-node
// report). Memory grows with nodes and distinct signatures, not bytes read.
type Fleet struct {
	nodes      map[string]*fleetNode // by instance ID (source and run when IMDS did not say)
	order      []string
	first      map[sigKey]Signature // each signature's first sighting, with its hint and host
	strs       map[string]string    // one copy of what thousands of nodes share
	last       *lastRun
	br         *bufio.Reader
	Truncated  []string // runs cut off before their summary, named
	Unreadable []string // inputs that held no eksboot line, named
	Skipped    []string // inputs that could not be opened or are not files, the first named
	SkippedN   int
	// SignaturesLeftOut counts failures past maxSignatures distinct ones.
	SignaturesLeftOut int
}

type fleetNode struct {
	id     string
	node   Node
	status report.Status
	sigs   []sigKey
	at     time.Time // the summary's
}

type sigKey struct {
	endpoint string
	code     report.Code
}

// Signature is a failure as the fleet report groups it: an endpoint (or a
// node-wide check) and a code.
type Signature struct {
	Endpoint string        `json:"endpoint"`
	Code     report.Code   `json:"code"`
	Status   report.Status `json:"status"`
	Hint     string        `json:"-"` // one node's hint, for the fleet's fix
	Host     string        `json:"-"`
	Service  string        `json:"service,omitempty"` // the VPC endpoint service name, as the node's line said
}

// maxNamed bounds the names kept of truncated and unreadable inputs.
const maxNamed = 100

func appendCapped(list []string, s string) []string {
	if len(list) >= maxNamed {
		return list
	}
	return append(list, s)
}

// NewFleet is an empty fleet.
func NewFleet() *Fleet {
	return &Fleet{nodes: map[string]*fleetNode{}, first: map[sigKey]Signature{}, strs: map[string]string{}}
}

func (f *Fleet) intern(s string) string {
	if c, ok := f.strs[s]; ok {
		return c
	}
	f.strs[s] = s
	return s
}

// Nodes is how many nodes the fleet has heard from.
func (f *Fleet) Nodes() int { return len(f.order) }

// lastRun is the last complete run read, its passes still undecoded.
type lastRun struct {
	run     string
	results []pendingResult
	summary Summary
}

// Last is the last complete run read, whole; nil before any.
func (f *Fleet) Last() *Report {
	if f.last == nil {
		return nil
	}
	rep := &Report{Run: f.last.run, Summary: f.last.summary}
	for _, p := range f.last.results {
		r, at := p.decode()
		rep.Results, rep.Times = append(rep.Results, r), append(rep.Times, at)
	}
	return rep
}

// add folds one complete run in; a node's newer run (by its summary's
// time, not the order read: Run Command's S3 keys start with random
// command ids) replaces its older.
func (f *Fleet) add(run string, results []pendingResult, summary Summary, source string) {
	if f.last == nil || !summary.At.Before(f.last.summary.At) {
		f.last = &lastRun{run: run, results: results, summary: summary}
	}
	id := summary.Node.InstanceID
	if id == "" {
		id = source + "#" + run
	}
	if old, seen := f.nodes[id]; seen && summary.At.Before(old.at) {
		return
	}
	nd := summary.Node
	for _, p := range []*string{&nd.InstanceType, &nd.AMIID, &nd.AZ, &nd.AZID, &nd.VPCID, &nd.SubnetID, &nd.SubnetCIDR, &nd.Version} {
		*p = f.intern(*p)
	}
	for i, g := range nd.SecurityGroups {
		nd.SecurityGroups[i] = f.intern(g)
	}
	n := &fleetNode{id: id, node: nd, status: summary.Verdict.Status, at: summary.At}
	if !summary.Verdict.Passed && n.status != report.Fail {
		n.status = report.Fail
	}
	for _, p := range results {
		r := p.result
		if p.raw != "" || r.Status != report.Fail && r.Status != report.Warn {
			continue
		}
		name := r.Endpoint
		if name == "" {
			name = r.Kind
		}
		k := sigKey{clip(name), r.Code}
		if _, seen := f.first[k]; !seen {
			if len(f.first) >= maxSignatures {
				// Crafted or broken input can name a new endpoint per
				// node; past the bound a signature is only counted.
				f.SignaturesLeftOut++
				continue
			}
			k.endpoint = f.intern(k.endpoint)
			f.first[k] = Signature{Endpoint: k.endpoint, Code: r.Code, Status: r.Status, Hint: r.Hint, Host: r.Host, Service: r.Service}
		}
		if len(n.sigs) < maxSignatures && !slices.Contains(n.sigs, k) {
			n.sigs = append(n.sigs, k)
		}
	}
	if _, seen := f.nodes[id]; !seen {
		f.order = append(f.order, id)
	}
	f.nodes[id] = n
}

// Dimensions a failure can be confined to.
const (
	ScopeSubnet        = "subnet"
	ScopeAZ            = "az"
	ScopeSecurityGroup = "security-group"
	ScopeVPC           = "vpc"
)

// Spread is how one value of a dimension (a subnet, an AZ, a security
// group) divides the nodes: those a failure hit and those it spared.
type Spread struct {
	Value  string `json:"value"`
	Label  string `json:"label,omitempty"` // a subnet's CIDR and AZ
	Hit    int    `json:"hit"`
	Spared int    `json:"spared"`
}

// FailureRow is one signature across the fleet.
type FailureRow struct {
	Signature
	Hit            int      `json:"hit"`
	Nodes          []string `json:"nodes"` // the first few hit
	Subnets        []Spread `json:"subnets"`
	AZs            []Spread `json:"azs"`
	SecurityGroups []Spread `json:"security_groups"`
	Scope          string   `json:"scope,omitempty"` // what the failure is confined to, when the data shows it
	Cause          string   `json:"cause"`
	// hit nodes that said their subnet, AZ, security groups (IMDS can fail)
	knownSubnet, knownAZ, knownSG int
}

// FleetReport is the fleet's answer: how many nodes pass, and each failure
// with where it hit, where it spared, and the shared cause when there is one.
type FleetReport struct {
	Nodes      int            `json:"nodes"`
	Pass       int            `json:"pass"`
	Warn       int            `json:"warn"`
	Fail       int            `json:"fail"`
	Versions   map[string]int `json:"versions"`
	Failures   []FailureRow   `json:"failures"`
	Truncated  []string       `json:"truncated,omitempty"`
	Unreadable []string       `json:"unreadable,omitempty"`
	Skipped    []string       `json:"skipped,omitempty"`
	SkippedN   int            `json:"skipped_count,omitempty"`
	// SignaturesLeftOut counts failures seen past the distinct
	// signatures a report keeps.
	SignaturesLeftOut int `json:"signatures_left_out,omitempty"`
}

// Bounds on what a fleet report keeps, whatever the input: the nodes a
// row names, the distinct failure signatures, and the spread values a row
// shows per dimension (the rest are summed into one "others" value).
const (
	maxNodesNamed = 8
	maxSignatures = 64
	maxSpread     = 32
)

// Report folds the fleet into its report, failures most widespread first.
func (f *Fleet) Report() FleetReport {
	rep := FleetReport{Nodes: len(f.order), Versions: map[string]int{}, Truncated: f.Truncated, Unreadable: f.Unreadable, Skipped: f.Skipped, SkippedN: f.SkippedN, SignaturesLeftOut: f.SignaturesLeftOut}
	bySig := map[sigKey]*FailureRow{}
	var sigOrder []sigKey
	for _, id := range f.order {
		n := f.nodes[id]
		switch n.status {
		case report.Fail:
			rep.Fail++
		case report.Warn:
			rep.Warn++
		default:
			rep.Pass++
		}
		rep.Versions[dash(n.node.Version)]++
		for _, key := range n.sigs {
			row := bySig[key]
			if row == nil {
				row = &FailureRow{Signature: f.first[key]}
				bySig[key] = row
				sigOrder = append(sigOrder, key)
			}
			row.Hit++
			if len(row.Nodes) < maxNodesNamed {
				row.Nodes = append(row.Nodes, id)
			}
		}
	}
	for _, key := range sigOrder {
		row := bySig[key]
		f.spread(row)
		row.Scope, row.Cause = f.cause(row)
		row.Subnets, row.AZs, row.SecurityGroups = trimSpread(row.Subnets), trimSpread(row.AZs), trimSpread(row.SecurityGroups)
		rep.Failures = append(rep.Failures, *row)
	}
	followsFromPublicAnswer(rep.Failures)
	slices.SortStableFunc(rep.Failures, func(a, b FailureRow) int { return b.Hit - a.Hit })
	return rep
}

// followsFromPublicAnswer: a TCP failure of an endpoint whose name already
// resolves outside the VPC on as many nodes is that failure's consequence
// (the nodes dial the public address), not a security group's.
func followsFromPublicAnswer(rows []FailureRow) {
	for i, r := range rows {
		if r.Code != report.TCPTimeout && r.Code != report.TCPUnreachable && r.Code != report.TCPRefused {
			continue
		}
		for _, d := range rows {
			if d.Endpoint == r.Endpoint && (d.Code == report.DNSPublic || d.Code == report.APIPrivateAccess) && d.Hit >= r.Hit {
				rows[i].Scope = d.Scope
				rows[i].Cause = fmt.Sprintf("%s %s on %d of %d nodes follows from %s %s: the nodes dial the address outside the VPC, which they cannot reach; mend that first", r.Endpoint, r.Code, r.Hit, d.Hit, d.Endpoint, d.Code)
			}
		}
	}
}

// spread counts, for each subnet, AZ and security group, the nodes the
// failure hit and spared: one pass over the nodes, each value found by a
// map, so 40,000 subnets cost no more than 40 do.
func (f *Fleet) spread(row *FailureRow) {
	index := map[*[]Spread]map[string]int{&row.Subnets: {}, &row.AZs: {}, &row.SecurityGroups: {}}
	count := func(list *[]Spread, value, label string, hit bool) {
		if value == "" {
			return
		}
		i, ok := index[list][value]
		if !ok {
			*list = append(*list, Spread{Value: value, Label: label})
			i = len(*list) - 1
			index[list][value] = i
		}
		if hit {
			(*list)[i].Hit++
		} else {
			(*list)[i].Spared++
		}
	}
	known := func(n *int, value string, hit bool) {
		if hit && value != "" {
			*n++
		}
	}
	key := sigKey{row.Endpoint, row.Code}
	for _, id := range f.order {
		n := f.nodes[id]
		h := slices.Contains(n.sigs, key)
		count(&row.Subnets, n.node.SubnetID, strings.Trim(n.node.SubnetCIDR+", "+n.node.AZ, ", "), h)
		count(&row.AZs, n.node.AZ, n.node.AZID, h)
		for _, g := range n.node.SecurityGroups {
			count(&row.SecurityGroups, g, "", h)
		}
		known(&row.knownSubnet, n.node.SubnetID, h)
		known(&row.knownAZ, n.node.AZ, h)
		known(&row.knownSG, strings.Join(n.node.SecurityGroups, ","), h)
	}
}

// trimSpread keeps the maxSpread values most hit, then most spared, and
// sums the rest into one, so a report of 40,000 subnets stays readable.
func trimSpread(list []Spread) []Spread {
	if len(list) <= maxSpread {
		return list
	}
	slices.SortStableFunc(list, func(a, b Spread) int {
		if a.Hit != b.Hit {
			return b.Hit - a.Hit
		}
		return b.Spared - a.Spared
	})
	rest := Spread{Value: fmt.Sprintf("%d others", len(list)-maxSpread+1)}
	for _, s := range list[maxSpread-1:] {
		rest.Hit, rest.Spared = rest.Hit+s.Hit, rest.Spared+s.Spared
	}
	return append(slices.Clip(list[:maxSpread-1]), rest)
}

// cause names the dimension a failure is confined to: every node there hit,
// none elsewhere, at least two of them, judged by the nodes that said where
// they are (a node whose IMDS did not answer does not). Narrowest first; a
// failure on every node is VPC-wide; anything else is stated as spread,
// not explained.
func (f *Fleet) cause(row *FailureRow) (string, string) {
	total := len(f.order)
	what := row.Endpoint + " " + string(row.Code)
	if row.Hit == total {
		if total < 2 {
			return "", ""
		}
		return ScopeVPC, fmt.Sprintf("%s on all %d nodes, in every subnet and AZ: VPC-wide, %s", what, total, fleetFix(row, ScopeVPC, Spread{}))
	}
	for _, dim := range []struct {
		scope  string
		spread []Spread
		known  int
		name   string
	}{{ScopeSubnet, row.Subnets, row.knownSubnet, "subnet"}, {ScopeAZ, row.AZs, row.knownAZ, "AZ"}, {ScopeSecurityGroup, row.SecurityGroups, row.knownSG, "security group"}} {
		for _, s := range dim.spread {
			if s.Hit == dim.known && s.Spared == 0 && s.Hit >= 2 {
				where := s.Value
				if s.Label != "" {
					where += " (" + s.Label + ")"
				}
				unknown := ""
				if n := row.Hit - dim.known; n > 0 {
					unknown = fmt.Sprintf(" (and on %d that did not say their %s)", n, dim.name)
				}
				return dim.scope, fmt.Sprintf("%s on %d of %d nodes in %s %s%s, on none of %d elsewhere: %s",
					what, s.Hit, s.Hit, dim.name, where, unknown, total-row.Hit, fleetFix(row, dim.scope, s))
			}
		}
	}
	return "", fmt.Sprintf("%s on %d of %d nodes, spread over %d subnets and %d AZs with nodes it spared: no subnet, AZ or security group explains it; read one node's report (eksboot explain on its console)",
		what, row.Hit, total, countHit(row.Subnets), countHit(row.AZs))
}

func countHit(spread []Spread) int {
	n := 0
	for _, s := range spread {
		if s.Hit > 0 {
			n++
		}
	}
	return n
}

// WriteFleet writes the fleet report for a person: a headline, then one
// block per failure: where it hit and spared, the shared cause or its
// absence, and the first nodes it hit.
func WriteFleet(w io.Writer, rep FleetReport, style Style) error {
	rep = printableCopy(rep)
	var b strings.Builder
	var versions []string
	for v, n := range rep.Versions {
		versions = append(versions, fmt.Sprintf("%s on %d", v, n))
	}
	slices.Sort(versions)
	fmt.Fprintf(&b, "fleet: %d nodes: %d pass, %d warn, %d fail; eksboot %s\n", rep.Nodes, rep.Pass, rep.Warn, rep.Fail, strings.Join(versions, ", "))
	for _, f := range rep.Failures {
		fmt.Fprintf(&b, "\n%s %s %s on %d of %d nodes\n", style.status(f.Status), printable(f.Endpoint), printable(string(f.Code)), f.Hit, rep.Nodes)
		fmt.Fprintf(&b, "    subnets:         %s\n", spreadText(f.Subnets))
		fmt.Fprintf(&b, "    AZs:             %s\n", spreadText(f.AZs))
		fmt.Fprintf(&b, "    security groups: %s\n", spreadText(f.SecurityGroups))
		fmt.Fprintf(&b, "    cause: %s\n", printable(f.Cause))
		more := ""
		if f.Hit > len(f.Nodes) {
			more = fmt.Sprintf(" and %d more", f.Hit-len(f.Nodes))
		}
		fmt.Fprintf(&b, "    nodes: %s%s\n", printable(strings.Join(f.Nodes, ", ")), more)
	}
	for _, t := range rep.Truncated {
		fmt.Fprintf(&b, "\ntruncated: %s", printable(t))
	}
	for _, u := range rep.Unreadable {
		fmt.Fprintf(&b, "\nunreadable: %s", printable(u))
	}
	for _, u := range rep.Skipped {
		fmt.Fprintf(&b, "\nskipped: %s", u)
	}
	if len(rep.Truncated)+len(rep.Unreadable)+len(rep.Skipped) > 0 {
		b.WriteString("\n")
	}
	word := "PASS"
	if rep.Fail > 0 {
		word = "FAIL"
	}
	skipped := ""
	if rep.SkippedN > 0 {
		skipped = fmt.Sprintf(", %d skipped", rep.SkippedN)
	}
	fmt.Fprintf(&b, "\nfleet verdict: %s (%d of %d nodes fail; %d inputs truncated, %d unreadable%s)\n", word, rep.Fail, rep.Nodes, len(rep.Truncated), len(rep.Unreadable), skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

// spreadText is "subnet-0b2 (10.0.2.0/24, eu-west-1b) 12 hit 0 spared; ...".
func spreadText(spread []Spread) string {
	if len(spread) == 0 {
		return "-"
	}
	parts := make([]string, len(spread))
	for i, s := range spread {
		label := ""
		if s.Label != "" {
			label = " (" + s.Label + ")"
		}
		parts[i] = fmt.Sprintf("%s%s %d hit %d spared", s.Value, label, s.Hit, s.Spared)
	}
	return printable(strings.Join(parts, "; "))
}

// WriteFleetJSON writes the fleet report as one JSON object.
func WriteFleetJSON(w io.Writer, rep FleetReport) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return err
	}
	_, err := w.Write(jsonSafe(b.Bytes()))
	return err
}
