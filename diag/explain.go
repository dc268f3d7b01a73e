package diag

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/eksboot/eksboot/probes"
)

// Bounds on what explain keeps: one line (longer ones are skipped whole),
// results of one run, and runs still waiting for their summary.
const (
	maxLine          = 1 << 20
	maxResultsPerRun = 4096
	maxOpenRuns      = 64
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
	if f.last == nil {
		return Report{}, ErrNoReport
	}
	return *f.last, nil
}

// Read folds every complete run in r (named source in the report) into f,
// one line at a time: eksboot's JSON lines, bare, behind "eksboot: " among
// console noise, or inside the Output of aws ec2 get-console-output's JSON.
// A run cut off before its summary is counted as truncated; an input with
// no eksboot line at all, as unreadable.
func (f *Fleet) Read(r io.Reader, source string) error {
	br := bufio.NewReaderSize(r, 64<<10)
	rd := &runReader{fleet: f, source: source, runs: map[string][]probes.Result{}}
	for {
		raw, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rd.line(strings.TrimRight(string(raw), "\r"))
	}
	for run, results := range rd.runs {
		if len(results) > 0 {
			f.Truncated = appendCapped(f.Truncated, fmt.Sprintf("%s: run %s stops after %d results, before its summary", source, dash(run), len(results)))
		}
	}
	if !rd.seen {
		f.Unreadable = appendCapped(f.Unreadable, source+": no eksboot line in it")
	}
	return nil
}

// runReader collects one input's runs until their summaries.
type runReader struct {
	fleet  *Fleet
	source string
	runs   map[string][]probes.Result // results so far, by run id
	seen   bool
}

// parseLine reads one of eksboot's JSON lines, bare or behind the console
// prefix among other text.
func parseLine(text string) (Line, bool) {
	if i := strings.Index(text, ConsolePrefix+"{"); i >= 0 {
		text = text[i+len(ConsolePrefix):]
	} else if !strings.HasPrefix(strings.TrimSpace(text), "{") {
		return Line{}, false
	}
	var l Line
	if err := json.Unmarshal([]byte(strings.TrimSpace(text)), &l); err != nil || l.V != SchemaVersion {
		return Line{}, false
	}
	return l, true
}

// consoleOutputJSON is aws ec2 get-console-output --output json: the
// console text is the Output string.
var consoleOutputJSON = regexp.MustCompile(`^\s*\{?\s*"Output":\s*(".*")\s*,?\s*\}?\s*$|"Output":\s*("(?:[^"\\]|\\.)*")`)

func (rd *runReader) line(text string) {
	l, ok := parseLine(text)
	if !ok {
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
		rd.fleet.add(Report{Run: l.Run, Results: rd.runs[l.Run], Summary: l.summary()}, rd.source)
		delete(rd.runs, l.Run)
	case len(rd.runs[l.Run]) >= maxResultsPerRun || (rd.runs[l.Run] == nil && len(rd.runs) >= maxOpenRuns):
		// more than any run writes: keep what is kept, and the summary
	case l.Check != "":
		rd.runs[l.Run] = append(rd.runs[l.Run], l.result())
	case l.Msg != "":
		// A console note (passes collapsed, results left out) reads as a
		// node-wide row.
		rd.runs[l.Run] = append(rd.runs[l.Run], probes.Result{Check: "console", Status: probes.Skip, Code: "note", Msg: l.Msg})
	}
}

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
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && (len(line) > 0 || tooLong):
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case err != nil:
			return nil, err
		}
		return bytes.TrimSuffix(line, []byte("\n")), nil
	}
}
