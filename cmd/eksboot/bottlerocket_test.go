package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
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
// line naming what the pull needs, exit 1: the node did not boot.
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
	if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 ||
		!strings.Contains(r.stderr, "failed before eksboot ran") || !strings.Contains(r.stderr, "ecr.api") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// --output json gives the fleet's JSON, not_run and all, to what reads it.
	r = eksboot(t, map[string]string{}, "explain", "--output", "json", path)
	var rep struct {
		Nodes  int      `json:"nodes"`
		NotRun []string `json:"not_run"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 1 || err != nil || rep.Nodes != 0 || len(rep.NotRun) != 1 {
		t.Fatalf("json: exit %d, %v, %q", r.code, err, r.stdout)
	}
}

// TestExplainFleetWithANodeNotRun: beside a node that passed, a Bottlerocket
// node whose eksboot image was not pulled never booted: the fleet report
// names it with host-ctr's reason (not as unreadable), and the fleet fails,
// in text and in JSON.
func TestExplainFleetWithANodeNotRun(t *testing.T) {
	dir := t.TempDir()
	console, err := os.ReadFile("../../diag/testdata/bottlerocket-pull-failed.txt")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "i-0b0.txt"), console, 0o644)
	passed := `{"time":"2026-11-29T10:00:01Z","level":"INFO","msg":"summary","v":1,"run":"r1","status":"pass","passed":true,"pass":9,"warn":0,"fail":0,"skip":0,"instance_id":"i-0a1","az":"eu-west-1a","subnet_id":"subnet-0a1","subnet_cidr":"10.0.1.0/24","eksboot_version":"0.1.0","ms":900}` + "\n"
	os.WriteFile(filepath.Join(dir, "i-0a1.txt"), []byte(passed), 0o644)

	r := eksboot(t, map[string]string{}, "explain", dir)
	notRun := "not run: " + filepath.Join(dir, "i-0b0.txt") + ": bootstrap-containers@eksboot failed before eksboot ran"
	if r.code != 1 || !strings.Contains(r.stdout, "fleet: 1 nodes: 1 pass") || !strings.Contains(r.stdout, notRun) ||
		!strings.Contains(r.stdout, "fleet verdict: FAIL (0 of 1 nodes fail, 1 stopped before eksboot's report;") || strings.Contains(r.stdout, "unreadable: ") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = eksboot(t, map[string]string{}, "explain", "--output", "json", dir)
	var rep struct {
		NotRun     []string `json:"not_run"`
		Unreadable []string `json:"unreadable"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 1 || err != nil || len(rep.NotRun) != 1 || !strings.Contains(rep.NotRun[0], "ecr.api") || len(rep.Unreadable) != 0 {
		t.Fatalf("json: exit %d, %+v, %v\n%s", r.code, rep, err, r.stdout)
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
	// From the environment or a config file (the packaged one sets wait
	// and timeout) they are this machine's probe settings: render renders.
	config := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(config, []byte("timeout: 5s\nwait: 2m\n"), 0o644)
	for name, env := range map[string]map[string]string{"environment": {"EKSBOOT_WAIT": "2m"}, "config file": {"EKSBOOT_CONFIG": config}} {
		for _, target := range []string{"bottlerocket", "al2"} {
			if r = eksboot(t, env, goodArgs(t, target)...); r.code != 0 || strings.Contains(r.stdout, "bootstrap-containers") {
				t.Errorf("%s, %s: exit %d, %q\n%s", name, target, r.code, r.stderr, r.stdout)
			}
		}
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
