package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/loopvpc"
	"github.com/eksboot/eksboot/test/netns"
)

// The CLI tests run inside a network namespace of their own (see
// test/netns): probe and run dial and query for real.
func TestMain(m *testing.M) { netns.RunIsolated(m) }

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
	if last["msg"] != "summary" || last["status"] != "pass" || last["passed"] != true || last["server_version"] != "v1.31.2-eks-7f9249a" {
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
	for _, want := range []string{"ssm.eu-west-1.amazonaws.com", "602401143452.dkr.ecr.eu-west-1.amazonaws.com", "com.amazonaws.eu-west-1.s3", "gateway", "Not probed unless"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("lacks %q: %d %s %s", want, r.code, r.stdout, r.stderr)
		}
	}
	j := eksboot(t, map[string]string{}, "endpoints", "--apiserver-endpoint", "https://"+loopvpc.APIHost, "--output", "json", "--imds-endpoint", "http://127.0.0.1:1")
	if j.code != 0 || !strings.Contains(j.stdout, `"endpoint":"api","host":"`+loopvpc.APIHost+`"`) {
		t.Fatalf("%d %s %s", j.code, j.stdout, j.stderr)
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
	bin := filepath.Join(dir, "eksboot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	v := loopvpc.NewVPC(t, "10.100.0.1")
	cmd := exec.Command(bin, vpcArgs(t, v, "run", "--service-cidr", "10.100.0.0/16", "--args-file", filepath.Join(dir, "bootstrap.args"), "--exec", "--output", "json", "--kubelet-extra-args", "--max-pods=20 '$(x)'")...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "EKSBOOT_CONFIG=" + filepath.Join(dir, "none.yaml")}
	os.WriteFile(filepath.Join(dir, "none.yaml"), nil, 0o644)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	argv, _ := os.ReadFile(record)
	want := "prod\x00--apiserver-endpoint\x00https://" + loopvpc.APIHost + "\x00--b64-cluster-ca\x00" + v.CAData() + "\x00--dns-cluster-ip\x0010.100.0.10\x00--kubelet-extra-args\x00--max-pods=20 '$(x)'\x00"
	if string(argv) != want {
		t.Fatalf("bootstrap.sh got %q\nwant %q", argv, want)
	}
	pid, _ := os.ReadFile(record + ".pid")
	if strings.TrimSpace(string(pid)) != strconv.Itoa(cmd.ProcessState.Pid()) {
		t.Fatalf("bootstrap.sh ran as pid %s, eksboot was %d: not an exec", pid, cmd.ProcessState.Pid())
	}
}
