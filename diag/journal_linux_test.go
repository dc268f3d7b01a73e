package diag

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// journalSocketDir is where go-systemd's journal sends. The test binds a
// datagram socket of its own there, on a tmpfs in this test's private mount
// namespace, standing in for journald.
const journalSocketDir = "/run/systemd/journal"

func fakeJournald(t *testing.T) *net.UnixConn {
	t.Helper()
	created := false
	if _, err := os.Stat(journalSocketDir); os.IsNotExist(err) {
		if err := os.MkdirAll(journalSocketDir, 0o755); err != nil {
			t.Fatal(err)
		}
		created = true
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "tmpfs", journalSocketDir).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command("umount", journalSocketDir).Run()
		if created {
			os.Remove(journalSocketDir)
		}
	})
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: journalSocketDir + "/socket", Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// parseEntry reads journald's native protocol: KEY=value lines, or KEY,
// a little-endian length and the raw value.
func parseEntry(b []byte) map[string]string {
	out := map[string]string{}
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			break
		}
		line := b[:nl]
		if eq := bytes.IndexByte(line, '='); eq >= 0 {
			out[string(line[:eq])] = string(line[eq+1:])
			b = b[nl+1:]
			continue
		}
		n := binary.LittleEndian.Uint64(b[nl+1 : nl+9])
		out[string(line)] = string(b[nl+9 : nl+9+int(n)])
		b = b[nl+9+int(n)+1:]
	}
	return out
}

func TestJournalEntries(t *testing.T) {
	conn := fakeJournald(t)
	j := OpenJournal()
	if j == nil {
		t.Fatal("the journal was not found at its socket")
	}
	rep := sampleReport()
	if err := j.Write(rep); err != nil {
		t.Fatal(err)
	}
	var entries []map[string]string
	buf := make([]byte, 1<<16)
	for range len(rep.Results) + 1 {
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %d entries: %v", len(entries), err)
		}
		entries = append(entries, parseEntry(buf[:n]))
	}
	var fails int
	for _, e := range entries[:len(entries)-1] {
		if e["SYSLOG_IDENTIFIER"] != "eksboot" || e["EKSBOOT_CHECK"] == "" || e["EKSBOOT_STATUS"] == "" || e["EKSBOOT_CODE"] == "" || e["MESSAGE"] == "" {
			t.Fatalf("entry lacks fields: %v", e)
		}
		if e["EKSBOOT_STATUS"] == "fail" {
			fails++
			if e["PRIORITY"] != "3" || e["EKSBOOT_ENDPOINT"] == "" || e["EKSBOOT_HINT"] == "" {
				t.Fatalf("failed entry: %v", e)
			}
		}
	}
	if entries[2]["EKSBOOT_ROUTE"] != "dev eth0 src 10.0.1.10" || entries[2]["EKSBOOT_RUN"] != "5ca1ab1e" || entries[2]["EKSBOOT_MS"] != "1" {
		t.Fatalf("the journal entry lacks fields of its JSON line: %v", entries[2])
	}
	last := entries[len(entries)-1]
	if fails != 2 || last["EKSBOOT_CHECK"] != "summary" || !strings.HasPrefix(last["MESSAGE"], "verdict: FAIL") {
		t.Fatalf("fails %d, summary %v", fails, last)
	}
}
