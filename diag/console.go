package diag

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/eksboot/eksboot/report"
)

// ConsoleBudget is what one run may write to the serial console: EC2 keeps
// only the last 64 KiB of it, and the boot has more to say than eksboot.
const ConsoleBudget = 16 << 10

// ConsolePrefix starts every console line, so explain finds them among the
// kernel's and cloud-init's.
const ConsolePrefix = "eksboot: "

// ConsoleNone disables the console.
const ConsoleNone = "none"

// OpenConsole opens path for writing, or the platform's consoles in turn
// when path is "" (Linux: /dev/console, /dev/ttyS0, /dev/kmsg; Windows:
// COM1). It returns nil, nil for "none".
func OpenConsole(path string) (io.WriteCloser, error) {
	if path == ConsoleNone {
		return nil, nil
	}
	candidates, create := defaultConsoles, false
	if path != "" {
		candidates, create = []string{path}, true
	}
	var errs []error
	for _, c := range candidates {
		f, err := openConsoleDevice(c, create)
		if err == nil {
			return f, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("no console to write to: %w", errors.Join(errs...))
}

// WriteConsole writes the report to w within budget bytes, each line
// "eksboot: " + one JSON object in a single write. When everything does not
// fit, passes collapse to a count first; then the least severe detail is
// dropped, with a line saying how much; the summary always goes last.
func WriteConsole(w io.Writer, rep Report, budget int, now func() time.Time) error {
	t := stamp(now)
	frame := func(l Line) []byte { return append([]byte(ConsolePrefix), l.encode()...) }
	note := func(status report.Status, msg string) Line {
		return Line{Time: t, Level: styleOf(status).level, Msg: msg, V: SchemaVersion, Run: rep.Run}
	}
	summary := frame(summaryLine(rep.Summary, rep.Run, t))
	var lines [][]byte
	size := len(summary)
	for _, r := range rep.Results {
		if size > budget { // it degrades below: encoding the rest is wasted work
			break
		}
		l := frame(resultLine(r, rep.Run, t))
		lines = append(lines, l)
		size += len(l)
	}
	if size > budget {
		lines, size = nil, len(summary)
		var passed int
		var detail []report.Result
		for _, r := range rep.Results {
			if r.Status == report.Pass || r.Status == report.Skip {
				passed++
			} else {
				detail = append(detail, r)
			}
		}
		if passed > 0 {
			n := note(report.Pass, fmt.Sprintf("%d checks passed (detail left out to fit the console)", passed))
			n.Collapsed = passed
			l := frame(n)
			lines, size = append(lines, l), size+len(l)
		}
		// Worst first, so what is dropped is the least severe.
		detail = sortedWorstFirst(detail)
		omittedLine := func(n int) []byte {
			o := note(report.Warn, fmt.Sprintf("%d more results left out to fit the console; run eksboot probe on the node or read the journal", n))
			o.Omitted = n
			return frame(o)
		}
		reserve := len(omittedLine(len(detail)))
		for i, r := range detail {
			l := frame(resultLine(r, rep.Run, t))
			if size+len(l)+reserve > budget {
				lines = append(lines, omittedLine(len(detail)-i))
				break
			}
			lines, size = append(lines, l), size+len(l)
		}
	}
	for _, l := range append(lines, summary) {
		if _, err := w.Write(l); err != nil {
			return err
		}
	}
	return nil
}

// openConsoleDevice opens a console without ever blocking: a FIFO with no
// reader would hold eksboot forever, so the open does not wait and anything
// but a character device or a plain file is refused. A path the user named
// is created as a plain file when it does not exist; a serial device
// always does.
func openConsoleDevice(path string, create bool) (*os.File, error) {
	flags := os.O_WRONLY | openNoCTTY | openNonblock
	if !isDevicePath(path) {
		// Append to a file; not to a device, where Windows would open for
		// appending only and a serial port refuses that.
		// A file is appended to as root: a symlink planted at the path
		// would turn that into a write anywhere, so it is not followed.
		flags |= os.O_APPEND | openNoFollow
		if create {
			flags |= os.O_CREATE
		}
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	if err := usableConsole(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
