package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/report"
)

// Bottlerocket runs eksboot as bootstrap-containers@eksboot.service, whose
// StandardError=journal+console: journald keeps each stderr line as an
// entry (SyslogIdentifier=bootstrap-containers@eksboot) and forwards it to
// the console as "[SECONDS.MICROS] IDENTIFIER[PID]: MESSAGE" (systemd
// journald-console.c; the timestamp only when the kernel's printk times
// are on). These transcripts are what an operator has of a failed node.
var bottlerocketTranscripts = []string{"bottlerocket-console.txt", "bottlerocket-journal.txt", "bottlerocket-journal.json"}

// TestExplainBottlerocket: explain reads the last run from the serial
// console (get-console-output), from journalctl -u bootstrap-containers@eksboot
// in its default short format, and from journalctl -o json.
func TestExplainBottlerocket(t *testing.T) {
	want := sampleReport()
	for _, name := range bottlerocketTranscripts {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open("testdata/" + name)
			if err != nil {
				t.Fatalf("%v (go test ./diag -run TestMakeBottlerocketTranscripts -update)", err)
			}
			defer f.Close()
			rep, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary.Verdict.Passed || len(rep.Results) != len(want.Results) || rep.Run != want.Run {
				t.Fatalf("run %s: %+v, %d results; want the failing run %s's %d", rep.Run, rep.Summary.Verdict, len(rep.Results), want.Run, len(want.Results))
			}
			var tcp *report.Result
			for i, r := range rep.Results {
				if r.Code == report.TCPTimeout {
					tcp = &rep.Results[i]
				}
			}
			if tcp == nil || tcp.Host != "602401143452.dkr.ecr.eu-west-1.amazonaws.com" || tcp.Hint == "" {
				t.Fatalf("the ecr.dkr timeout is not read back: %+v", rep.Results)
			}
		})
	}
}

// TestJournalMessageBytes: journald gives a message that is not valid
// UTF-8 as an array of its bytes; the line in it still reads.
func TestJournalMessageBytes(t *testing.T) {
	var b bytes.Buffer
	WriteConsole(&b, sampleReport(), ConsoleBudget, fixedNow)
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if line == "" {
			continue
		}
		raw := []byte(strings.TrimSuffix(line, "\n"))
		nums := make([]int, len(raw))
		for i, c := range raw {
			nums[i] = int(c)
		}
		entry, _ := json.Marshal(map[string]any{"MESSAGE": nums, "SYSLOG_IDENTIFIER": "bootstrap-containers@eksboot"})
		fmt.Fprintf(&out, "\x1e%s\n", entry) // -o json-seq
	}
	rep, err := Parse(&out)
	if err != nil || rep.Run != "5ca1ab1e" || len(rep.Results) != len(sampleReport().Results) {
		t.Fatalf("got %s, %d results, %v", rep.Run, len(rep.Results), err)
	}
	if _, ok := journalMessage(`{"MESSAGE":[` + strings.Repeat("1,", maxMessageBytes) + `1]}`); ok {
		t.Fatal("a message over the bound was taken")
	}
}

// TestMakeBottlerocketTranscripts writes the transcripts under -update:
// a node that booted twice (the first boot's run passed), with kernel,
// systemd and host-ctr lines around eksboot's.
func TestMakeBottlerocketTranscripts(t *testing.T) {
	if !*update {
		return
	}
	first := Report{Run: "0ddba11a", Results: sampleReport().Results[:4]}
	first.Summary = Summary{Verdict: report.Decide(first.Results, report.FailOnRequired), Target: "bottlerocket"}
	failing := sampleReport()
	failing.Summary.Target, failing.Summary.ArgsFile = "bottlerocket", ""
	lines := func(r Report) []string {
		var b bytes.Buffer
		WriteConsole(&b, r, ConsoleBudget, fixedNow)
		return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	}
	const unit = "bootstrap-containers@eksboot"
	var console, short, js bytes.Buffer
	console.WriteString("[    0.000000] Linux version 6.1.115 (builder@buildkitsandbox) (gcc (Bottlerocket') 11.3.0) #1 SMP\r\n")
	console.WriteString("[    0.000000] Command line: BOOT_IMAGE=(hd0,gpt3)/vmlinuz root=/dev/dm-0 console=tty0 console=ttyS0,115200n8\r\n")
	seconds := 9
	for boot, r := range []Report{first, failing} {
		if boot == 1 {
			console.WriteString("[    0.000000] Linux version 6.1.115 (builder@buildkitsandbox) (gcc (Bottlerocket') 11.3.0) #1 SMP\r\n")
		}
		console.WriteString("[  OK  ] Started containerd runtime for host containers.\r\n")
		console.WriteString("         Starting bootstrap container eksboot...\r\n")
		for i, l := range lines(r) {
			fmt.Fprintf(&console, "[%5d.%06d] %s[%d]: %s\r\n", seconds, 123456+i, unit, 1312+boot, l)
			fmt.Fprintf(&short, "Dec 02 00:%02d:%02d ip-10-0-1-10.eu-west-1.compute.internal %s[%d]: %s\n", 10+boot, seconds, unit, 1312+boot, l)
			entry, _ := json.Marshal(map[string]string{"__REALTIME_TIMESTAMP": fmt.Sprint(1764634200000000 + i), "_SYSTEMD_UNIT": unit + ".service",
				"SYSLOG_IDENTIFIER": unit, "_PID": fmt.Sprint(1312 + boot), "PRIORITY": "6", "_TRANSPORT": "stdout", "MESSAGE": l})
			fmt.Fprintf(&js, "%s\n", entry)
		}
		seconds++
	}
	// systemd's status lines, as a release build words them (the units'
	// descriptions), and host-ctr's own error line on the same stderr.
	fmt.Fprintf(&console, "[%5d.%06d] %s[%d]: time=\"2026-11-23T09:00:03Z\" level=fatal msg=\"Container boot.eksboot exited with non-zero status\"\r\n", seconds, 0, unit, 1313)
	console.WriteString("[FAILED] Failed to start bootstrap container eksboot.\r\n")
	console.WriteString("[DEPEND] Dependency failed for Bottlerocket final configuration complete.\r\n")
	console.WriteString("[DEPEND] Dependency failed for Isolates multi-user.target.\r\n")
	// A node whose image could not be pulled: host-ctr's error lines, no
	// eksboot line at all.
	var pull bytes.Buffer
	pull.WriteString("[    0.000000] Linux version 6.1.115 (builder@buildkitsandbox) (gcc (Bottlerocket') 11.3.0) #1 SMP\r\n")
	pull.WriteString("[  OK  ] Started containerd runtime for host containers.\r\n")
	pull.WriteString("         Starting bootstrap container eksboot...\r\n")
	for i, level := range []string{"error", "fatal"} {
		fmt.Fprintf(&pull, "[   %d.%06d] %s[1312]: time=\"2026-11-23T09:01:02Z\" level=%s msg=%q\r\n", 71, 5+i, unit, level, pullError)
	}
	pull.WriteString("[FAILED] Failed to start bootstrap container eksboot.\r\n")
	pull.WriteString("[DEPEND] Dependency failed for Bottlerocket final configuration complete.\r\n")
	pull.WriteString("[DEPEND] Dependency failed for Isolates multi-user.target.\r\n")
	for name, b := range map[string][]byte{bottlerocketTranscripts[0]: console.Bytes(), bottlerocketTranscripts[1]: short.Bytes(), bottlerocketTranscripts[2]: js.Bytes(), "bottlerocket-pull-failed.txt": pull.Bytes()} {
		if err := os.WriteFile("testdata/"+name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// pullError is host-ctr's error when the ECR API does not answer: the pull
// retried until its retries ran out.
const pullError = "retries exhausted: failed to resolve reference \"ecr.aws/arn:aws:ecr:eu-west-1:111122223333:repository/eksboot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\": RequestError: send request failed\ncaused by: Post \"https://api.ecr.eu-west-1.amazonaws.com/\": dial tcp 10.0.3.11:443: i/o timeout"

// TestExplainBottlerocketPullFailed: a console with host-ctr's error and no
// eksboot line says eksboot never ran and what the pull needs, from the
// console and from the journal's JSON alike.
func TestExplainBottlerocketPullFailed(t *testing.T) {
	console, err := os.ReadFile("testdata/bottlerocket-pull-failed.txt")
	if err != nil {
		t.Fatalf("%v (go test ./diag -run TestMakeBottlerocketTranscripts -update)", err)
	}
	entry, _ := json.Marshal(map[string]string{"SYSLOG_IDENTIFIER": "bootstrap-containers@eksboot", "_PID": "1312",
		"MESSAGE": fmt.Sprintf("time=\"2026-11-23T09:01:02Z\" level=fatal msg=%q", pullError)})
	for name, input := range map[string]string{"console": string(console), "journal json": string(entry) + "\n"} {
		f := NewFleet()
		if err := f.Read(strings.NewReader(input), "i-0123"); err != nil {
			t.Fatal(err)
		}
		if f.Nodes() != 0 || len(f.NotRun) != 1 {
			t.Fatalf("%s: %d nodes, not run %q", name, f.Nodes(), f.NotRun)
		}
		for _, want := range []string{"i-0123: bootstrap-containers@eksboot failed before eksboot ran", "api.ecr.eu-west-1.amazonaws.com", "the ecr.api endpoint", "S3"} {
			if !strings.Contains(f.NotRun[0], want) {
				t.Errorf("%s: %q lacks %q", name, f.NotRun[0], want)
			}
		}
	}
	// An eksboot report on the console wins over host-ctr's closing lines.
	f := NewFleet()
	if err := f.Read(strings.NewReader(string(console)+readFile(t, "testdata/bottlerocket-console.txt")), "i-0123"); err != nil || f.Nodes() == 0 || len(f.NotRun) != 0 {
		t.Fatalf("a console with a report: %d nodes, not run %q, %v", f.Nodes(), f.NotRun, err)
	}
}

// TestExplainLaterBootNotRun: mode = "always" runs eksboot at every boot;
// when a later boot's pull fails, the node did not boot that time, and the
// earlier boot's report must not stand for it.
func TestExplainLaterBootNotRun(t *testing.T) {
	f := NewFleet()
	input := readFile(t, "testdata/bottlerocket-console.txt") + readFile(t, "testdata/bottlerocket-pull-failed.txt")
	if err := f.Read(strings.NewReader(input), "i-0123"); err != nil || f.Nodes() != 1 {
		t.Fatalf("%d nodes, %v", f.Nodes(), err)
	}
	if len(f.NotRun) != 1 || !strings.Contains(f.NotRun[0], "failed before eksboot ran") || !strings.Contains(f.NotRun[0], "earlier boot") || f.Report().Passed() {
		t.Fatalf("not run %q, passed %v", f.NotRun, f.Report().Passed())
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExplainBottlerocketStoppedBeforeReport: eksboot in its bootstrap
// container can stop before any report (Bottlerocket's API not answering,
// the host's trust store missing, a bad value in its user data); its one
// plain "eksboot: " line, among the kernel's and systemd's, is then the
// node's only word on why the boot stopped, and explain must give it back
// rather than say the console holds no eksboot line.
func TestExplainBottlerocketStoppedBeforeReport(t *testing.T) {
	const msg = "bottlerocket API: GET /settings?prefix=kubernetes: 500 Internal Server Error"
	console := "[    7.912345] audit: type=1403 audit(1700000000.123:2): auid=4294967295 ses=4294967295 lsm=selinux res=1\n" +
		"[    8.100000] bootstrap-containers@eksboot[1313]: eksboot: " + msg + "\n" +
		"[    8.100100] ena 0000:00:05.0 eth0: ENA device version: 0.10\n" +
		// host-ctr's closing line is no pull failure here.
		"[    8.200000] bootstrap-containers@eksboot[1313]: time=\"2026-11-23T09:00:03Z\" level=fatal msg=\"Container boot.eksboot exited with non-zero status\"\n" +
		"[FAILED] Failed to start bootstrap container eksboot.\n" +
		"[DEPEND] Dependency failed for Bottlerocket final configuration complete.\n"
	entry, _ := json.Marshal(map[string]string{"SYSLOG_IDENTIFIER": "bootstrap-containers@eksboot", "_PID": "1313", "MESSAGE": "eksboot: " + msg})
	for name, input := range map[string]string{"console": console, "journal json": string(entry) + "\n"} {
		f := NewFleet()
		if err := f.Read(strings.NewReader(input), "i-0123"); err != nil {
			t.Fatal(err)
		}
		if f.Nodes() != 0 || len(f.NotRun) != 1 || !strings.Contains(f.NotRun[0], msg) || !strings.Contains(f.NotRun[0], "before its report") {
			t.Fatalf("%s: %d nodes, not run %q; want eksboot's own line given back", name, f.Nodes(), f.NotRun)
		}
		if strings.Contains(f.NotRun[0], "failed before eksboot ran") {
			t.Errorf("%s: eksboot did run: %q", name, f.NotRun[0])
		}
	}
}

// TestExplainConsoleLineSplitByKernel: on the serial console the kernel's
// printk output is not ordered with journald's writes, so a kernel message
// can land inside one of eksboot's lines, splitting it in two. The result
// in that line (here the ecr.dkr timeout, the one the node stopped on) must
// still be read back, not dropped while the summary names it failed.
func TestExplainConsoleLineSplitByKernel(t *testing.T) {
	var b strings.Builder
	for _, l := range strings.Split(readFile(t, "testdata/bottlerocket-console.txt"), "\n") {
		if strings.Contains(l, `"code":"tcp_timeout"`) && strings.Contains(l, ConsolePrefix+"{") {
			i := strings.Index(l, `"code":"tcp_timeout"`)
			l = l[:i] + "[   10.200000] random: crng init done\n" + l[i:]
		}
		b.WriteString(l + "\n")
	}
	rep, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Code == report.TCPTimeout && r.Host == "602401143452.dkr.ecr.eu-west-1.amazonaws.com" {
			return
		}
	}
	t.Fatalf("the split ecr.dkr tcp_timeout line is lost: %d results, verdict failed %v", len(rep.Results), rep.Summary.Verdict.Failed)
}

// A passing line cut by a kernel message is mended as a failing one is,
// not kept as half a line (which read back as a blank row, its endpoint's
// row lost).
func TestExplainPassLineSplitByKernel(t *testing.T) {
	var b strings.Builder
	cut := false
	lines := strings.Split(readFile(t, "testdata/bottlerocket-console.txt"), "\n")
	for k := len(lines) - 1; k >= 0 && !cut; k-- { // the last run's, which the table shows
		if l := lines[k]; strings.Contains(l, `"status":"pass"`) && strings.Contains(l, `"check":"`) && strings.Contains(l, ConsolePrefix+"{") {
			i := strings.Index(l, `"status":"pass"`) + len(`"status":"pass"`)
			lines[k], cut = l[:i]+"\n[   10.200000] random: crng init done\n"+l[i:], true
		}
	}
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	rep, err := Parse(strings.NewReader(b.String()))
	if err != nil || !cut {
		t.Fatal(err, cut)
	}
	for _, r := range rep.Results {
		if r.Endpoint == "" && r.Kind == "" {
			t.Fatalf("a blank result: %+v", r)
		}
	}
}

// TestExplainLaterBootStopped: after a boot whose report passed, a later
// boot where eksboot stopped on its inputs, or its container crashed with
// no word, did not boot either: by the unit's new PID, or by the kernel's
// banner when the PID comes round again.
func TestExplainLaterBootStopped(t *testing.T) {
	first := readFile(t, "testdata/bottlerocket-console.txt")
	const stoppedLine = "bootstrap-containers@eksboot[%s]: eksboot: Bottlerocket's API at /run/api.sock did not answer: connection refused\n"
	const exitLine = "bootstrap-containers@eksboot[%s]: time=\"2026-11-23T10:00:03Z\" level=fatal msg=\"Container boot.eksboot exited with non-zero status\"\n"
	for name, later := range map[string]string{
		"stopped, a new PID":    fmt.Sprintf("[    8.1] "+stoppedLine+"[    8.2] "+exitLine, "1400", "1400"),
		"stopped, the same PID": "[    0.000000] Linux version 6.1.119 (builder@buildkitsandbox)\n" + fmt.Sprintf("[    8.1] "+stoppedLine+"[    8.2] "+exitLine, "1313", "1313"),
		"crashed with no word":  fmt.Sprintf("[    8.2] "+exitLine, "1400"),
	} {
		f := NewFleet()
		if err := f.Read(strings.NewReader(first+later), "i-0123"); err != nil {
			t.Fatal(err)
		}
		if len(f.NotRun) != 1 || !strings.Contains(f.NotRun[0], "earlier boot") || f.Report().Passed() {
			t.Errorf("%s: not run %q", name, f.NotRun)
		}
	}
	// The same boot's exit after its report is eksboot's, which the report explains.
	f := NewFleet()
	f.Read(strings.NewReader(first+fmt.Sprintf("[   20.0] "+exitLine, "1313")), "i-0123")
	if len(f.NotRun) != 0 {
		t.Errorf("the report's own exit: %q", f.NotRun)
	}
}
