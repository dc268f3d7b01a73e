//go:build linux

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/loopvpc"
	"github.com/eksboot/eksboot/test/netns"
	"github.com/eksboot/eksboot/test/pty"
)

// The CLI tests run inside a network namespace of their own (see
// test/netns): probe and run dial and query for real.
func TestMain(m *testing.M) { netns.RunIsolated(m) }

// buildEksboot builds the real binary into dir, for tests that exec it.
func buildEksboot(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "eksboot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	return bin
}

func vpcArgs(t *testing.T, v *loopvpc.VPC, cmd string, extra ...string) []string {
	return append([]string{cmd, "--target", "al2", "--cluster-name", "prod", "--apiserver-endpoint", "https://" + loopvpc.APIHost,
		"--b64-cluster-ca", v.CAData(), "--imds-endpoint", v.IMDS, "--timeout", "500ms"}, extra...)
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		for _, k := range []string{"time", "level", "msg", "v"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("line lacks %q: %q", k, line)
			}
		}
		lines = append(lines, m)
	}
	return lines
}

func TestProbeHealthyJSON(t *testing.T) {
	v := loopvpc.NewVPC(t, "10.100.0.1")
	r := eksboot(t, map[string]string{}, vpcArgs(t, v, "probe", "--service-cidr", "10.100.0.0/16")...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := jsonLines(t, r.stdout)
	last := lines[len(lines)-1]
	if last["msg"] != "summary" || last["status"] != "pass" || last["passed"] != true || last["server_version"] != loopvpc.APIVersion ||
		last["user"] != "system:node:ip-10-0-1-10.eu-west-1.compute.internal" {
		t.Fatalf("summary %v", last)
	}
	if _, ok := last["args_file"]; ok {
		t.Fatal("probe writes nothing")
	}
}

func TestRunBrokenEndpointExits1WithTheFix(t *testing.T) {
	v := loopvpc.NewVPC(t, "10.100.0.1")
	v.Zone.Set("ec2.eu-west-1.amazonaws.com", "198.51.100.7")
	args := filepath.Join(t.TempDir(), "bootstrap.args")
	r := eksboot(t, map[string]string{}, vpcArgs(t, v, "run", "--service-cidr", "10.100.0.0/16", "--args-file", args, "--output", "text")...)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"dns_public", "com.amazonaws.eu-west-1.ec2", "Enable private DNS name", "verdict: FAIL", "failed: ec2", "arguments in " + args} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if data, err := os.ReadFile(args); err != nil || !strings.HasPrefix(string(data), "prod --apiserver-endpoint") {
		t.Fatalf("args %q %v", data, err)
	}
}

func TestRunBottlerocketArgsGoToStdoutReportToStderr(t *testing.T) {
	v := loopvpc.NewVPC(t, "10.100.0.1")
	r := eksboot(t, map[string]string{}, append(vpcArgs(t, v, "run", "--service-cidr", "10.100.0.0/16", "--output", "json"), "--target", "bottlerocket")...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "[settings.kubernetes]") || !strings.Contains(r.stderr, `"msg":"summary"`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestEndpointsCommand(t *testing.T) {
	r := eksboot(t, map[string]string{}, "endpoints", "--region", "eu-west-1", "--require", "ssm", "--output", "text", "--imds-endpoint", "http://127.0.0.1:1")
	for _, want := range []string{"ssm.eu-west-1.amazonaws.com", "602401143452.dkr.ecr.eu-west-1.amazonaws.com", "com.amazonaws.eu-west-1.s3", "gateway", "Not probed unless", "\nauth          fail                        the node's IAM role is mapped"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("lacks %q: %d %s %s", want, r.code, r.stdout, r.stderr)
		}
	}
	j := eksboot(t, map[string]string{}, "endpoints", "--apiserver-endpoint", "https://"+loopvpc.APIHost, "--output", "json", "--imds-endpoint", "http://127.0.0.1:1")
	if j.code != 0 || !strings.Contains(j.stdout, `"endpoint":"api","host":"`+loopvpc.APIHost+`"`) {
		t.Fatalf("%d %s %s", j.code, j.stdout, j.stderr)
	}
	noRegion := eksboot(t, map[string]string{}, "endpoints", "--imds-endpoint", "http://127.0.0.1:1")
	if noRegion.code != 2 || !strings.HasPrefix(noRegion.stderr, "eksboot: --region: unknown:") {
		t.Fatalf("no region: %d %q", noRegion.code, noRegion.stderr)
	}
	bad := eksboot(t, map[string]string{}, "endpoints", "--region", "eu-west-1", "--require", "nope")
	if bad.code != 2 || !strings.HasPrefix(bad.stderr, "eksboot: --require:") {
		t.Fatalf("%d %q", bad.code, bad.stderr)
	}
}

// TestRunExecHandsOverToBootstrapSh builds eksboot, puts a stand-in
// /etc/eks/bootstrap.sh on a tmpfs (this test's mount namespace is its
// own), and checks run --exec replaces itself with it, argv intact.
func TestRunExecHandsOverToBootstrapSh(t *testing.T) {
	created := false
	if _, err := os.Stat("/etc/eks"); os.IsNotExist(err) {
		if err := os.Mkdir("/etc/eks", 0o755); err != nil {
			t.Fatal(err)
		}
		created = true
	}
	t.Cleanup(func() {
		exec.Command("umount", "/etc/eks").Run()
		if created {
			os.Remove("/etc/eks")
		}
	})
	if out, err := exec.Command("mount", "-t", "tmpfs", "tmpfs", "/etc/eks").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "argv")
	script := "#!/bin/bash\necho \"$$\" > " + record + ".pid\nprintf '%s\\0' \"$@\" > " + record + "\n"
	if err := os.WriteFile("/etc/eks/bootstrap.sh", []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := buildEksboot(t, dir)
	v := loopvpc.NewVPC(t, "10.100.0.1")
	cmd := exec.Command(bin, vpcArgs(t, v, "run", "--service-cidr", "10.100.0.0/16", "--args-file", filepath.Join(dir, "bootstrap.args"), "--exec", "--output", "json", "--kubelet-extra-args", "--max-pods=20 $(x) `y`")...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "SSL_CERT_FILE=" + os.Getenv("SSL_CERT_FILE"), "EKSBOOT_CONSOLE=none", "EKSBOOT_CONFIG=" + filepath.Join(dir, "none.yaml")}
	os.WriteFile(filepath.Join(dir, "none.yaml"), nil, 0o644)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	argv, _ := os.ReadFile(record)
	want := "prod\x00--apiserver-endpoint\x00https://" + loopvpc.APIHost + "\x00--b64-cluster-ca\x00" + v.CAData() + "\x00--dns-cluster-ip\x0010.100.0.10\x00--kubelet-extra-args\x00--max-pods=20 $(x) `y`\x00"
	if string(argv) != want {
		t.Fatalf("bootstrap.sh got %q\nwant %q", argv, want)
	}
	pid, _ := os.ReadFile(record + ".pid")
	if strings.TrimSpace(string(pid)) != strconv.Itoa(cmd.ProcessState.Pid()) {
		t.Fatalf("bootstrap.sh ran as pid %s, eksboot was %d: not an exec", pid, cmd.ProcessState.Pid())
	}
}

// TestConsoleAndExplainAgree runs a failing probe with the console on a
// pseudo-terminal, then explains what the terminal showed: the same
// verdict, failure and fix.
func TestConsoleAndExplainAgree(t *testing.T) {
	master, slave := pty.Open(t)
	v := loopvpc.NewVPC(t, "10.100.0.1")
	v.Zone.Set("sts.eu-west-1.amazonaws.com", netns.BlackholeAddr)
	r := eksboot(t, map[string]string{"EKSBOOT_CONSOLE": slave}, vpcArgs(t, v, "probe", "--service-cidr", "10.100.0.0/16", "--output", "text")...)
	if r.code != 1 || !strings.Contains(r.stdout, "verdict: FAIL") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	console := readUntil(t, master, `"msg":"summary"`)
	ex := eksboot(t, map[string]string{"stdin": "[    3.1] noise\r\n" + console + "cloud-init: done\r\n"}, "explain", "-")
	if ex.code != 1 {
		t.Fatalf("explain exit %d: %s %s", ex.code, ex.stdout, ex.stderr)
	}
	verdict := func(s string) string { return s[strings.Index(s, "verdict: "):] }
	for _, want := range []string{"tcp_timeout", "com.amazonaws.eu-west-1.sts", "failed: sts"} {
		if !strings.Contains(ex.stdout, want) || !strings.Contains(r.stdout, want) {
			t.Errorf("%q missing from the terminal or the explained console", want)
		}
	}
	if a, b := strings.Fields(verdict(r.stdout))[1], strings.Fields(verdict(ex.stdout))[1]; a != b {
		t.Fatalf("terminal says %s, explain says %s", a, b)
	}
	file := filepath.Join(t.TempDir(), "console.txt")
	os.WriteFile(file, []byte(console), 0o644)
	if fx := eksboot(t, map[string]string{}, "explain", file, "--output", "json"); fx.code != 1 || !strings.Contains(fx.stdout, `"msg":"summary"`) {
		t.Fatalf("explain FILE: %d %s %s", fx.code, fx.stdout, fx.stderr)
	}
	if none := eksboot(t, map[string]string{"stdin": "just noise\n"}, "explain"); none.code != 2 || !strings.Contains(none.stderr, "no eksboot report found") {
		t.Fatalf("explain of noise: %d %q", none.code, none.stderr)
	}
}

func readUntil(t *testing.T, f *os.File, marker string) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	deadline := time.Now().Add(5 * time.Second)
	// The marker's line must be whole: a read may end inside it.
	done := func() bool {
		i := strings.Index(b.String(), marker)
		return i >= 0 && strings.Contains(b.String()[i:], "\n")
	}
	for !done() && time.Now().Before(deadline) {
		f.SetReadDeadline(time.Now().Add(time.Second))
		n, _ := f.Read(buf)
		b.Write(buf[:n])
	}
	if !strings.Contains(b.String(), marker) {
		t.Fatalf("the console showed only %q", b.String())
	}
	return b.String()
}

// noSecrets fails the test when any output carries the role's credentials
// or a bearer token.
func noSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	c := imdsmock.TestCredentials
	for _, out := range outputs {
		for _, secret := range []string{c.SecretAccessKey, c.Token, c.AccessKeyID, "k8s-aws-v1."} {
			if strings.Contains(out, secret) {
				t.Fatalf("an output carries a secret (%.12s...):\n%s", secret, out)
			}
		}
	}
}

// TestIdentityInEveryOutput: a healthy node shows who it authenticates as;
// an unmapped role fails within one run, naming the role ARN; neither
// prints a credential or the token anywhere.
func TestIdentityInEveryOutput(t *testing.T) {
	master, slave := pty.Open(t)
	v := loopvpc.NewVPC(t, "10.100.0.1")
	ok := eksboot(t, map[string]string{"EKSBOOT_CONSOLE": slave}, vpcArgs(t, v, "probe", "--service-cidr", "10.100.0.0/16", "--output", "text")...)
	console := readUntil(t, master, `"msg":"summary"`)
	if ok.code != 0 || !strings.Contains(ok.stdout, "node identity system:node:ip-10-0-1-10.eu-west-1.compute.internal (system:nodes, system:authenticated)") {
		t.Fatalf("exit %d\n%s%s", ok.code, ok.stdout, ok.stderr)
	}
	v.API.Access.Entries = nil
	bad := eksboot(t, map[string]string{"EKSBOOT_CONSOLE": slave}, vpcArgs(t, v, "probe", "--service-cidr", "10.100.0.0/16", "--output", "json")...)
	console += readUntil(t, master, `"status":"fail","passed":false`)
	if bad.code != 1 || !strings.Contains(bad.stdout, `"code":"auth_unmapped"`) || !strings.Contains(bad.stdout, "arn:aws:iam::111122223333:role/eksboot-node") {
		t.Fatalf("exit %d\n%s%s", bad.code, bad.stdout, bad.stderr)
	}
	demoted := eksboot(t, map[string]string{}, vpcArgs(t, v, "probe", "--service-cidr", "10.100.0.0/16", "--optional", "auth")...)
	if demoted.code != 0 || !strings.Contains(demoted.stdout, `"status":"warn","code":"auth_unmapped"`) {
		t.Fatalf("--optional auth: exit %d\n%s%s", demoted.code, demoted.stdout, demoted.stderr)
	}
	noSecrets(t, ok.stdout, ok.stderr, bad.stdout, bad.stderr, demoted.stdout, console)
}

// TestRunWriteFailureFailsTheSummary: with every endpoint healthy, a run
// that cannot write its arguments exits 3, and the summary on stdout and
// the console says fail with args_write_failed, so explain says FAIL too.
func TestRunWriteFailureFailsTheSummary(t *testing.T) {
	v := loopvpc.NewVPC(t, "10.100.0.1")
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	console := filepath.Join(dir, "console.txt")
	os.WriteFile(console, nil, 0o644)
	r := eksboot(t, map[string]string{"EKSBOOT_CONSOLE": console}, vpcArgs(t, v, "run", "--service-cidr", "10.100.0.0/16",
		"--args-file", filepath.Join(blocker, "args"), "--output", "json")...)
	lines := jsonLines(t, r.stdout)
	last := lines[len(lines)-1]
	if r.code != 3 || last["status"] != "fail" || last["passed"] != false || !strings.Contains(r.stdout, `"code":"args_write_failed"`) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ex := eksboot(t, map[string]string{}, "explain", console, "--output", "text")
	if ex.code != 1 || !strings.Contains(ex.stdout, "verdict: FAIL") || !strings.Contains(ex.stdout, "args_write_failed") {
		t.Fatalf("explain: exit %d\n%s%s", ex.code, ex.stdout, ex.stderr)
	}
	// --fail-on never passes what the probes found, not a node left with nothing to boot with.
	r = eksboot(t, map[string]string{"EKSBOOT_CONSOLE": "none"}, vpcArgs(t, v, "run", "--service-cidr", "10.100.0.0/16", "--fail-on", "never",
		"--args-file", filepath.Join(blocker, "args"), "--output", "json")...)
	lines = jsonLines(t, r.stdout)
	if last = lines[len(lines)-1]; r.code != 3 || last["passed"] != false {
		t.Fatalf("--fail-on never: exit %d, passed %v", r.code, last["passed"])
	}
}

// TestSIGTERMPublishesWhatIsKnown: a run waiting under --wait that is told
// to stop (a unit's TimeoutStartSec, SSM's timeout: SIGTERM; an SSM session
// closing: SIGHUP) publishes its results to stdout and the console within a
// second, marked interrupted, exit 1.
func TestSIGTERMPublishesWhatIsKnown(t *testing.T) {
	dir := t.TempDir()
	bin := buildEksboot(t, dir)
	v := loopvpc.NewVPC(t, "10.100.0.1")
	v.Zone.Set("sts.eu-west-1.amazonaws.com", netns.BlackholeAddr)
	os.WriteFile(filepath.Join(dir, "none.yaml"), nil, 0o644)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			console := filepath.Join(t.TempDir(), "console.txt")
			os.WriteFile(console, nil, 0o644)
			cmd := exec.Command(bin, vpcArgs(t, v, "probe", "--service-cidr", "10.100.0.0/16", "--wait", "10m", "--output", "json")...)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "SSL_CERT_FILE=" + os.Getenv("SSL_CERT_FILE"), "EKSBOOT_CONSOLE=" + console, "EKSBOOT_CONFIG=" + filepath.Join(dir, "none.yaml")}
			var stdout strings.Builder
			cmd.Stdout = &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond) // the first round is over; --wait re-probes sts
			sent := time.Now()
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			if took := time.Since(sent); took > time.Second {
				t.Errorf("published %s after %s", took, sig)
			}
			if cmd.ProcessState.ExitCode() != 1 {
				t.Fatalf("exit %v\n%s", err, stdout.String())
			}
			lines := jsonLines(t, stdout.String())
			last := lines[len(lines)-1]
			if last["interrupted"] != true || last["passed"] != false || !strings.Contains(stdout.String(), `"code":"tcp_timeout"`) {
				t.Fatalf("summary %v", last)
			}
			if data, _ := os.ReadFile(console); !strings.Contains(string(data), `"interrupted":true`) {
				t.Fatalf("console: %s", data)
			}
		})
	}
	if r := eksboot(t, map[string]string{}, vpcArgs(t, v, "probe", "--wait", "25h")...); r.code != 2 || !strings.Contains(r.stderr, "--wait:") {
		t.Fatalf("--wait 25h: %d %s", r.code, r.stderr)
	}
}

// TestOneInputPath: output and console from a config file, and EKSBOOT_
// variables, count for every command; explain checks its --output too; a
// probe on a node that is no known platform goes on, and says so.
func TestOneInputPath(t *testing.T) {
	v := loopvpc.NewVPC(t, "10.100.0.1")
	dir := t.TempDir()
	console := filepath.Join(dir, "console.txt")
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("output: text\nconsole: "+console+"\n"), 0o644)
	args := []string{"probe", "--cluster-name", "prod", "--apiserver-endpoint", "https://" + loopvpc.APIHost,
		"--b64-cluster-ca", v.CAData(), "--imds-endpoint", v.IMDS, "--timeout", "500ms", "--service-cidr", "10.100.0.0/16"}
	r := eksboot(t, map[string]string{"EKSBOOT_CONFIG": cfg, "EKSBOOT_CONSOLE": ""}, args...) // no --target: this test node has neither nodeadm nor bootstrap.sh
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: PASS") {
		t.Fatalf("config output: text: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if data, _ := os.ReadFile(console); !strings.Contains(string(data), `"target":"linux"`) {
		t.Fatalf("the config's console got: %q", data)
	}
	ex := eksboot(t, map[string]string{"EKSBOOT_OUTPUT": "json"}, "explain", console)
	if ex.code != 0 || !strings.HasPrefix(ex.stdout, "{") {
		t.Fatalf("EKSBOOT_OUTPUT=json: %d %q", ex.code, ex.stdout)
	}
	bogus := eksboot(t, map[string]string{"EKSBOOT_OUTPUT": "bogus"}, "explain", console)
	if bogus.code != 2 || !strings.HasPrefix(bogus.stderr, "eksboot: EKSBOOT_OUTPUT: ") {
		t.Fatalf("EKSBOOT_OUTPUT=bogus: %d %q", bogus.code, bogus.stderr)
	}
	if w := eksboot(t, map[string]string{}, append([]string{"run"}, args[1:]...)...); w.code != 2 || !strings.Contains(w.stderr, "--target") {
		t.Fatalf("run without a target: %d %q", w.code, w.stderr)
	}
}
