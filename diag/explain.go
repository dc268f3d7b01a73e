package diag

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/eksboot/eksboot/probes"
)

// maxLine bounds one line of console text read by explain.
const maxLine = 1 << 20

// line is a JSON line as eksboot writes it.
type line struct {
	V        int      `json:"v"`
	Run      string   `json:"run"`
	Msg      string   `json:"msg"`
	Check    string   `json:"check"`
	Endpoint string   `json:"endpoint"`
	Host     string   `json:"host"`
	Addr     string   `json:"addr"`
	Route    string   `json:"route"`
	Status   string   `json:"status"`
	Code     string   `json:"code"`
	MS       int64    `json:"ms"`
	Hint     string   `json:"hint"`
	Passed   *bool    `json:"passed"`
	Pass     int      `json:"pass"`
	Warn     int      `json:"warn"`
	Fail     int      `json:"fail"`
	Skip     int      `json:"skip"`
	Failed   []string `json:"failed"`
	Codes    []string `json:"codes"`
	ArgsFile string   `json:"args_file"`
	Server   string   `json:"server_version"`
	User     string   `json:"user"`
	Groups   []string `json:"groups"`
}

// ErrNoReport means the input held no eksboot summary.
var ErrNoReport = errors.New("no eksboot report found: expected JSON lines, or console output with \"eksboot: \" lines and a summary")

// Parse reads eksboot's JSON lines, bare or inside console output (kernel,
// cloud-init and other noise around the "eksboot: " lines), and returns the
// last complete run's report. Runs whose lines interleave are told apart by
// their run ids.
func Parse(r io.Reader) (Report, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	runs := map[string][]probes.Result{} // results so far, by run id
	var last *Report
	for sc.Scan() {
		text := strings.TrimRight(sc.Text(), "\r")
		if i := strings.Index(text, ConsolePrefix+"{"); i >= 0 {
			text = text[i+len(ConsolePrefix):]
		} else if !strings.HasPrefix(strings.TrimSpace(text), "{") {
			continue
		}
		var l line
		if err := json.Unmarshal([]byte(strings.TrimSpace(text)), &l); err != nil || l.V != SchemaVersion {
			continue
		}
		switch {
		case l.Msg == "summary" && l.Passed != nil:
			rep := Report{Run: l.Run, Results: runs[l.Run], Summary: Summary{
				Verdict: probes.Verdict{
					Status: probes.Status(l.Status), Passed: *l.Passed, Failed: l.Failed,
					Counts: probes.Counts{Pass: l.Pass, Warn: l.Warn, Fail: l.Fail, Skip: l.Skip},
				},
				ArgsFile: l.ArgsFile, Server: l.Server, Took: time.Duration(l.MS) * time.Millisecond,
			}}
			if l.User != "" {
				rep.Summary.User = &probes.UserInfo{Username: l.User, Groups: l.Groups}
			}
			for _, c := range l.Codes {
				rep.Summary.Verdict.Codes = append(rep.Summary.Verdict.Codes, probes.Code(c))
			}
			last = &rep
			delete(runs, l.Run)
		case l.Check != "":
			runs[l.Run] = append(runs[l.Run], probes.Result{
				Check: l.Check, Endpoint: l.Endpoint, Host: l.Host, Addr: l.Addr, Route: l.Route,
				Status: probes.Status(l.Status), Code: probes.Code(l.Code), Msg: l.Msg, Hint: l.Hint,
				Duration: time.Duration(l.MS) * time.Millisecond,
			})
		case l.Msg != "":
			// A console note (passes collapsed, results left out) reads as a
			// node-wide row.
			runs[l.Run] = append(runs[l.Run], probes.Result{Check: "console", Status: probes.Skip, Code: "note", Msg: l.Msg})
		}
	}
	if err := sc.Err(); err != nil {
		return Report{}, err
	}
	if last == nil {
		return Report{}, ErrNoReport
	}
	return *last, nil
}
