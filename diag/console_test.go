package diag

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenConsoleNoneAndMissing(t *testing.T) {
	if c, err := OpenConsole(ConsoleNone); c != nil || err != nil {
		t.Fatalf("none: %v %v", c, err)
	}
	if _, err := OpenConsole(filepath.Join(t.TempDir(), "absent", "console")); err == nil || !strings.Contains(err.Error(), "no console to write to") {
		t.Fatalf("missing: %v", err)
	}
}

// TestConsoleFileIsCreatedAndAppended: --console naming a file that does
// not exist yet creates it, on every platform; a second run appends, as
// runs append to a serial console.
func TestConsoleFileIsCreatedAndAppended(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.txt")
	for _, line := range []string{"eksboot: one\n", "eksboot: two\n"} {
		c, err := OpenConsole(path)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte(line))
		c.Close()
	}
	if data, _ := os.ReadFile(path); string(data) != "eksboot: one\neksboot: two\n" {
		t.Fatalf("%q", data)
	}
}
