package diag

import (
	"bufio"
	"os"
	"path/filepath"
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

// TestConsoleRefusesASymlink: --console is opened as root and appended to;
// a symlink at the path must not redirect that append to its target.
func TestConsoleRefusesASymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "shadow")
	os.WriteFile(target, []byte("root:x:0:0\n"), 0o644)
	link := filepath.Join(dir, "console.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if c, err := OpenConsole(link); err == nil {
		c.Write([]byte("eksboot: x\n"))
		c.Close()
		t.Fatal("a symlink was followed")
	}
	if data, _ := os.ReadFile(target); string(data) != "root:x:0:0\n" {
		t.Fatalf("target written: %q", data)
	}
}
