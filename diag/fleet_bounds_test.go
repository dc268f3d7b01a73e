package diag

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// adversarial is a fleet input of n nodes in one of the shapes issue 18
// names: each node failing on two endpoint names of its own ("names"),
// each in its own subnet ("subnets"), or one run of megabyte pass lines
// ("longpass").
func adversarial(shape string, n int) io.Reader {
	var b strings.Builder
	summary := func(i int, subnet string) {
		fmt.Fprintf(&b, `{"time":"2026-11-29T10:00:01Z","level":"ERROR","msg":"summary","v":1,"run":"r%d","status":"fail","passed":false,"pass":1,"warn":0,"fail":2,"skip":0,"instance_id":"i-%d","az":"eu-west-1a","subnet_id":"%s","subnet_cidr":"10.0.0.0/24","security_groups":["sg-%d"],"eksboot_version":"0.1.0","ms":1}`+"\n", i, i, subnet, i%7)
	}
	fail := func(i int, endpoint string) {
		fmt.Fprintf(&b, `{"time":"2026-11-29T10:00:00Z","level":"ERROR","msg":"x","v":1,"run":"r%d","check":"tcp","endpoint":"%s","status":"fail","code":"tcp_timeout","ms":1,"hint":"sg"}`+"\n", i, endpoint)
	}
	switch shape {
	case "names":
		for i := range n {
			fail(i, fmt.Sprintf("e%da", i))
			fail(i, fmt.Sprintf("e%db", i))
			summary(i, "subnet-1")
		}
	case "subnets":
		for i := range n {
			fail(i, "sts")
			summary(i, fmt.Sprintf("subnet-%d", i))
		}
	case "longpass":
		long := strings.Repeat("p", 1<<20)
		for range 64 {
			fmt.Fprintf(&b, `{"time":"2026-11-29T10:00:00Z","level":"INFO","msg":"%s","v":1,"run":"r0","check":"dns","status":"pass","code":"ok","ms":1}`+"\n", long)
		}
		fail(0, "sts")
		summary(0, "subnet-1")
	}
	return strings.NewReader(b.String())
}

// TestFleetBoundsWhatItKeeps: however many distinct names, subnets or
// bytes the input holds, the report keeps bounded counts of each.
func TestFleetBoundsWhatItKeeps(t *testing.T) {
	f := NewFleet()
	f.Read(adversarial("names", 2000), "names")
	rep := f.Report()
	if len(f.first) > maxSignatures || len(rep.Failures) > maxSignatures || rep.SignaturesLeftOut != 2*2000-maxSignatures {
		t.Errorf("signatures kept %d, rows %d, left out %d", len(f.first), len(rep.Failures), rep.SignaturesLeftOut)
	}
	f = NewFleet()
	f.Read(adversarial("subnets", 2000), "subnets")
	rep = f.Report()
	if len(rep.Failures) != 1 || len(rep.Failures[0].Subnets) > maxSpread || !strings.Contains(rep.Failures[0].Subnets[maxSpread-1].Value, "others") {
		t.Errorf("%d rows, subnets %v", len(rep.Failures), rep.Failures[0].Subnets)
	}
	f = NewFleet()
	f.Read(adversarial("longpass", 0), "longpass")
	kept := 0
	for _, p := range f.last.results {
		if p.raw != "" {
			t.Fatalf("a raw pass line of %d bytes kept", len(p.raw))
		}
		kept += len(p.result.Msg)
	}
	if kept > 64*maxResultField {
		t.Errorf("%d bytes of messages kept", kept)
	}
}

// BenchmarkFleetAdversarial: make bench's budget is 10,000 nodes of any
// shape under 2 s and 64 MiB (see test/e2e/bench.sh).
func BenchmarkFleetAdversarial(b *testing.B) {
	for _, shape := range []string{"names", "subnets", "longpass"} {
		b.Run(shape, func(b *testing.B) {
			in := adversarial(shape, 10000).(*strings.Reader)
			b.ReportAllocs()
			for b.Loop() {
				in.Seek(0, io.SeekStart)
				f := NewFleet()
				f.Read(in, shape)
				f.Report()
			}
		})
	}
}
