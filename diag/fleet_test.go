package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// fleetRun is one node's run: where it is and what failed there.
func fleetRun(i int, subnet, cidr, az, sg string, fails ...report.Result) Report {
	results := append([]report.Result{{Kind: report.KindIMDS, Status: report.Pass, Code: report.OK, Msg: "imds ok"}}, fails...)
	return Report{Run: fmt.Sprintf("run%04d", i), Results: results, Summary: Summary{
		Verdict: report.Decide(results, report.FailOnRequired),
		Node:    Node{InstanceID: fmt.Sprintf("i-%017d", i), SubnetID: subnet, SubnetCIDR: cidr, AZ: az, SecurityGroups: []string{sg}, Version: "0.1.0"},
	}}
}

var (
	stsDrop   = report.Result{Kind: report.KindTCP, Endpoint: "sts", Service: "com.amazonaws.eu-west-1.sts", Host: "sts.eu-west-1.amazonaws.com", Status: report.Fail, Code: report.TCPTimeout, Msg: "sts: TCP 443 timed out", Hint: "sg"}
	ecrDrop   = report.Result{Kind: report.KindTCP, Endpoint: "ecr.api", Service: "com.amazonaws.eu-west-1.ecr.api", Host: "api.ecr.eu-west-1.amazonaws.com", Status: report.Fail, Code: report.TCPTimeout, Msg: "ecr.api: TCP 443 timed out", Hint: "sg"}
	ec2Public = report.Result{Kind: report.KindDNS, Endpoint: "ec2", Service: "com.amazonaws.eu-west-1.ec2", Host: "ec2.eu-west-1.amazonaws.com", Status: report.Fail, Code: report.DNSPublic, Msg: "ec2: public", Hint: "endpoint"}
	ec2Drop   = report.Result{Kind: report.KindTCP, Endpoint: "ec2", Service: "com.amazonaws.eu-west-1.ec2", Host: "ec2.eu-west-1.amazonaws.com", Status: report.Fail, Code: report.TCPTimeout, Msg: "ec2: TCP 443 timed out", Hint: "sg"}
	dkrDrop   = report.Result{Kind: report.KindTCP, Endpoint: "ecr.dkr", Service: "com.amazonaws.eu-west-1.ecr.dkr", Host: "602401143452.dkr.ecr.eu-west-1.amazonaws.com", Status: report.Fail, Code: report.TCPTimeout, Msg: "ecr.dkr: TCP 443 timed out", Hint: "sg"}
)

// sampleFleet is 32 nodes in four subnets of three AZs (b has two): STS
// drops from subnet b1, ECR's API from all of AZ b, EC2 resolves publicly
// everywhere, and ECR's registry times out on three nodes at random.
func sampleFleet() []Report {
	subnets := []struct{ id, cidr, az string }{
		{"subnet-0a1", "10.0.16.0/24", "eu-west-1a"}, {"subnet-0b1", "10.0.32.0/24", "eu-west-1b"},
		{"subnet-0b2", "10.0.33.0/24", "eu-west-1b"}, {"subnet-0c1", "10.0.48.0/24", "eu-west-1c"},
	}
	var runs []Report
	for i := range 32 {
		s := subnets[i%4]
		fails := []report.Result{ec2Public, ec2Drop}
		if s.id == "subnet-0b1" {
			fails = append(fails, stsDrop)
		}
		if s.az == "eu-west-1b" {
			fails = append(fails, ecrDrop)
		}
		if i == 0 || i == 7 || i == 13 {
			fails = append(fails, dkrDrop)
		}
		runs = append(runs, fleetRun(i, s.id, s.cidr, s.az, "sg-0nodes", fails...))
	}
	// One node of AZ b whose IMDS did not answer: it says nothing of where
	// it is, and must not hide the AZ's fault.
	runs[5].Summary.Node = Node{Version: "0.1.0"}
	return runs
}

func TestFleetNamesEachSharedCause(t *testing.T) {
	var all bytes.Buffer
	for _, r := range sampleFleet() {
		WriteConsole(&all, r, ConsoleBudget, fixedNow)
		all.WriteString("[   12.3] cloud-init: noise between nodes\n")
	}
	f := NewFleet()
	if err := f.Read(&all, "consoles"); err != nil {
		t.Fatal(err)
	}
	rep := f.Report()
	if rep.Nodes != 32 || rep.Fail != 32 || rep.Versions["0.1.0"] != 32 {
		t.Fatalf("%+v", rep)
	}
	want := map[string]struct{ scope, cause string }{
		"ec2 dns_public":      {hints.ScopeVPC, "ec2 dns_public on all 32 nodes, in every subnet and AZ: VPC-wide, no interface endpoint for com.amazonaws.eu-west-1.ec2"},
		"sts tcp_timeout":     {hints.ScopeSubnet, "sts tcp_timeout on 7 of 7 nodes in subnet subnet-0b1 (10.0.32.0/24, eu-west-1b) (and on 1 that did not say their subnet), on none of 24 elsewhere: the security group of the com.amazonaws.eu-west-1.sts endpoint does not allow TCP 443 from 10.0.32.0/24"},
		"ecr.api tcp_timeout": {hints.ScopeAZ, "ecr.api tcp_timeout on 15 of 15 nodes in AZ eu-west-1b (and on 1 that did not say their AZ), on none of 16 elsewhere: the com.amazonaws.eu-west-1.ecr.api endpoint has no network interface in eu-west-1b"},
		"ecr.dkr tcp_timeout": {"", "ecr.dkr tcp_timeout on 3 of 32 nodes, spread over 3 subnets and 3 AZs with nodes it spared: no subnet, AZ or security group explains it"},
		"ec2 tcp_timeout":     {hints.ScopeVPC, "ec2 tcp_timeout on 32 of 32 nodes follows from ec2 dns_public"},
	}
	for _, row := range rep.Failures {
		key := row.Endpoint + " " + string(row.Code)
		w, ok := want[key]
		if !ok || row.Scope != w.scope || !strings.HasPrefix(row.Cause, w.cause) {
			t.Errorf("%s: scope %q cause %q\nwant %q %q", key, row.Scope, row.Cause, w.scope, w.cause)
		}
		delete(want, key)
	}
	if len(want) > 0 {
		t.Errorf("rows missing: %v", want)
	}
	var text, js bytes.Buffer
	WriteFleet(&text, rep, Style{})
	WriteFleetJSON(&js, rep)
	var back FleetReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Nodes != 32 || len(back.Failures) != 5 {
		t.Fatalf("json: %v %+v", err, back)
	}
	if !strings.Contains(text.String(), "fleet: 32 nodes: 0 pass, 0 warn, 32 fail; eksboot 0.1.0 on 32") || !strings.Contains(text.String(), "subnet-0b1 (10.0.32.0/24, eu-west-1b) 7 hit 0 spared") {
		t.Fatalf("text:\n%s", text.String())
	}
}

// TestFleetCountsWhatItCannotRead: a run cut before its summary, and an
// input with no report, are counted and named, never dropped silently;
// a node's later run replaces its earlier one.
func TestFleetCountsWhatItCannotRead(t *testing.T) {
	runs := sampleFleet()[:3]
	var one, cut bytes.Buffer
	WriteJSON(&one, runs[0], fixedNow)
	WriteJSON(&one, runs[1], fixedNow)
	healed := runs[0]
	healed.Results = healed.Results[:1]
	healed.Summary.Verdict = report.Decide(healed.Results, report.FailOnRequired)
	WriteJSON(&one, healed, fixedNow) // node 0 again, later, passing
	WriteJSON(&cut, runs[2], fixedNow)
	lines := strings.Split(strings.TrimSpace(cut.String()), "\n")
	f := NewFleet()
	f.Read(&one, "a.jsonl")
	f.Read(strings.NewReader(strings.Join(lines[:len(lines)-1], "\n")), "cut.jsonl")
	f.Read(strings.NewReader("just noise\n"), "noise.txt")
	rep := f.Report()
	if rep.Nodes != 2 || rep.Pass != 1 || rep.Fail != 1 || len(rep.Truncated) != 1 || len(rep.Unreadable) != 1 ||
		!strings.HasPrefix(rep.Truncated[0], "cut.jsonl: run run0002") || !strings.HasPrefix(rep.Unreadable[0], "noise.txt") {
		t.Fatalf("%+v", rep)
	}
}

// TestConsoleOutputJSON: aws ec2 get-console-output --output json holds
// the console in one escaped string.
func TestConsoleOutputJSON(t *testing.T) {
	var console bytes.Buffer
	console.WriteString("[    0.0] Linux version 6.1\r\n")
	WriteConsole(&console, sampleReport(), ConsoleBudget, fixedNow)
	out, _ := json.MarshalIndent(map[string]string{"InstanceId": "i-0123456789abcdef0", "Output": console.String(), "Timestamp": "2026-11-29T10:00:00Z"}, "", "    ")
	for _, form := range [][]byte{out, bytes.ReplaceAll(out, []byte("\n"), nil)} {
		got, err := Parse(bytes.NewReader(form))
		if err != nil || len(got.Results) != len(sampleReport().Results) || got.Summary.Node.InstanceID != "i-0123456789abcdef0" {
			t.Fatalf("%d results, %v", len(got.Results), err)
		}
	}
}

// TestFleetFixNamesTheServiceFromTheWire: the endpoint's service name is
// the one its line carries, whatever its host looks like (a custom DNS
// name, an endpoint in another partition); the fleet does not work it out.
func TestFleetFixNamesTheServiceFromTheWire(t *testing.T) {
	f := NewFleet()
	for i := range 3 {
		r := stsDrop
		r.Host, r.Service = "sts.internal.example", "cn.com.amazonaws.cn-north-1.sts"
		var b strings.Builder
		WriteJSON(&b, fleetRun(i, "subnet-0b1", "10.0.32.0/24", "eu-west-1b", "sg-0nodes", r), fixedNow)
		f.Read(strings.NewReader(b.String()), "in")
	}
	if rep := f.Report(); len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0].Cause, "the cn.com.amazonaws.cn-north-1.sts endpoint") {
		t.Fatalf("%+v", rep.Failures)
	}
}

// --fail-on never (or required, over an optional failure) passes a
// verdict with failures: the fleet counts such a node as its verdict
// says, as one node's explain does, and still shows the failure's row.
func TestFleetFollowsEachVerdict(t *testing.T) {
	f := NewFleet()
	var all bytes.Buffer
	for i := range 2 {
		r := fleetRun(i, "subnet-0a1", "10.0.16.0/24", "eu-west-1a", "sg-0nodes", stsDrop)
		r.Summary.Verdict = report.Decide(r.Results, report.FailOnNever)
		WriteConsole(&all, r, ConsoleBudget, fixedNow)
	}
	if err := f.Read(&all, "consoles"); err != nil {
		t.Fatal(err)
	}
	rep := f.Report()
	if rep.Nodes != 2 || rep.Fail != 0 || rep.Warn != 2 || !rep.Passed() || len(rep.Failures) != 1 {
		t.Fatalf("%+v", rep)
	}
}

// A run cut before its summary (SSM's inline output keeps 24,000
// characters) has no verdict: the fleet does not pass over it.
func TestFleetDoesNotPassACutRun(t *testing.T) {
	f := NewFleet()
	var ok, cut bytes.Buffer
	WriteConsole(&ok, fleetRun(0, "subnet-0a1", "10.0.16.0/24", "eu-west-1a", "sg-0nodes"), ConsoleBudget, fixedNow)
	WriteConsole(&cut, fleetRun(1, "subnet-0a1", "10.0.16.0/24", "eu-west-1a", "sg-0nodes", stsDrop), ConsoleBudget, fixedNow)
	lines := strings.SplitAfter(cut.String(), "\n")
	f.Read(&ok, "i-0")
	f.Read(strings.NewReader(strings.Join(lines[:len(lines)-2], "")), "i-1") // its summary lost
	if rep := f.Report(); rep.Nodes != 1 || rep.Fail != 0 || len(rep.Truncated) != 1 || rep.Passed() {
		t.Fatalf("%+v", rep)
	}
}

// A TCP failure follows from a public answer only on nodes that got one:
// subnet b1's nodes resolve ec2 privately and time out, which is b1's
// security group, however many nodes elsewhere resolve it publicly.
func TestFleetPublicAnswerExplainsOnlyItsOwnNodes(t *testing.T) {
	var all bytes.Buffer
	i := 0
	for _, s := range []struct{ id, cidr, az string }{{"subnet-0a1", "10.0.16.0/24", "eu-west-1a"}, {"subnet-0c1", "10.0.48.0/24", "eu-west-1c"}, {"subnet-0b1", "10.0.32.0/24", "eu-west-1b"}} {
		for range 3 {
			fails := []report.Result{ec2Public}
			if s.id == "subnet-0b1" {
				fails = []report.Result{ec2Drop}
			}
			WriteConsole(&all, fleetRun(i, s.id, s.cidr, s.az, "sg-0nodes", fails...), ConsoleBudget, fixedNow)
			i++
		}
	}
	f := NewFleet()
	f.Read(&all, "consoles")
	for _, row := range f.Report().Failures {
		if row.Code == report.TCPTimeout && (strings.Contains(row.Cause, "follows from") || !strings.Contains(row.Cause, "subnet-0b1")) {
			t.Errorf("tcp_timeout on %d nodes: %s", row.Hit, row.Cause)
		}
	}
}

// Nodes that could not resolve an endpoint never tried its TCP: they are
// not "spared" by where they are, nor counted elsewhere; nor are nodes
// that did not say where they are.
func TestFleetSparedOnlyByWhereTheyAre(t *testing.T) {
	nxdomain := ec2Public
	nxdomain.Code = report.DNSNXDomain
	var all bytes.Buffer
	i := 0
	for _, s := range []struct{ id, cidr, az string }{{"subnet-0a1", "10.0.16.0/24", "eu-west-1a"}, {"subnet-0b1", "10.0.32.0/24", "eu-west-1b"}, {"subnet-0c1", "10.0.48.0/24", "eu-west-1c"}} {
		for range 3 {
			var fails []report.Result
			switch s.id {
			case "subnet-0a1":
				fails = []report.Result{nxdomain}
			case "subnet-0b1":
				fails = []report.Result{ec2Drop}
			}
			r := fleetRun(i, s.id, s.cidr, s.az, "sg-0nodes", fails...)
			if i == 8 {
				r.Summary.Node = Node{InstanceID: r.Summary.Node.InstanceID, Version: "0.1.0"} // IMDS said nothing of where it is
			}
			WriteConsole(&all, r, ConsoleBudget, fixedNow)
			i++
		}
	}
	f := NewFleet()
	f.Read(&all, "consoles")
	for _, row := range f.Report().Failures {
		if row.Code != report.TCPTimeout {
			continue
		}
		if !strings.Contains(row.Cause, "in subnet subnet-0b1") || !strings.Contains(row.Cause, "on none of 2 elsewhere") {
			t.Errorf("cause: %s", row.Cause)
		}
		for _, s := range row.Subnets {
			if s.Value == "subnet-0a1" {
				t.Errorf("subnet-0a1, whose nodes never tried TCP: %+v", s)
			}
		}
	}
}

// A run cut by a reboot, before a later run of the same input reported,
// is history: the node's verdict is the later run's, and the fleet passes.
func TestFleetPassesOverAnEarlierCutRun(t *testing.T) {
	var cut, later bytes.Buffer
	WriteConsole(&cut, fleetRun(0, "subnet-0a1", "10.0.16.0/24", "eu-west-1a", "sg-0nodes", stsDrop), ConsoleBudget, fixedNow)
	lines := strings.SplitAfter(cut.String(), "\n")
	next := fleetRun(1, "subnet-0a1", "10.0.16.0/24", "eu-west-1a", "sg-0nodes")
	next.Summary.Node.InstanceID = "i-00000000000000000" // the same node, its next boot
	WriteConsole(&later, next, ConsoleBudget, fixedNow)
	f := NewFleet()
	f.Read(strings.NewReader(strings.Join(lines[:len(lines)-2], "")+later.String()), "i-0")
	if rep := f.Report(); rep.Nodes != 1 || rep.Fail != 0 || len(rep.Truncated) != 0 || !rep.Passed() {
		t.Fatalf("%+v", rep)
	}
}
