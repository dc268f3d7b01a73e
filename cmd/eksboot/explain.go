package main

import (
	"context"
	"io"
	"os"

	"github.com/eksboot/eksboot/bootstrap"
	"github.com/eksboot/eksboot/diag"
)

var explainCommand = &command{
	name:    "explain",
	summary: "show a failed node's diagnostics (a file, or get-console-output text on stdin) as the terminal report",
	about: `Reads eksboot's JSON lines, bare or inside a node's console output (kernel
and cloud-init noise around the "eksboot: " lines are skipped), and prints the
last run's report as the terminal table with each failure's fix. Runs on any
workstation: read a node's verdict without logging in to it.
Exit codes: 0 the report's verdict passed, 1 it failed, 2 no report found.`,
	example: "aws ec2 get-console-output --instance-id i-0123456789abcdef0 --latest --output text | eksboot explain",
	args:    "[FILE|-]",
	params:  []string{bootstrap.FlagOutput},
	run: func(_ context.Context, e *env) error {
		var in io.Reader = e.stdin
		if len(e.args) == 1 && e.args[0] != "-" {
			f, err := os.Open(e.args[0])
			if err != nil {
				return &usageError{msg: "explain: " + err.Error()}
			}
			defer f.Close()
			in = f
		}
		rep, err := diag.Parse(in)
		if err != nil {
			return &usageError{msg: "explain: " + err.Error()}
		}
		format, err := outputFormat(e, diag.FormatText)
		if err != nil {
			return err
		}
		if format == diag.FormatJSON {
			err = diag.WriteJSON(e.stdout, rep, nil)
		} else {
			err = diag.WriteTable(e.stdout, rep, diag.Style{Color: colour(e)})
		}
		if err != nil {
			return err
		}
		if !rep.Summary.Verdict.Passed {
			return &verdictError{code: exitFailed}
		}
		return nil
	},
}
