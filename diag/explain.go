package diag

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/eksboot/eksboot/report"
)

// Bounds on what explain keeps: one line (longer ones are skipped whole),
// results of one run, and runs still waiting for their summary.
const (
	maxLine          = 1 << 20
	maxResultsPerRun = 4096
	maxOpenRuns      = 64
	// A pass is kept as its JSON only when it is as short as eksboot's
	// are; a longer one is decoded and its fields clipped, so crafted
	// megabyte lines cost what ordinary ones do.
	maxRawPass = 1 << 10
	// maxPending bounds the results one input holds back for all its runs.
	maxPending = 8192
)

// ErrNoReport means the input held no eksboot summary.
var ErrNoReport = errors.New("no eksboot report found: expected JSON lines, or console output with \"eksboot: \" lines and a summary")

// Parse reads eksboot's JSON lines, bare or inside console output (kernel,
// cloud-init and other noise around the "eksboot: " lines), and returns the
// last complete run's report. Runs whose lines interleave are told apart by
// their run ids.
func Parse(r io.Reader) (Report, error) {
	f := NewFleet()
	if err := f.Read(r, "-"); err != nil {
		return Report{}, err
	}
	last := f.Last()
	if last == nil {
		return Report{}, ErrNoReport
	}
	return *last, nil
}

// Read folds every complete run in r (named source in the report) into f,
// one line at a time: eksboot's JSON lines, bare, behind "eksboot: " among
// console noise (a kernel timestamp, journald's IDENTIFIER[PID]: prefix or
// journalctl's short format before it), inside the Output of aws ec2
// get-console-output's JSON, or as the MESSAGE of journalctl -o json.
// A run cut off before its summary is counted as truncated; an input with
// no report where a Bottlerocket bootstrap container failed, or eksboot
// stopped, before it, as not run (a node that did not boot); any other
// input with no eksboot line at all, as unreadable.
func (f *Fleet) Read(r io.Reader, source string) error {
	if f.br == nil {
		f.br = bufio.NewReaderSize(r, 16<<10)
	} else {
		f.br.Reset(r) // one buffer for ten thousand files
	}
	rd := &runReader{fleet: f, source: source, runs: map[string][]pendingResult{}, lastAt: map[string]int{}, summaries: map[string]Summary{}}
	for {
		raw, err := readLine(f.br)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rd.n++
		rd.line(strings.TrimRight(string(raw), "\r"))
	}
	for run, results := range rd.runs {
		sum, reported := rd.summaries[run]
		switch {
		case len(results) == 0:
		case reported: // its summary came first (SSM's inline output, cut): what survived is its report
			f.add(run, results, sum, source)
		case rd.lastAt[run] < rd.lastSummaryAt:
			// cut by a reboot; a later run of this input reported
		default:
			f.Truncated = appendCapped(f.Truncated, fmt.Sprintf("%s: run %s stops after %d results, before its summary", source, dash(run), len(results)))
			f.noteCut(run, results)
		}
	}
	if len(rd.instances) == 1 {
		for _, a := range rd.anonymous {
			f.merge(a, rd.instances[0])
		}
	}
	// What stopped the boot before eksboot's report: with a report read,
	// a later boot's (mode = "always").
	later := ""
	if rd.seen {
		later = "; the report before it is an earlier boot's"
	}
	switch {
	case rd.stopped != "":
		f.NotRun = appendCapped(f.NotRun, stopped(source, rd.stoppedName, rd.stopped)+later)
	case rd.hostCtr != "":
		f.NotRun = appendCapped(f.NotRun, notRun(source, rd.hostCtrName, rd.hostCtr)+later)
	case !rd.seen:
		f.Unreadable = appendCapped(f.Unreadable, source+": no eksboot line in it")
	}
	return nil
}

// pendingResult is a result of a run still awaiting its summary. A pass is
// kept as its JSON and decoded only if its run is shown whole: the fleet
// report needs only what failed, and most lines are passes.
type pendingResult struct {
	raw    string
	result report.Result
	at     time.Time
}

func (p pendingResult) decode() (report.Result, time.Time) {
	if p.raw == "" {
		return p.result, p.at
	}
	var l Line
	json.Unmarshal([]byte(p.raw), &l)
	return l.result(), l.Time
}

// runReader collects one input's runs until their summaries.
type runReader struct {
	fleet   *Fleet
	source  string
	runs    map[string][]pendingResult // by run id
	pending int                        // results held in runs
	seen    bool
	// hostCtr is host-ctr's last error for a bootstrap container.
	hostCtrName, hostCtr string
	// stopped is eksboot's own last plain line there, before any report.
	stoppedName, stopped string
	// reportPID is the unit's PID on the line of the last summary: a
	// later line of that PID is the same boot's, after its report.
	reportPID string
	// n counts the input's lines; lastAt is each open run's last line,
	// lastSummaryAt the last summary's; summaries are the runs reported
	// (at most maxOpenRuns kept), whose later lines SSM's summary-first
	// output puts after them.
	n, lastSummaryAt int
	lastAt           map[string]int
	summaries        map[string]Summary
	// split is the start of one of eksboot's lines a kernel message cut.
	split string
	// anonymous are the nodes of runs that named no instance (IMDS did
	// not answer), instances the first two the input's runs named: an
	// input of one instance (a console, a journal) is that one node.
	anonymous, instances []string
}

// room says whether one more result of run can be held.
func (rd *runReader) room(run string) bool {
	return rd.pending < maxPending && len(rd.runs[run]) < maxResultsPerRun && (rd.runs[run] != nil || len(rd.runs) < maxOpenRuns)
}

// maxResultField bounds each text of a result kept from input.
const maxResultField = 1 << 10

// clipResult is r with each text cut to maxResultField bytes.
func clipResult(r report.Result) report.Result {
	for _, p := range []*string{&r.Kind, &r.Via, &r.Endpoint, &r.Host, &r.Addr, &r.Route, &r.Msg, &r.Hint} {
		*p = clipTo(*p, maxResultField)
	}
	r.Code = report.Code(clipTo(string(r.Code), maxSummaryItem))
	return r
}

// jsonOf is the JSON of one of eksboot's lines, bare or behind the console
// prefix among other text.
func jsonOf(text string) (string, bool) {
	// A raw tab is never inside one of eksboot's JSON lines (JSON escapes
	// it): what follows one is another column, as the Timestamp that aws
	// ec2 get-console-output --output text puts after the console's last
	// line.
	if i := strings.Index(text, ConsolePrefix+"{"); i >= 0 {
		js, _, _ := strings.Cut(text[i+len(ConsolePrefix):], "\t")
		return strings.TrimSpace(js), true
	}
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "{") {
		text, _, _ = strings.Cut(text, "\t")
	}
	return strings.TrimSpace(text), strings.HasPrefix(text, "{")
}

// parseLine reads one of eksboot's JSON lines.
func parseLine(js string) (Line, bool) {
	var l Line
	if err := json.Unmarshal([]byte(js), &l); err != nil || l.V != SchemaVersion {
		return Line{}, false
	}
	return l, true
}

// schemaField is how every line of this schema shows its version.
var schemaField = fmt.Sprintf(`"v":%d,`, SchemaVersion)

// passRun is the run id of a passing result's JSON, found without decoding.
func passRun(js string) (string, bool) {
	if !strings.Contains(js, `"status":"pass"`) || !strings.Contains(js, schemaField) || strings.Contains(js, `"msg":"summary"`) {
		return "", false
	}
	_, rest, found := strings.Cut(js, `"run":"`)
	if !found {
		return "", strings.Contains(js, `"check":"`)
	}
	run, _, found := strings.Cut(rest, `"`)
	return run, found
}

// kernelTail is a kernel message, timestamp first, glued to the end of a
// console line: printk writes to the serial console unordered with
// journald, so it can land inside one of eksboot's lines, whose rest then
// comes as the next line.
var kernelTail = regexp.MustCompile(`\[\s*\d+\.\d+\] [^\[]*$`)

func (rd *runReader) line(text string) {
	if split := rd.split; split != "" {
		rd.split = ""
		if _, ok := parseLine(split + text); ok {
			text = ConsolePrefix + split + text
		}
	}
	js, ok := jsonOf(text)
	var l Line
	if ok {
		if run, pass := passRun(js); pass && len(js) <= maxRawPass && strings.HasSuffix(js, "}") { // a line a kernel message cut takes the slow path, which mends it
			rd.seen = true
			if rd.room(run) {
				rd.runs[run] = append(rd.runs[run], pendingResult{raw: js})
				rd.pending++
				rd.lastAt[run] = rd.n
			}
			return
		}
		l, ok = parseLine(js)
		if !ok {
			if m := kernelTail.FindStringIndex(js); m != nil && strings.HasPrefix(js, "{") {
				rd.split = js[:m[0]] // the line's rest comes next
			}
		}
	}
	if !ok {
		if msg, isEntry := journalMessage(text); isEntry {
			rd.line(msg)
			return
		}
		if strings.Contains(text, "Linux version ") || strings.HasPrefix(text, "-- Boot ") { // the kernel's banner, journalctl's boot separator
			rd.reportPID = "-" // a new boot: no line of it is the report's
		}
		sameBoot := rd.seen && unitPID(text) == rd.reportPID // after its report: eksboot's exit, which the report explains
		if name, msg, failed := hostCtrFailure(text); failed {
			if !sameBoot || !strings.Contains(msg, "exited with non-zero status") {
				rd.hostCtrName, rd.hostCtr = name, msg
			}
			return
		}
		if name, msg, failed := eksbootStopped(text); failed {
			if !sameBoot {
				rd.stoppedName, rd.stopped = name, msg
			}
			return
		}
		if m := consoleOutputJSON.FindStringSubmatch(text); m != nil {
			var console string
			if json.Unmarshal([]byte(m[1]+m[2]), &console) == nil {
				for _, l := range strings.Split(console, "\n") {
					rd.line(strings.TrimRight(l, "\r"))
				}
			}
		}
		return
	}
	rd.seen = true
	switch {
	case l.isSummary():
		rd.hostCtrName, rd.hostCtr = "", "" // a failure before a report was an earlier boot's
		rd.stoppedName, rd.stopped, rd.reportPID = "", "", unitPID(text)
		sum := l.summary()
		id := rd.fleet.add(l.Run, rd.runs[l.Run], sum, rd.source)
		rd.lastSummaryAt = rd.n
		if len(rd.runs[l.Run]) == 0 && l.Run != "" && len(rd.summaries) < maxOpenRuns { // before any result: SSM's copy first
			rd.summaries[l.Run] = sum
		}
		switch {
		case sum.Node.InstanceID == "":
			rd.anonymous = append(rd.anonymous, id)
		case !slices.Contains(rd.instances, id) && len(rd.instances) < 2:
			rd.instances = append(rd.instances, id)
		}
		rd.pending -= len(rd.runs[l.Run])
		delete(rd.runs, l.Run)
	case !rd.room(l.Run):
		// more than any run writes: keep what is kept, and the summary
	case l.Check != "":
		rd.runs[l.Run] = append(rd.runs[l.Run], pendingResult{result: clipResult(l.result()), at: l.Time})
		rd.pending++
		rd.lastAt[l.Run] = rd.n
	case l.Msg != "":
		// A console note (passes collapsed, results left out) reads as a
		// node-wide row.
		rd.runs[l.Run] = append(rd.runs[l.Run], pendingResult{result: report.Result{Kind: "console", Status: report.Skip, Code: "note", Msg: clip(l.Msg)}, at: l.Time})
		rd.pending++
		rd.lastAt[l.Run] = rd.n
	}
}

// consoleOutputJSON is aws ec2 get-console-output --output json: the
// console text is the Output string.
var consoleOutputJSON = regexp.MustCompile(`^\s*\{?\s*"Output":\s*(".*")\s*,?\s*\}?\s*$|"Output":\s*("(?:[^"\\]|\\.)*")`)

// readLine returns the next line without its newline; a line longer than
// maxLine comes back empty, its bytes read and dropped.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && (len(line) > 0 || tooLong):
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case err != nil:
			return nil, err
		}
		return bytes.TrimSuffix(line, []byte("\n")), nil
	}
}
