package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-systemd/v22/journal"
	"github.com/eksboot/eksboot/report"
)

// SchemaVersion is the "v" of every JSON line.
const SchemaVersion = 1

// SummaryMsg is the msg of a run's last line.
const SummaryMsg = "summary"

// Line is one JSON line (SPEC §6), the one schema every output writes and
// explain reads: a result, a console note, or the summary. Field order is
// the order on the wire; what a kind of line does not carry is left out.
type Line struct {
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
	V     int       `json:"v"`
	Run   string    `json:"run,omitempty"`

	Check    string `json:"check,omitempty"`
	Via      string `json:"via,omitempty"` // the path: direct, or proxy HOST:PORT
	Endpoint string `json:"endpoint,omitempty"`
	Action   string `json:"action,omitempty"`  // an aws result's call
	Service  string `json:"service,omitempty"` // com.amazonaws.REGION.SERVICE
	Host     string `json:"host,omitempty"`
	Addr     string `json:"addr,omitempty"`
	Route    string `json:"route,omitempty"`
	Status   string `json:"status,omitempty"`

	// The summary's.
	Passed      *bool    `json:"passed,omitempty"`
	Pass        *int     `json:"pass,omitempty"`
	Warn        *int     `json:"warn,omitempty"`
	Fail        *int     `json:"fail,omitempty"`
	Skip        *int     `json:"skip,omitempty"`
	Failed      []string `json:"failed,omitempty"`
	Codes       []string `json:"codes,omitempty"`
	ArgsFile    string   `json:"args_file,omitempty"`
	Target      string   `json:"target,omitempty"`
	Server      string   `json:"server_version,omitempty"`
	User        string   `json:"user,omitempty"`
	Groups      []string `json:"groups,omitempty"`
	Interrupted bool     `json:"interrupted,omitempty"`
	// How many of each list the summary left out to stay in the console's
	// budget (6,000 groups from the API server would not).
	FailedLeftOut int `json:"failed_left_out,omitempty"`
	CodesLeftOut  int `json:"codes_left_out,omitempty"`
	GroupsLeftOut int `json:"groups_left_out,omitempty"`

	// Where the run ran (the summary's).
	InstanceID     string   `json:"instance_id,omitempty"`
	InstanceType   string   `json:"instance_type,omitempty"`
	AMIID          string   `json:"ami_id,omitempty"`
	AZ             string   `json:"az,omitempty"`
	AZID           string   `json:"az_id,omitempty"`
	VPCID          string   `json:"vpc_id,omitempty"`
	SubnetID       string   `json:"subnet_id,omitempty"`
	SubnetCIDR     string   `json:"subnet_cidr,omitempty"`
	SecurityGroups []string `json:"security_groups,omitempty"`
	Version        string   `json:"eksboot_version,omitempty"`
	SGsLeftOut     int      `json:"security_groups_left_out,omitempty"`

	Code string `json:"code,omitempty"`
	MS   *int64 `json:"ms,omitempty"`
	Hint string `json:"hint,omitempty"`

	// A console note's: passes collapsed, results left out.
	Collapsed int `json:"collapsed,omitempty"`
	Omitted   int `json:"omitted,omitempty"`
}

// statusStyle is how each output shows a status: one table.
type statusStyle struct {
	level    string
	priority journal.Priority
	word     string
	colour   string // ANSI SGR
}

var statusStyles = map[report.Status]statusStyle{
	report.Pass: {"INFO", journal.PriInfo, "ok", "32"},
	report.Skip: {"INFO", journal.PriInfo, "skip", "39"},
	report.Warn: {"WARN", journal.PriWarning, "WARN", "33"},
	report.Fail: {"ERROR", journal.PriErr, "FAIL", "31"},
}

func styleOf(s report.Status) statusStyle {
	if st, ok := statusStyles[s]; ok {
		return st
	}
	return statusStyle{"INFO", journal.PriInfo, "-", "39"}
}

func ptr[T any](v T) *T { return &v }

// resultLine is r on the wire.
func resultLine(r report.Result, run string, now time.Time) Line {
	return Line{Time: now, Level: styleOf(r.Status).level, Msg: r.Msg, V: SchemaVersion, Run: run,
		Check: r.Kind, Via: r.Via, Endpoint: r.Endpoint, Action: r.Action, Service: r.Service, Host: r.Host, Addr: r.Addr, Route: r.Route, Status: string(r.Status),
		Code: string(r.Code), MS: ptr(r.Duration.Milliseconds()), Hint: r.Hint}
}

// summaryLine is s on the wire.
func summaryLine(s Summary, run string, now time.Time) Line {
	v := s.Verdict
	l := Line{Time: now, Level: styleOf(v.Status).level, Msg: SummaryMsg, V: SchemaVersion, Run: run,
		Status: string(v.Status), Passed: ptr(v.Passed), Pass: ptr(v.Counts.Pass), Warn: ptr(v.Counts.Warn), Fail: ptr(v.Counts.Fail), Skip: ptr(v.Counts.Skip),
		Failed: v.Failed, ArgsFile: s.ArgsFile, Target: s.Target, Server: s.Server, Interrupted: s.Interrupted, MS: ptr(s.Took.Milliseconds())}
	for _, c := range v.Codes {
		l.Codes = append(l.Codes, string(c))
	}
	if s.User != nil {
		l.User, l.Groups = clip(s.User.Username), s.User.Groups
	}
	n := s.Node
	l.InstanceID, l.InstanceType, l.AMIID, l.AZ, l.AZID = n.InstanceID, n.InstanceType, n.AMIID, n.AZ, n.AZID
	l.VPCID, l.SubnetID, l.SubnetCIDR, l.SecurityGroups, l.Version = n.VPCID, n.SubnetID, n.SubnetCIDR, n.SecurityGroups, n.Version
	l.Failed, l.FailedLeftOut = capList(l.Failed)
	l.Codes, l.CodesLeftOut = capList(l.Codes)
	l.Groups, l.GroupsLeftOut = capList(l.Groups)
	l.SecurityGroups, l.SGsLeftOut = capList(l.SecurityGroups)
	return l
}

// Bounds on the summary's lists and their items: four full lists stay
// near 4 KiB, a quarter of the console's budget (SPEC §6).
const (
	maxSummaryList = 16
	maxSummaryItem = 64
)

// capList is the first maxSummaryList items, each clipped, and how many
// were left out.
func capList(list []string) ([]string, int) {
	n := min(len(list), maxSummaryList)
	if n == 0 {
		return list, 0
	}
	out := make([]string, n)
	for i := range out {
		out[i] = clip(list[i])
	}
	return out, len(list) - n
}

// clip is s cut to maxSummaryItem bytes on a rune boundary, marked "...".
func clip(s string) string { return clipTo(s, maxSummaryItem) }

// clipTo is s cut to max bytes on a rune boundary, marked "...".
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// result reads a result line back.
func (l Line) result() report.Result {
	r := report.Result{Kind: l.Check, Via: l.Via, Endpoint: l.Endpoint, Action: l.Action, Service: l.Service, Host: l.Host, Addr: l.Addr, Route: l.Route,
		Status: report.Status(l.Status), Code: report.Code(l.Code), Msg: l.Msg, Hint: l.Hint}
	if l.MS != nil {
		r.Duration = time.Duration(*l.MS) * time.Millisecond
	}
	return r
}

// summary reads a summary line back.
func (l Line) summary() Summary {
	deref := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	s := Summary{Verdict: report.Verdict{Status: report.Status(l.Status), Passed: l.Passed != nil && *l.Passed, Failed: l.Failed,
		Counts: report.Counts{Pass: deref(l.Pass), Warn: deref(l.Warn), Fail: deref(l.Fail), Skip: deref(l.Skip)}},
		ArgsFile: l.ArgsFile, Target: l.Target, Server: l.Server, Interrupted: l.Interrupted, At: l.Time}
	if l.MS != nil {
		s.Took = time.Duration(*l.MS) * time.Millisecond
	}
	for _, c := range l.Codes {
		s.Verdict.Codes = append(s.Verdict.Codes, report.Code(c))
	}
	if l.User != "" {
		s.User = &report.UserInfo{Username: l.User, Groups: l.Groups}
	}
	s.Node = Node{InstanceID: l.InstanceID, InstanceType: l.InstanceType, AMIID: l.AMIID, AZ: l.AZ, AZID: l.AZID,
		VPCID: l.VPCID, SubnetID: l.SubnetID, SubnetCIDR: l.SubnetCIDR, SecurityGroups: l.SecurityGroups, Version: l.Version}
	return s
}

func (l Line) isSummary() bool { return l.Msg == SummaryMsg && l.Passed != nil }

// encode is l as one JSON line, newline included.
func (l Line) encode() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(l)
	return jsonSafe(b.Bytes())
}

// journalFields are l's fields as EKSBOOT_ journal fields, every one the
// JSON line has but the envelope.
func (l Line) journalFields() map[string]string {
	var m map[string]any
	json.Unmarshal(l.encode(), &m)
	vars := map[string]string{"SYSLOG_IDENTIFIER": "eksboot"}
	for k, v := range m {
		switch k {
		case "time", "level", "msg", "v":
			continue
		}
		var s string
		switch t := v.(type) {
		case string:
			s = t
		case []any:
			parts := make([]string, len(t))
			for i, p := range t {
				b, _ := json.Marshal(p)
				parts[i] = strings.Trim(string(b), `"`)
			}
			s = strings.Join(parts, ",")
		default:
			b, _ := json.Marshal(t)
			s = string(b)
		}
		vars["EKSBOOT_"+strings.ToUpper(k)] = s
	}
	return vars
}
