package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/eksboot/eksboot/diag"
	"github.com/eksboot/eksboot/inputs"
)

var explainCommand = &command{
	name:    "explain",
	summary: "show nodes' diagnostics (files, directories, or stdin) as the terminal report; many nodes give a fleet report",
	about: `Reads eksboot's JSON lines in any form its output takes: bare (stdout, SSM
Run Command output saved to S3), inside a node's console output with kernel
and cloud-init noise around the "eksboot: " lines (aws ec2 get-console-output,
text or JSON form), in the journal (journalctl, short or -o json: on
Bottlerocket, journalctl -u bootstrap-containers@eksboot), from files,
directories (walked) or stdin.
One node: its last run as the terminal table, each failure with its fix.
Many nodes: a fleet report - how many pass, each failure with the subnets,
AZs and security groups it hit and spared, and the shared cause where the
data shows one (a subnet, an AZ, a security group, or the whole VPC). Runs
cut short and inputs without a report are counted and named.
Exit codes: 0 every verdict passed, 1 one failed or a node stopped before
eksboot's report, 2 no report found.`,
	example: "aws s3 sync s3://my-bucket/eksboot/ ./out/ && eksboot explain ./out/",
	args:    "[FILE|DIR|-]...",
	many:    true,
	params:  []string{inputs.FlagOutput},
	run: func(_ context.Context, e *env) error {
		format, err := outputFormat(e, inputs.FormatText)
		if err != nil {
			return err
		}
		fleet := diag.NewFleet()
		if err := readInputs(e, fleet); err != nil {
			return err
		}
		// What the inputs say reaches the terminal only made printable: a
		// node's console controls its run ids, a bucket its file names.
		switch {
		case fleet.Nodes() == 0 && len(fleet.Truncated) > 0:
			// A report cut before its summary (SSM keeps 24,000 characters
			// inline) is a report, not garbage: say so.
			return &usageError{msg: diag.Printable("explain: the input is truncated, no run's summary survived: " + strings.Join(fleet.Truncated, "; ") + "; read the full output (Run Command's S3 output, or the node's journal)" + skippedNote(fleet))}
		case fleet.Nodes() == 0 && len(fleet.NotRun) > 0: // a node that did not boot: a failed verdict, not a missing report
			if format == inputs.FormatJSON { // the fleet's JSON, not_run and all, for what reads it
				if err := diag.WriteFleetJSON(e.stdout, fleet.Report()); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(e.stderr, diag.Printable("eksboot: explain: "+strings.Join(fleet.NotRun, "; ")+skippedNote(fleet)))
			}
			return &verdictError{code: exitFailed}
		case fleet.Nodes() == 0:
			return &usageError{msg: diag.Printable("explain: " + diag.ErrNoReport.Error() + skippedNote(fleet))}
		case fleet.Nodes() == 1 && len(fleet.NotRun) == 0: // one node's table; nodes that never reported need the fleet's
			rep := *fleet.Last()
			if format == inputs.FormatJSON {
				err = diag.WriteJSON(e.stdout, rep, nil)
			} else {
				err = diag.WriteTable(e.stdout, rep, diag.Style{Color: colour(e)})
			}
			if err != nil {
				return err
			}
			if n := skippedNote(fleet); n != "" {
				fmt.Fprintln(e.stderr, diag.Printable("explain:"+n[1:]))
			}
			for _, t := range fleet.Truncated {
				fmt.Fprintln(e.stderr, diag.Printable("explain: truncated: "+t))
			}
			newer, failing := fleet.NewerCut()
			if newer != "" {
				fmt.Fprintln(e.stderr, diag.Printable("explain: "+newer))
			}
			if !rep.Summary.Verdict.Passed || failing {
				return &verdictError{code: exitFailed}
			}
			return nil
		}
		rep := fleet.Report()
		if format == inputs.FormatJSON {
			err = diag.WriteFleetJSON(e.stdout, rep)
		} else {
			err = diag.WriteFleet(e.stdout, rep, diag.Style{Color: colour(e)})
		}
		if err != nil {
			return err
		}
		if !rep.Passed() {
			return &verdictError{code: exitFailed}
		}
		return nil
	},
}

// readInputs folds every input into fleet: stdin for none or "-", each
// file, and every file under each directory but empty ones and Run
// Command's stderr files. What cannot be read (a dangling symlink, a loop,
// a FIFO, a device) is counted and skipped; only an argument that does not
// exist at all is an input error.
func readInputs(e *env, fleet *diag.Fleet) error {
	if len(e.args) == 0 {
		return fleet.Read(e.stdin, "stdin")
	}
	for _, arg := range e.args {
		if arg == "-" {
			if err := fleet.Read(e.stdin, "stdin"); err != nil {
				return err
			}
			continue
		}
		link, err := os.Lstat(arg)
		if err != nil {
			return &usageError{msg: "explain: " + diag.Printable(err.Error()) + "; name a file or directory of eksboot output, or - for stdin"}
		}
		root := arg
		if info, err := os.Stat(arg); err == nil {
			switch {
			case info.Mode().Type() == os.ModeNamedPipe: // named on the command line: its writer is there
				if err := readInput(fleet, arg, diag.OpenArgument); err != nil {
					return err
				}
				continue
			case info.IsDir() && link.Mode().Type() == os.ModeSymlink: // the directory it names, walked
				root = arg + string(filepath.Separator)
			}
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fleet.Skip(path, err)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			// Run Command saves stderr beside stdout; eksboot's report is on
			// stdout, and stderr matters only when stdout holds nothing.
			if path != root && d.Name() == "stderr" {
				if why := noReport(path); why != "" {
					fleet.NoReport(filepath.Dir(path), why)
				}
				return nil
			}
			if info, err := d.Info(); path != root && err == nil && info.Size() == 0 && d.Type().IsRegular() {
				return nil
			}
			return readInput(fleet, path, diag.OpenInput)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// noReport is the last line of a Run Command stderr file whose stdout
// beside it is empty or missing: why that node's run has no report. ""
// when stdout holds something (its report, read as an input) or stderr
// says nothing.
func noReport(stderr string) string {
	if info, err := os.Stat(filepath.Join(filepath.Dir(stderr), "stdout")); err == nil && info.Size() > 0 {
		return ""
	}
	f, err := diag.OpenInput(stderr)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// readInput folds the file at path, opened by open, into fleet; one that
// cannot be opened is counted and skipped.
func readInput(fleet *diag.Fleet, path string, open func(string) (*os.File, error)) error {
	f, err := open(path)
	if err != nil {
		fleet.Skip(path, err)
		return nil
	}
	defer f.Close()
	return fleet.Read(f, path)
}

// skippedNote is "; N inputs skipped: first, ..." when any was.
func skippedNote(fleet *diag.Fleet) string {
	if fleet.SkippedN == 0 {
		return ""
	}
	return fmt.Sprintf("; %d inputs skipped: %s", fleet.SkippedN, strings.Join(fleet.Skipped, "; "))
}
