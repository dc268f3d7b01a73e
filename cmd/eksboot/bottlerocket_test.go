package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/probes"
)

// TestExplainImageNotPulled: the console of a Bottlerocket node whose
// eksboot image was not pulled has no report, and explain says so in one
// line naming what the pull needs, exit 2.
func TestExplainImageNotPulled(t *testing.T) {
	console, err := os.ReadFile("../../diag/testdata/bottlerocket-pull-failed.txt")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "console.txt")
	if err := os.WriteFile(path, console, 0o644); err != nil {
		t.Fatal(err)
	}
	r := eksboot(t, map[string]string{}, "explain", path)
	if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 ||
		!strings.Contains(r.stderr, "failed before eksboot ran") || !strings.Contains(r.stderr, "ecr.api") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// The container's own probe settings go into its user data, where its
// run on the node reads them back; without a container they are refused.
func TestRenderPassesTheContainersSettings(t *testing.T) {
	image := "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eksboot@sha256:" + strings.Repeat("ab", 32)
	r := eksboot(t, map[string]string{}, append(goodArgs(t, "bottlerocket"), "--bootstrap-container", image, "--wait", "5m", "--optional", "sts,logs", "--timeout", "3s")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	m := regexp.MustCompile(`(?m)^user-data = "([^"]+)"$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no user-data:\n%s", r.stdout)
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "user-data")
	os.WriteFile(file, raw, 0o600)
	v, _, err := inputs.ConfigSource(context.Background(), file, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := inputs.ParseSettings(v, probes.KnownName)
	if err != nil || s.Wait != 5*time.Minute || s.Timeout != 3*time.Second || !slices.Equal(s.Optional, []string{"sts", "logs"}) {
		t.Errorf("read back: %+v, %v\n%s", s, err, raw)
	}

	r = eksboot(t, map[string]string{}, append(goodArgs(t, "bottlerocket"), "--wait", "5m")...)
	if r.code != 2 || !strings.Contains(r.stderr, "--wait") || !strings.Contains(r.stderr, "--bootstrap-container") || r.stdout != "" {
		t.Errorf("without a container: exit %d, %q, stdout %q", r.code, r.stderr, r.stdout)
	}
}

// TestExplainLatestBootCutShort: mode = "always" runs eksboot at every
// boot, so journalctl -u bootstrap-containers@eksboot holds a node's boots
// one after another. When the latest run has failures but no summary yet
// (eksboot still in --wait, or the journal read cut), explain must not
// give the previous boot's PASS as the node's verdict and exit 0.
func TestExplainLatestBootCutShort(t *testing.T) {
	journal, err := os.ReadFile("../../diag/testdata/bottlerocket-journal.txt")
	if err != nil {
		t.Fatal(err)
	}
	var earlier, latest []string
	for _, line := range strings.Split(string(journal), "\n") {
		if !strings.Contains(line, `"run":"5ca1ab1e"`) {
			continue
		}
		if !strings.Contains(line, `"msg":"summary"`) {
			latest = append(latest, line)
		}
		// The boot before: the same node, every check passing.
		if strings.Contains(line, `"status":"pass"`) || strings.Contains(line, `"msg":"summary"`) {
			l := strings.ReplaceAll(line, `"run":"5ca1ab1e"`, `"run":"0ldb007a"`)
			l = strings.NewReplacer(`"level":"ERROR"`, `"level":"INFO"`, `"status":"fail","passed":false`, `"status":"pass","passed":true`,
				`"warn":1,"fail":2`, `"warn":0,"fail":0`, `"failed":["ec2","ecr.dkr"],"codes":["dns_public","tcp_timeout","dns_mismatch"],`, ``).Replace(l)
			earlier = append(earlier, l)
		}
	}
	if len(latest) < 3 || !strings.Contains(strings.Join(latest, "\n"), `"code":"tcp_timeout"`) {
		t.Fatalf("the journal testdata changed: %d lines of run 5ca1ab1e", len(latest))
	}
	path := filepath.Join(t.TempDir(), "journal.txt")
	if err := os.WriteFile(path, []byte(strings.Join(append(earlier, latest...), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := eksboot(t, map[string]string{}, "explain", path)
	if r.code == 0 {
		t.Fatalf("exit 0 (every verdict passed) while the latest boot's run shows tcp_timeout; stdout %q, stderr %q", r.stdout, r.stderr)
	}
}
