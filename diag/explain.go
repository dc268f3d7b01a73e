package diag

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
	br := bufio.NewReaderSize(r, 64<<10)
	runs := map[string][]probes.Result{} // results so far, by run id
	var last *Report
	for {
		raw, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Report{}, err
		}
		text := strings.TrimRight(string(raw), "\r")
		if i := strings.Index(text, ConsolePrefix+"{"); i >= 0 {
			text = text[i+len(ConsolePrefix):]
		} else if !strings.HasPrefix(strings.TrimSpace(text), "{") {
			continue
		}
		var l Line
		if err := json.Unmarshal([]byte(strings.TrimSpace(text)), &l); err != nil || l.V != SchemaVersion {
			continue
		}
		switch {
		case l.isSummary():
			rep := Report{Run: l.Run, Results: runs[l.Run], Summary: l.summary()}
			last = &rep
			delete(runs, l.Run)
		case len(runs[l.Run]) >= maxResultsPerRun || (runs[l.Run] == nil && len(runs) >= maxOpenRuns):
			// more than any run writes: keep what is kept, and the summary
		case l.Check != "":
			runs[l.Run] = append(runs[l.Run], l.result())
		case l.Msg != "":
			// A console note (passes collapsed, results left out) reads as a
			// node-wide row.
			runs[l.Run] = append(runs[l.Run], probes.Result{Check: "console", Status: probes.Skip, Code: "note", Msg: l.Msg})
		}
	}
	if last == nil {
		return Report{}, ErrNoReport
	}
	return *last, nil
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
