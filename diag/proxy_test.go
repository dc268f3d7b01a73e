package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

const proxyA, proxyB = "proxy 10.0.0.5:3128", "proxy 10.0.8.5:3128"

// proxied is a failure of the path through the proxy via.
func proxied(endpoint, host string, code report.Code, via string) report.Result {
	return report.Result{Kind: report.KindProxy, Endpoint: endpoint, Host: host, Via: via, Addr: strings.TrimPrefix(via, "proxy "),
		Service: "com.amazonaws.eu-west-1." + endpoint, Status: report.Fail, Code: code, Msg: endpoint + ": the proxy refused it", Hint: "allow it on the proxy"}
}

// The path rides the wire, reads back, and shows in the table where it is
// a proxy.
func TestProxyPathOnTheWireAndTable(t *testing.T) {
	rep := sampleReport()
	rep.Results = append(rep.Results,
		report.Result{Kind: report.KindDNS, Endpoint: "ecr.api", Host: "api.ecr.eu-west-1.amazonaws.com", Via: proxyA, Status: report.Skip, Code: report.OK, Msg: "ecr.api: not looked up on the node"},
		proxied("ecr.api", "api.ecr.eu-west-1.amazonaws.com", report.ProxyRefused, proxyA))
	rep.Results[1].Via = "direct"
	rep.Summary.Verdict = report.Decide(rep.Results, report.FailOnRequired)
	var js bytes.Buffer
	if err := WriteJSON(&js, rep, fixedNow); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"check":"proxy","via":"proxy 10.0.0.5:3128","endpoint":"ecr.api"`) || !strings.Contains(js.String(), `"via":"direct"`) {
		t.Fatalf("no via on the wire:\n%s", js.String())
	}
	back, err := Parse(&js)
	if err != nil {
		t.Fatal(err)
	}
	var vias []string
	for _, r := range back.Results {
		vias = append(vias, r.Via)
	}
	if got := strings.Join(vias, ","); !strings.Contains(got, "direct") || strings.Count(got, proxyA) != 2 {
		t.Fatalf("explain read back %q", got)
	}
	var table, explained bytes.Buffer
	WriteTable(&table, back, Style{})
	out := table.String()
	if !strings.Contains(out, "ENDPOINT  HOST ") || !strings.Contains(out, " PATH ") {
		t.Fatalf("no path column:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) < 3:
		case f[0] == "ecr.api" && (f[2] != "proxy" || f[3] != "10.0.0.5:3128" || f[len(f)-1] != "proxy_refused"):
			t.Errorf("ecr.api's row: %q", line)
		case f[0] == "api" && f[2] != "direct":
			t.Errorf("api's row: %q", line)
		}
	}
	WriteTable(&explained, sampleReport(), Style{})
	if strings.Contains(explained.String(), "PATH") {
		t.Errorf("a run with no proxy grows a path column:\n%s", explained.String())
	}
}

// The fleet report groups proxy failures by proxy: one row per proxy,
// each naming it, and a proxy no node reaches is said to be the proxy.
func TestFleetGroupsProxyFailuresByProxy(t *testing.T) {
	refused := proxied("ecr.api", "api.ecr.eu-west-1.amazonaws.com", report.ProxyRefused, proxyA)
	var all bytes.Buffer
	for i := range 6 {
		via, subnet, cidr := proxyA, "subnet-0a1", "10.0.16.0/24"
		if i%2 == 1 {
			via, subnet, cidr = proxyB, "subnet-0b1", "10.0.32.0/24"
		}
		r := refused
		r.Via, r.Addr = via, strings.TrimPrefix(via, "proxy ")
		down := proxied("sts", "sts.eu-west-1.amazonaws.com", report.ProxyUnreachable, via)
		fails := []report.Result{r}
		if via == proxyB {
			fails = append(fails, down)
		}
		WriteConsole(&all, fleetRun(i, subnet, cidr, "eu-west-1a", "sg-0nodes", fails...), ConsoleBudget, fixedNow)
	}
	f := NewFleet()
	if err := f.Read(&all, "consoles"); err != nil {
		t.Fatal(err)
	}
	rep := f.Report()
	rows := map[string]FailureRow{}
	for _, row := range rep.Failures {
		rows[row.Endpoint+" "+string(row.Code)+" "+row.Via] = row
	}
	if len(rows) != 3 {
		t.Fatalf("want a row per proxy and code: %+v", rep.Failures)
	}
	a, b := rows["ecr.api proxy_refused "+proxyA], rows["ecr.api proxy_refused "+proxyB]
	if a.Hit != 3 || b.Hit != 3 || !strings.HasPrefix(a.Cause, "ecr.api proxy_refused through the proxy 10.0.0.5:3128 on 3 of 3 nodes in subnet subnet-0a1") {
		t.Errorf("%+v\n%+v", a, b)
	}
	if down := rows["sts proxy_unreachable "+proxyB]; down.Hit != 3 || down.Scope != hints.ScopeSubnet ||
		!strings.Contains(down.Cause, "the proxy 10.0.8.5:3128 does not answer subnet-0b1: the subnet's route table must route to it, and the proxy's security group must allow TCP 3128 from 10.0.32.0/24") {
		t.Errorf("%+v", down)
	}
	var text, js bytes.Buffer
	WriteFleet(&text, rep, Style{})
	WriteFleetJSON(&js, rep)
	if !strings.Contains(text.String(), "FAIL ecr.api proxy_refused through the proxy 10.0.8.5:3128 on 3 of 6 nodes") {
		t.Errorf("text:\n%s", text.String())
	}
	var back FleetReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || !strings.Contains(js.String(), `"via":"proxy 10.0.0.5:3128"`) {
		t.Errorf("json: %v\n%s", err, js.String())
	}
}
