package diag

import (
	"bufio"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/test/pty"
)

// TestConsoleOnAPseudoTerminal writes the report to a real terminal device
// opened as --console would, and reads back what a serial console shows.
func TestConsoleOnAPseudoTerminal(t *testing.T) {
	master, slave := pty.Open(t)
	console, err := OpenConsole(slave)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleReport()
	if err := WriteConsole(console, want, ConsoleBudget, fixedNow); err != nil {
		t.Fatal(err)
	}
	console.Close()
	var transcript strings.Builder
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(master)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for n := 0; n < len(want.Results)+1; n++ {
		select {
		case l := <-lines:
			if !strings.HasPrefix(l, ConsolePrefix+"{") {
				t.Fatalf("terminal line %q", l)
			}
			transcript.WriteString(l + "\n")
		case <-time.After(5 * time.Second):
			t.Fatalf("the terminal showed only:\n%s", transcript.String())
		}
	}
	got, err := Parse(strings.NewReader(transcript.String()))
	if err != nil || got.Summary.Verdict.Passed || len(got.Results) != len(want.Results) || got.Summary.Verdict.Counts != want.Summary.Verdict.Counts {
		t.Fatalf("read back %+v, %v", got.Summary, err)
	}
}
