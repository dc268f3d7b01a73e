package diag

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// hostCtrError is an error line of host-ctr, Bottlerocket's runner of
// bootstrap containers, as the unit's stderr carries it to the console and
// the journal: logrus's text form behind journald's IDENTIFIER[PID]: prefix
// (host-ctr logs error, fatal and panic to stderr, the rest to stdout,
// which reaches only the journal).
var hostCtrError = regexp.MustCompile(`bootstrap-containers@([A-Za-z0-9-]{1,76})\[\d+\]: time="[^"]*" level=(?:error|fatal|panic) msg="((?:[^"\\]|\\.)*)"`)

// unitPIDPrefix is journald's IDENTIFIER[PID]: prefix of a bootstrap
// container's line; the PID is the boot's host-ctr, which forwards
// eksboot's stderr and writes its own lines.
var unitPIDPrefix = regexp.MustCompile(`bootstrap-containers@[A-Za-z0-9-]{1,76}\[(\d+)\]: `)

// unitPID is the PID of text's bootstrap container prefix, "" if none.
func unitPID(text string) string {
	if !strings.Contains(text, "bootstrap-containers@") {
		return ""
	}
	if m := unitPIDPrefix.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

// hostCtrFailure is the container and host-ctr's message of such a line.
func hostCtrFailure(text string) (name, msg string, ok bool) {
	if !strings.Contains(text, "bootstrap-containers@") {
		return "", "", false
	}
	m := hostCtrError.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	msg, err := strconv.Unquote(`"` + m[2] + `"`)
	if err != nil {
		msg = m[2]
	}
	return m[1], clipTo(printable(strings.ReplaceAll(msg, "\n", "; ")), maxResultField), true
}

// eksbootStoppedLine is eksboot's own plain line in a bootstrap container's
// output: the error it stopped on before any report (Bottlerocket's API not
// answering, the host's trust store missing, a bad value in its user data).
var eksbootStoppedLine = regexp.MustCompile(`bootstrap-containers@([A-Za-z0-9-]{1,76})\[\d+\]: ` + ConsolePrefix + `([^{].*)$`)

// eksbootStopped is the container and eksboot's message of such a line; a
// warning is no reason to stop.
func eksbootStopped(text string) (name, msg string, ok bool) {
	if !strings.Contains(text, "bootstrap-containers@") {
		return "", "", false
	}
	m := eksbootStoppedLine.FindStringSubmatch(text)
	if m == nil || strings.HasPrefix(m[2], "warning: ") {
		return "", "", false
	}
	return m[1], clipTo(printable(strings.TrimSpace(m[2])), maxResultField), true
}

// NoReport notes a node whose run left no report but a word on stderr:
// Run Command keeps stderr beside an empty stdout when eksboot stopped on
// its inputs (exit 2) or never started. A node that did not run.
func (f *Fleet) NoReport(source, stderr string) {
	f.NotRun = appendCapped(f.NotRun, fmt.Sprintf("%s: no eksboot report; its stderr says %q", source, clipTo(printable(stderr), maxResultField)))
}

// stopped says why an input with eksboot's own line and no report has none.
func stopped(source, name, msg string) string {
	return fmt.Sprintf("%s: eksboot in bootstrap-containers@%s stopped before its report: %q; fix that, then replace the instance", source, name, msg)
}

// notRun says why an input with no eksboot line has none: the bootstrap
// container failed before eksboot started, most often because its image
// could not be pulled. host-ctr pulls a private ECR image with the ECR
// resolver: the ECR API (BatchGetImage, GetDownloadUrlForLayer), then each
// layer from S3 by its presigned URL; the registry endpoint plays no part.
func notRun(source, name, msg string) string {
	return fmt.Sprintf("%s: bootstrap-containers@%s failed before eksboot ran; host-ctr: %q; a private ECR image is pulled through the ECR API (the ecr.api endpoint) and its layers from S3 (the S3 gateway endpoint in the subnet's route table), with the node role's ecr:BatchGetImage and ecr:GetDownloadUrlForLayer: check those, and that the image digest is in the repository", source, name, msg)
}
