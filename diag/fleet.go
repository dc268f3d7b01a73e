package diag

import (
	"bufio"
	"fmt"
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
	newestCut  *cutRun
	br         *bufio.Reader
	Truncated  []string // runs cut off before their summary, named
	Unreadable []string // inputs that held no eksboot line, named
	// NotRun are inputs with no eksboot report where a Bottlerocket
	// bootstrap container failed before eksboot ran, with host-ctr's word
	// on it, or eksboot stopped before its report, with its own.
	NotRun   []string
	Skipped  []string // inputs that could not be opened or are not files, the first named
	SkippedN int
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
	via      string // the proxy, for a finding of the path through one (proxyVia)
}

// Signature is a failure as the fleet report groups it: an endpoint (or a
// node-wide check) and a code, and for what the path through a proxy
// found, the proxy: each proxy's failures are a row of their own.
type Signature struct {
	Endpoint string        `json:"endpoint"`
	Code     report.Code   `json:"code"`
	Via      string        `json:"via,omitempty"` // proxy HOST:PORT`
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

// cutRun is a run read without its summary: where it stopped, and the
// codes of what had failed by then.
type cutRun struct {
	run    string
	at     time.Time
	failed []string
}

// noteCut keeps the newest run cut before its summary.
func (f *Fleet) noteCut(run string, results []pendingResult) {
	c := cutRun{run: run}
	for _, p := range results {
		if p.at.After(c.at) {
			c.at = p.at
		}
		if p.raw == "" && p.result.Status == report.Fail && !slices.Contains(c.failed, string(p.result.Code)) {
			c.failed = append(c.failed, string(p.result.Code))
		}
	}
	if f.newestCut == nil || c.at.After(f.newestCut.at) {
		f.newestCut = &c
	}
}

// NewerCut says when a run cut before its summary came after the last
// complete one (a Bottlerocket node's next boot, still waiting or read
// short): what Last shows is then not the node's latest word. failing:
// that run had failed checks by where it stops.
func (f *Fleet) NewerCut() (note string, failing bool) {
	c := f.newestCut
	if c == nil || f.last == nil || c.run == f.last.run || c.at.Before(f.last.summary.At) { // at the same second, the cut one may be the later
		return "", false
	}
	note = fmt.Sprintf("the run above is not the latest: run %s, at %s, stops before its summary", dash(c.run), c.at.UTC().Format(time.RFC3339))
	if len(c.failed) > 0 {
		note += ", failing " + strings.Join(c.failed, ", ") + " so far"
	}
	return note, len(c.failed) > 0
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
func (f *Fleet) add(run string, results []pendingResult, summary Summary, source string) (id string) {
	if f.last == nil || !summary.At.Before(f.last.summary.At) {
		f.last = &lastRun{run: run, results: results, summary: summary}
	}
	id = summary.Node.InstanceID
	if id == "" { // IMDS did not answer; Read may find the input's instance
		id = source + "#" + run
	}
	if old, seen := f.nodes[id]; seen && summary.At.Before(old.at) {
		return id
	}
	nd := summary.Node
	nd.InstanceID = clip(nd.InstanceID)
	for _, p := range []*string{&nd.InstanceType, &nd.AMIID, &nd.AZ, &nd.AZID, &nd.VPCID, &nd.SubnetID, &nd.SubnetCIDR, &nd.Version} {
		*p = f.intern(clip(*p))
	}
	nd.SecurityGroups = slices.Clone(nd.SecurityGroups[:min(len(nd.SecurityGroups), maxNodeGroups)])
	for i, g := range nd.SecurityGroups {
		nd.SecurityGroups[i] = f.intern(clip(g))
	}
	n := &fleetNode{id: id, node: nd, status: summary.Verdict.Status, at: summary.At}
	switch {
	case !summary.Verdict.Passed:
		n.status = report.Fail
	case n.status == report.Fail: // --fail-on lets these failures pass: the node's verdict is what counts
		n.status = report.Warn
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
		k := sigKey{clip(name), r.Code, clip(proxyVia(r))}
		if _, seen := f.first[k]; !seen {
			if len(f.first) >= maxSignatures {
				// Crafted or broken input can name a new endpoint per
				// node; past the bound a signature is only counted.
				f.SignaturesLeftOut++
				continue
			}
			k.endpoint, k.via = f.intern(k.endpoint), f.intern(k.via)
			f.first[k] = Signature{Endpoint: k.endpoint, Code: r.Code, Via: k.via, Status: r.Status, Hint: r.Hint, Host: r.Host, Service: r.Service}
		}
		if len(n.sigs) < maxSignatures && !slices.Contains(n.sigs, k) {
			n.sigs = append(n.sigs, k)
		}
	}
	if _, seen := f.nodes[id]; !seen {
		f.order = append(f.order, id)
	}
	f.nodes[id] = n
	return id
}

// merge makes node from's runs instance id's: the newer of the two stays.
func (f *Fleet) merge(from, id string) {
	anon, ok := f.nodes[from]
	if !ok || from == id {
		return
	}
	delete(f.nodes, from)
	f.order = slices.DeleteFunc(f.order, func(o string) bool { return o == from })
	switch old, seen := f.nodes[id]; {
	case !seen:
		f.order = append(f.order, id)
	case !anon.at.After(old.at):
		return
	}
	anon.id = id
	f.nodes[id] = anon
}

// proxyVia is the proxy a finding of the path through it names: what was
// probed at the proxy, or TLS through its tunnel; "" for the rest, which
// group by endpoint and code whatever the path.
func proxyVia(r report.Result) string {
	if !strings.HasPrefix(r.Via, "proxy ") || r.Kind != report.KindProxy && r.Kind != report.KindTLS {
		return ""
	}
	return r.Via
}

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
	Scope          string   `json:"scope,omitempty"` // what the failure is confined to (hints.Scope*), when the data shows it
	Cause          string   `json:"cause"`
	// hit nodes that said their subnet, AZ, security groups (IMDS can fail)
	knownSubnet, knownAZ, knownSG int
	// The nodes spared that said their subnet, AZ, security groups.
	sparedSubnet, sparedAZ, sparedSG int
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
	// NotRun are the inputs whose node stopped before eksboot's report (a
	// Bottlerocket bootstrap container that failed), each with the reason.
	NotRun   []string `json:"not_run,omitempty"`
	Skipped  []string `json:"skipped,omitempty"`
	SkippedN int      `json:"skipped_count,omitempty"`
	// SignaturesLeftOut counts failures seen past the distinct
	// signatures a report keeps.
	SignaturesLeftOut int `json:"signatures_left_out,omitempty"`
}

// Passed: every node reported and none failed. A node whose bootstrap
// container stopped before eksboot's report did not boot; a run cut
// before its summary has no verdict to pass.
func (r FleetReport) Passed() bool { return r.Fail == 0 && len(r.NotRun) == 0 && len(r.Truncated) == 0 }

// Bounds on what a fleet report keeps, whatever the input: the nodes a
// row names, the distinct failure signatures, and the spread values a row
// shows per dimension (the rest are summed into one "others" value).
const (
	maxNodeGroups = 16 // security groups kept per node (EC2 allows 16 per interface)
	maxNodesNamed = 8
	maxSignatures = 64
	maxSpread     = 32
)

// Report folds the fleet into its report, failures most widespread first.
func (f *Fleet) Report() FleetReport {
	rep := FleetReport{Nodes: len(f.order), Versions: map[string]int{}, Failures: []FailureRow{}, Truncated: f.Truncated, Unreadable: f.Unreadable, NotRun: f.NotRun, Skipped: f.Skipped, SkippedN: f.SkippedN, SignaturesLeftOut: f.SignaturesLeftOut}
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
	f.followsFromPublicAnswer(rep.Failures)
	slices.SortStableFunc(rep.Failures, func(a, b FailureRow) int { return b.Hit - a.Hit })
	return rep
}
