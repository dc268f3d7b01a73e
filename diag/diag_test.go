package diag

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func fixedNow() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }

// sampleReport is a run with a pass, a warn and two fails.
func sampleReport() Report {
	results := []report.Result{
		{Kind: report.KindIMDS, Addr: "169.254.169.254", Status: report.Pass, Code: report.OK, Msg: "imds: IMDSv2 answered in 3ms", Duration: 3 * time.Millisecond},
		{Kind: report.KindDNS, Endpoint: "api", Host: "abc.gr7.eu-west-1.eks.amazonaws.com", Addr: "10.0.0.2", Status: report.Pass, Code: report.OK, Msg: "api: abc.gr7.eu-west-1.eks.amazonaws.com resolves to 10.0.3.7 through the VPC resolver 10.0.0.2", Duration: time.Millisecond},
		{Kind: report.KindTCP, Endpoint: "api", Host: "abc.gr7.eu-west-1.eks.amazonaws.com", Addr: "10.0.3.7:443", Route: "dev eth0 src 10.0.1.10", Status: report.Pass, Code: report.OK, Msg: "api: TCP 443 to 10.0.3.7 connected in 1ms", Duration: time.Millisecond},
		{Kind: report.KindTLS, Endpoint: "api", Host: "abc.gr7.eu-west-1.eks.amazonaws.com", Addr: "10.0.3.7:443", Status: report.Pass, Code: report.OK, Msg: "api: TLS to 10.0.3.7 verified against the cluster CA", Duration: 4 * time.Millisecond},
		{Kind: report.KindDNS, Endpoint: "ec2", Host: "ec2.eu-west-1.amazonaws.com", Addr: "10.0.0.2", Status: report.Fail, Code: report.DNSPublic, Msg: "ec2: ec2.eu-west-1.amazonaws.com resolves to 52.95.120.1 through the VPC resolver 10.0.0.2, outside the VPC", Hint: "create an interface VPC endpoint for com.amazonaws.eu-west-1.ec2", Duration: time.Millisecond},
		{Kind: report.KindTCP, Endpoint: "ecr.dkr", Host: "602401143452.dkr.ecr.eu-west-1.amazonaws.com", Addr: "10.0.3.12:443", Status: report.Fail, Code: report.TCPTimeout, Msg: "ecr.dkr: TCP 443 to 10.0.3.12 timed out after 2s", Hint: "the security group of the com.amazonaws.eu-west-1.ecr.dkr endpoint must allow inbound TCP 443 from the node's subnet 10.0.1.0/24", Duration: 2 * time.Second},
		{Kind: report.KindDNS, Endpoint: "sts", Host: "sts.eu-west-1.amazonaws.com", Addr: "10.0.0.53", Status: report.Warn, Code: report.DNSMismatch, Msg: "sts: the node resolver 10.0.0.53 answers 10.9.9.9 for sts.eu-west-1.amazonaws.com, the VPC resolver 10.0.4.4", Hint: "the node's resolver answers differently from AmazonProvidedDNS", Duration: time.Millisecond},
	}
	v := report.Decide(results, report.FailOnRequired)
	return Report{Run: "5ca1ab1e", Results: results, Summary: Summary{Verdict: v, ArgsFile: "/etc/eksboot/bootstrap.args", Server: "v1.33.5-eks-3025e55", Took: 2013 * time.Millisecond,
		User: &report.UserInfo{Username: "system:node:ip-10-0-1-10.eu-west-1.compute.internal", Groups: []string{"system:nodes", "system:authenticated"}},
		Node: Node{InstanceID: "i-0123456789abcdef0", InstanceType: "m5.large", AMIID: "ami-0abcdef1234567890", AZ: "eu-west-1a", AZID: "euw1-az1",
			VPCID: "vpc-0a1b2c3d4e5f60718", SubnetID: "subnet-0a1b2c3d4e5f60718", SubnetCIDR: "10.0.1.0/24", SecurityGroups: []string{"sg-0a1b2c3d4e5f60718"}, Version: "0.1.0"}}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(file, got, 0o644)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test ./diag -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n%s", file, got)
	}
}

func TestJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReport(), fixedNow); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.jsonl", b.Bytes())
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"time", "level", "msg", "v"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("%q lacks %s", l, k)
			}
		}
		if m["msg"] != "summary" && (m["check"] == nil || m["status"] == nil || m["code"] == nil || m["ms"] == nil) {
			t.Fatalf("result line lacks fields: %s", l)
		}
		if m["status"] != "pass" && m["msg"] != "summary" && m["hint"] == nil {
			t.Fatalf("non-pass without hint: %s", l)
		}
	}
	var last map[string]any
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if last["msg"] != "summary" || last["fail"] != 2.0 || last["args_file"] != "/etc/eksboot/bootstrap.args" {
		t.Fatalf("summary %v", last)
	}
}

func TestTableGolden(t *testing.T) {
	var b bytes.Buffer
	WriteTable(&b, sampleReport(), Style{})
	golden(t, "report.txt", b.Bytes())
	out := b.String()
	if strings.Index(out, "ec2") > strings.Index(out, "\napi ") || strings.Contains(out, "\x1b[") {
		t.Fatalf("failures first, no colour:\n%s", out)
	}
	var c bytes.Buffer
	WriteTable(&c, sampleReport(), Style{Color: true})
	if !strings.Contains(c.String(), "\x1b[31mFAIL\x1b[0m") {
		t.Fatal("no colour on a terminal")
	}
}

// recorder keeps each Write call apart.
type recorder struct{ writes [][]byte }

func (r *recorder) Write(p []byte) (int, error) {
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func checkConsoleLines(t *testing.T, writes [][]byte) {
	t.Helper()
	total := 0
	for _, w := range writes {
		total += len(w)
		if !bytes.HasPrefix(w, []byte(ConsolePrefix+"{")) || !bytes.HasSuffix(w, []byte("}\n")) || bytes.Count(w, []byte("\n")) != 1 {
			t.Fatalf("a write is not one console line: %q", w)
		}
		if !json.Valid(w[len(ConsolePrefix):]) {
			t.Fatalf("not JSON: %q", w)
		}
	}
	if total > ConsoleBudget {
		t.Fatalf("%d bytes on the console, over the %d budget", total, ConsoleBudget)
	}
	if !bytes.Contains(writes[len(writes)-1], []byte(`"msg":"summary"`)) {
		t.Fatal("the summary is not last")
	}
}

func TestConsoleSmallRunIsWhole(t *testing.T) {
	var r recorder
	WriteConsole(&r, sampleReport(), ConsoleBudget, fixedNow)
	checkConsoleLines(t, r.writes)
	if len(r.writes) != len(sampleReport().Results)+1 {
		t.Fatalf("%d lines", len(r.writes))
	}
}

func TestConsoleBudgetWithHundredsOfFailures(t *testing.T) {
	rep := sampleReport()
	for i := range 300 {
		rep.Results = append(rep.Results, report.Result{Kind: report.KindTCP, Endpoint: "ecr.dkr", Host: fmt.Sprintf("%012d.dkr.ecr.eu-west-1.amazonaws.com", i),
			Addr: fmt.Sprintf("10.0.%d.%d:443", i/250, i%250), Status: report.Fail, Code: report.TCPTimeout, Msg: "ecr.dkr: TCP 443 timed out after 2s",
			Hint: strings.Repeat("the security group must allow inbound TCP 443 ", 3)})
	}
	for i := range 200 {
		rep.Results = append(rep.Results, report.Result{Kind: report.KindDNS, Endpoint: "x", Status: report.Pass, Code: report.OK, Msg: fmt.Sprintf("pass %d", i)})
	}
	rep.Summary.Verdict = report.Decide(rep.Results, report.FailOnRequired)
	var r recorder
	WriteConsole(&r, rep, ConsoleBudget, fixedNow)
	checkConsoleLines(t, r.writes)
	all := bytes.Join(r.writes, nil)
	if !bytes.Contains(all, []byte(`"collapsed":204`)) || !bytes.Contains(all, []byte(`"omitted":`)) || !bytes.Contains(all, []byte(report.DNSPublic)) {
		t.Fatalf("passes must collapse, detail be cut with a count, and the worst kept:\n%s", all[:2000])
	}
	// explain reads the cut-down console back to the same verdict.
	back, err := Parse(bytes.NewReader(all))
	if err != nil || back.Summary.Verdict.Passed || back.Summary.Verdict.Counts.Fail != 302 {
		t.Fatalf("%+v %v", back.Summary, err)
	}
}

func TestExplainConsoleTranscript(t *testing.T) {
	f, err := os.Open("testdata/console-output.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Verdict.Passed || rep.Summary.ArgsFile != "/etc/eksboot/bootstrap.args" || len(rep.Results) != 7 {
		t.Fatalf("last run: %+v, %d results", rep.Summary, len(rep.Results))
	}
	var b bytes.Buffer
	WriteTable(&b, rep, Style{})
	golden(t, "explain.txt", b.Bytes())
	if _, err := Parse(strings.NewReader("[    0.000000] Linux version 6.1\ncloud-init: hello\n")); err != ErrNoReport {
		t.Fatalf("noise only: %v", err)
	}
}

// TestMakeConsoleTranscript writes testdata/console-output.txt under
// -update: what aws ec2 get-console-output --output text shows of a node
// that booted twice, kernel and cloud-init lines around eksboot's, and a
// third run cut off before its summary.
func TestMakeConsoleTranscript(t *testing.T) {
	if !*update {
		return
	}
	var b bytes.Buffer
	b.WriteString("[    0.000000] Linux version 6.1.112-124.190.amzn2023.x86_64 (mockbuild@ip-10-0-53-11) (gcc (GCC) 11.4.1)\r\n")
	b.WriteString("[    0.000000] Command line: BOOT_IMAGE=(hd0,gpt1)/boot/vmlinuz console=tty0 console=ttyS0,115200n8\r\n")
	first := Report{Results: sampleReport().Results[:2]}
	first.Summary = Summary{Verdict: report.Decide(first.Results, report.FailOnRequired), Took: 40 * time.Millisecond}
	WriteConsole(&b, first, ConsoleBudget, fixedNow)
	b.WriteString("[   12.345678] cloud-init[1234]: Cloud-init v. 22.2.2 running 'modules:final' at Mon, 23 Nov 2026 09:00:12 +0000.\r\n")
	b.WriteString("ci-info: ++++++++++++++++++++++++++++Net device info+++++++++++++++++++++++++++++\r\n")
	WriteConsole(&b, sampleReport(), ConsoleBudget, fixedNow)
	b.WriteString("[   14.000001] systemd[1]: Started kubelet.service - Kubernetes Kubelet.\r\n")
	b.WriteString(ConsolePrefix + `{"time":"2026-11-23T09:05:00Z","level":"INFO","msg":"imds: IMDSv2 answered in 2ms","v":1,"check":"imds","status":"pass","code":"ok","ms":2}` + "\r\n")
	b.WriteString("[   15.2] random: crng init done\r\n")
	os.WriteFile("testdata/console-output.txt", b.Bytes(), 0o644)
}

// TestExplainInterleavedRuns: the unit's probe and user data's run write to
// one console at once; explain keeps each run's results with its summary.
func TestExplainInterleavedRuns(t *testing.T) {
	failing := sampleReport()
	failing.Run = "aaaa0001"
	passing := Report{Run: "bbbb0002", Results: failing.Results[:4]}
	passing.Summary = Summary{Verdict: report.Decide(passing.Results, report.FailOnRequired)}
	var a, b recorder
	WriteConsole(&a, failing, ConsoleBudget, fixedNow)
	WriteConsole(&b, passing, ConsoleBudget, fixedNow)
	var console bytes.Buffer
	for i := 0; i < max(len(a.writes), len(b.writes)); i++ { // the passing run's summary comes first
		if i < len(b.writes) {
			console.Write(b.writes[i])
		}
		if i < len(a.writes) {
			console.Write(a.writes[i])
		}
	}
	got, err := Parse(&console)
	if err != nil || got.Run != "aaaa0001" || len(got.Results) != len(failing.Results) || got.Summary.Verdict.Passed {
		t.Fatalf("run %s, %d results, %+v, %v", got.Run, len(got.Results), got.Summary.Verdict, err)
	}
	for _, w := range append(a.writes, b.writes...) {
		if !bytes.Contains(w, []byte(`"run":"`)) {
			t.Fatalf("a line without its run id: %s", w)
		}
	}
}

// TestTableStripsControlCharacters: an escape sequence in what the API
// server or a console file says never reaches the terminal.
func TestTableStripsControlCharacters(t *testing.T) {
	rep := sampleReport()
	rep.Summary.Server = "v1.33\x1b]0;owned\x07\x1b[2J"
	rep.Results[4].Msg += "\x1b[2J\r"
	rep.Results[4].Hint += "\x1b]0;title\x07"
	var b bytes.Buffer
	WriteTable(&b, rep, Style{Color: true})
	for _, bad := range []string{"\x1b[2J", "\x1b]", "\x07", "\r"} {
		if strings.Contains(b.String(), bad) {
			t.Fatalf("%q reached the terminal:\n%q", bad, b.String())
		}
	}
}

// TestExplainLongLines: a line of megabytes (a console that printed a
// binary, a hostile file) is skipped whole; the report around it is read.
func TestExplainLongLines(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(strings.Repeat("x", 3<<20) + "\n")
	WriteConsole(&b, sampleReport(), ConsoleBudget, fixedNow)
	b.WriteString(ConsolePrefix + `{"v":1,"msg":"` + strings.Repeat("y", 2<<20) + `"}` + "\n")
	got, err := Parse(&b)
	if err != nil || len(got.Results) != len(sampleReport().Results) || got.Summary.Verdict.Passed {
		t.Fatalf("%d results, %v", len(got.Results), err)
	}
}

// FuzzConsoleRoundTrip: whatever the results say and however many there
// are, the console stays within its budget, one JSON line per write with
// the summary last, and explain reads back the same verdict. Any noise
// around the lines is skipped.
func FuzzConsoleRoundTrip(f *testing.F) {
	f.Add("ec2: resolves outside the VPC", "create an interface VPC endpoint", uint16(3), []byte("[    0.1] noise\n"))
	f.Add("\x1b]0;title\x07", strings.Repeat("hint ", 200), uint16(900), []byte(ConsolePrefix+"{\"v\":1,\"msg\":\"summary\"}\n"))
	f.Fuzz(func(t *testing.T, msg, hint string, n uint16, noise []byte) {
		rep := Report{Run: "f0f0f0f0"}
		for i := range int(n % 2000) {
			st := []report.Status{report.Pass, report.Warn, report.Fail, report.Skip}[i%4]
			rep.Results = append(rep.Results, report.Result{Kind: report.KindTCP, Endpoint: "sts", Host: msg, Status: st, Code: report.TCPTimeout, Msg: msg, Hint: hint})
		}
		rep.Summary.Verdict = report.Decide(rep.Results, report.FailOnRequired)
		var r recorder
		if err := WriteConsole(&r, rep, ConsoleBudget, fixedNow); err != nil {
			t.Fatal(err)
		}
		checkConsoleLines(t, r.writes)
		back, err := Parse(bytes.NewReader(append(append([]byte{}, noise...), bytes.Join(r.writes, nil)...)))
		if err != nil || back.Summary.Verdict.Passed != rep.Summary.Verdict.Passed || back.Summary.Verdict.Counts != rep.Summary.Verdict.Counts {
			t.Fatalf("read back %+v, %v; wrote %+v", back.Summary.Verdict, err, rep.Summary.Verdict)
		}
		Parse(bytes.NewReader(noise)) // anything at all: no panic
	})
}

// TestExplainRoundTrip: what every output writes, explain reads back whole.
func TestExplainRoundTrip(t *testing.T) {
	want := sampleReport()
	want.Summary.Interrupted = true
	var b bytes.Buffer
	WriteJSON(&b, want, fixedNow)
	want.Summary.At = fixedNow()
	for range want.Results {
		want.Times = append(want.Times, fixedNow())
	}
	got, err := Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%+v\nwrote\n%+v", got, want)
	}
}

// A row whose worst is a check not asked says so, not "ok" (its code).
func TestTableSaysSkipped(t *testing.T) {
	rep := Report{Results: []report.Result{
		{Kind: report.KindTCP, Endpoint: "ec2", Host: "ec2.eu-west-1.amazonaws.com", Status: report.Pass, Code: report.OK, Msg: "ec2: TCP 443 connected"},
		{Kind: report.KindAWS, Endpoint: "ec2", Status: report.Skip, Code: report.OK, Msg: "ec2: ec2:DescribeInstances not asked: no credentials"},
		{Kind: report.KindTCP, Endpoint: "sts", Host: "sts.eu-west-1.amazonaws.com", Status: report.Pass, Code: report.OK, Msg: "sts: TCP 443 connected"},
	}}
	var b bytes.Buffer
	WriteTable(&b, rep, Style{})
	lines := strings.Split(b.String(), "\n")
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) > 1 && f[0] == "ec2" && f[1] == "-" && f[len(f)-1] != "skipped": // the call's row
			t.Errorf("ec2's call: %q", l)
		case len(f) > 1 && f[0] == "ec2" && f[1] != "-" && f[len(f)-1] != "ok":
			t.Errorf("ec2's row: %q", l)
		case len(f) > 0 && f[0] == "sts" && f[len(f)-1] != "ok":
			t.Errorf("sts's row: %q", l)
		}
	}
}

// aws ec2 get-console-output --output text prints InstanceId, Output and
// Timestamp tab-separated: the instance id before the console's first
// line, the timestamp after its last, often eksboot's summary.
func TestExplainConsoleOutputTextForm(t *testing.T) {
	console, err := os.ReadFile("testdata/console-output.txt")
	if err != nil {
		t.Fatal(err)
	}
	last := strings.LastIndex(string(console), `"msg":"summary"`)
	end := last + strings.IndexByte(string(console[last:]), '\n') // the summary, the console's last line
	text := "i-0123456789abcdef0\t" + string(console[:end]) + "\t2026-12-02T03:04:05.000Z\n"
	rep, err := Parse(strings.NewReader(text))
	if err != nil || rep.Summary.Verdict.Passed || len(rep.Results) != 7 {
		t.Fatalf("%v: %+v, %d results", err, rep.Summary, len(rep.Results))
	}
}
