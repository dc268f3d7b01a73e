package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eksboot/eksboot/test/testpki"
)

func testCA(*testing.T) string { return base64.StdEncoding.EncodeToString(testpki.ClusterCAPEM) }

type result struct {
	code           int
	stdout, stderr string
}

// eksboot runs the CLI in-process with env as its whole environment; no
// default config file is read unless env names one.
func eksboot(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	if _, ok := env["EKSBOOT_CONSOLE"]; !ok {
		env["EKSBOOT_CONSOLE"] = "none" // tests never write to this machine's console
	}
	if _, ok := env["EKSBOOT_CONFIG"]; !ok {
		env["EKSBOOT_CONFIG"] = filepath.Join(t.TempDir(), "none.yaml")
		os.WriteFile(env["EKSBOOT_CONFIG"], nil, 0o644)
	}
	var stdout, stderr bytes.Buffer
	code := Main(args, func(k string) string { return env[k] }, strings.NewReader(env["stdin"]), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func goodArgs(t *testing.T, target string) []string {
	return []string{"render", "--target", target, "--cluster-name", "prod",
		"--apiserver-endpoint", "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
		"--b64-cluster-ca", testCA(t), "--service-cidr", "10.100.0.0/16",
		"--imds-endpoint", "http://127.0.0.1:1"}
}

func TestRenderEveryTarget(t *testing.T) {
	for target, want := range map[string]string{
		"al2":          "prod --apiserver-endpoint https://ABC.gr7.eu-west-1.eks.amazonaws.com --b64-cluster-ca ",
		"al2023":       "kind: NodeConfig",
		"windows":      "-ServiceCIDR '10.100.0.0/16' -DNSClusterIP '10.100.0.10'",
		"bottlerocket": `cluster-dns-ip = "10.100.0.10"`,
	} {
		r := eksboot(t, map[string]string{}, goodArgs(t, target)...)
		if r.code != 0 || !strings.Contains(r.stdout, want) || r.stderr != "" {
			t.Errorf("%s: exit %d stdout %q stderr %q", target, r.code, r.stdout, r.stderr)
		}
	}
}

func TestRenderToFileIsTheSameBytes(t *testing.T) {
	printed := eksboot(t, map[string]string{}, goodArgs(t, "al2")...)
	file := filepath.Join(t.TempDir(), "etc", "eksboot", "bootstrap.args")
	written := eksboot(t, map[string]string{}, append(goodArgs(t, "al2"), "--args-file", file)...)
	got, err := os.ReadFile(file)
	if written.code != 0 || err != nil || string(got) != printed.stdout || written.stdout != "" {
		t.Fatalf("exit %d, err %v, file %q vs printed %q", written.code, err, got, printed.stdout)
	}
}

// TestBadInputExits2WritingNothing: every bad input gets one line naming
// its flag, exit 2, and no file.
func TestBadInputExits2WritingNothing(t *testing.T) {
	cases := map[string]struct {
		flag, value, wantFlag string
	}{
		"cluster name":     {"--cluster-name", "-bad", "--cluster-name"},
		"endpoint scheme":  {"--apiserver-endpoint", "http://abc.example", "--apiserver-endpoint"},
		"endpoint path":    {"--apiserver-endpoint", "https://abc.example/x", "--apiserver-endpoint"},
		"endpoint port":    {"--apiserver-endpoint", "https://abc.example:6443", "--apiserver-endpoint"},
		"ca base64":        {"--b64-cluster-ca", "%%%", "--b64-cluster-ca"},
		"ca not pem":       {"--b64-cluster-ca", "aGVsbG8=", "--b64-cluster-ca"},
		"cidr":             {"--service-cidr", "10.100.0.0", "--service-cidr"},
		"cidr by its name": {"--service-ipv4-cidr", "10.100.0.0", "--service-ipv4-cidr"},
		"imds endpoint":    {"--imds-endpoint", "ftp://user:pw@x/", "--imds-endpoint"},
		"dns outside cidr": {"--dns-cluster-ip", "172.20.0.10", "--dns-cluster-ip"},
		"ip family":        {"--ip-family", "ipv5", "--ip-family"},
		"v6 cidr in v4":    {"--service-ipv6-cidr", "10.0.0.0/16", "--service-ipv6-cidr"},
		"target":           {"--target", "centos", "--target"},
		"labels":           {"--node-labels", "a", "--node-labels"},
		"taints":           {"--register-with-taints", "a=b:Sometimes", "--register-with-taints"},
		"region":           {"--region", "moon-1", "--region"},
		"config missing":   {"--config", "/nonexistent/eksboot.yaml", "--config"},
	}
	for name, tc := range cases {
		dir := t.TempDir()
		file := filepath.Join(dir, "sub", "bootstrap.args")
		args := append(goodArgs(t, "al2"), tc.flag, tc.value, "--args-file", file)
		r := eksboot(t, map[string]string{}, args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "eksboot: "+tc.wantFlag+":") || r.stdout != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q", name, r.code, r.stderr, r.stdout)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: wrote %v", name, entries)
		}
	}
}

func TestMissingRequiredInputs(t *testing.T) {
	r := eksboot(t, map[string]string{}, "render", "--target", "al2")
	if r.code != 2 || r.stderr != "eksboot: --cluster-name: is required (the name shown by aws eks list-clusters)\n" {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"render", "--no-such-flag"}, {"render", "stray"}, {"frobnicate"}, {}} {
		r := eksboot(t, map[string]string{}, args...)
		if r.code != 2 {
			t.Errorf("%q: exit %d", args, r.code)
		}
	}
}

func TestHelp(t *testing.T) {
	top := eksboot(t, map[string]string{}, "--help")
	if top.code != 0 || !strings.Contains(top.stdout, "render") || !strings.Contains(top.stdout, "version") {
		t.Fatalf("top help: %d %q", top.code, top.stdout)
	}
	r := eksboot(t, map[string]string{}, "render", "--help")
	for _, want := range []string{"Example:", "--cluster-name", "EKSBOOT_CLUSTER_NAME", "--service-ipv4-cidr, --service-cidr", "--args-file", "e.g. --kubelet-extra-args"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("render --help lacks %q", want)
		}
	}
}

func TestVersion(t *testing.T) {
	r := eksboot(t, map[string]string{}, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "eksboot dev (commit none) go1.") {
		t.Fatalf("%d %q", r.code, r.stdout)
	}
}

func TestWriteFailureExits3(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	r := eksboot(t, map[string]string{}, append(goodArgs(t, "al2"), "--args-file", filepath.Join(blocker, "args"))...)
	if r.code != 3 || !strings.Contains(r.stderr, "writing ") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestEnvironmentAndConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("cluster-name: from-file\nservice-ipv4-cidr: 172.20.0.0/16\napiserver-endpoint: https://abc.example\n"), 0o644)
	env := map[string]string{"EKSBOOT_CONFIG": cfg, "EKSBOOT_CLUSTER_NAME": "from-env", "EKSBOOT_B64_CLUSTER_CA": testCA(t), "EKSBOOT_TARGET": "al2"}
	r := eksboot(t, env, "render", "--imds-endpoint", "http://127.0.0.1:1")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "from-env --apiserver-endpoint https://abc.example ") || !strings.Contains(r.stdout, "--dns-cluster-ip 172.20.0.10") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestRenderFromUserData is the AL2023 launch-template path: the NodeConfig
// in user data is the only place the cluster is stated.
// TestRenderGuessesFromIMDS: with no service CIDR, render asks IMDS for the
// VPC CIDRs and warns that it guessed as bootstrap.sh does.
// TestInputErrorsNameTheirSource: an exit-2 message names the input the way
// the user gave it (environment variable, config key and file, NodeConfig
// field in user data), quotes at most ~100 characters of the value, and
// nothing from user data or an IMDS URL's user info.
// TestExplainFleetFromADirectory: Run Command output synced from S3 (a
// stdout per node, stderr beside it) gives the fleet report; an input with
// no report is named; explain of nothing at all says so.
func TestExplainFleetFromADirectory(t *testing.T) {
	dir := t.TempDir()
	for i, subnet := range []string{"subnet-0b1", "subnet-0b1", "subnet-0a1"} {
		out := filepath.Join(dir, "cmd", fmt.Sprintf("i-%017d", i), "awsrunShellScript", "0.awsrunShellScript")
		os.MkdirAll(out, 0o755)
		status, code, failed := "pass", "", ""
		if subnet == "subnet-0b1" {
			status = "fail"
			code = `{"time":"2026-11-29T10:00:00Z","level":"ERROR","msg":"sts: TCP 443 timed out","v":1,"run":"r` + fmt.Sprint(i) + `","check":"tcp","endpoint":"sts","host":"sts.eu-west-1.amazonaws.com","status":"fail","code":"tcp_timeout","ms":1000,"hint":"sg"}` + "\n"
			failed = `"failed":["sts"],"codes":["tcp_timeout"],`
		}
		summary := fmt.Sprintf(`{"time":"2026-11-29T10:00:01Z","level":"INFO","msg":"summary","v":1,"run":"r%d","status":"%s","passed":%v,"pass":9,"warn":0,"fail":0,"skip":0,%s"instance_id":"i-%017d","az":"eu-west-1b","subnet_id":"%s","subnet_cidr":"10.0.32.0/24","eksboot_version":"0.1.0","ms":1000}`+"\n",
			i, status, status == "pass", failed, i, subnet)
		os.WriteFile(filepath.Join(out, "stdout"), []byte(code+summary), 0o644)
		os.WriteFile(filepath.Join(out, "stderr"), []byte("eksboot: warning: no console\n"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a report\n"), 0o644)
	r := eksboot(t, map[string]string{}, "explain", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "fleet: 3 nodes: 1 pass, 0 warn, 2 fail") ||
		!strings.Contains(r.stdout, "sts tcp_timeout on 2 of 2 nodes in subnet subnet-0b1") || !strings.Contains(r.stdout, "unreadable: "+filepath.Join(dir, "notes.txt")) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if none := eksboot(t, map[string]string{}, "explain", filepath.Join(dir, "notes.txt")); none.code != 2 {
		t.Fatalf("no report: %d %s", none.code, none.stderr)
	}
}

// TestExplainFleetNamesRunsWithoutAReport: a node where eksboot stopped on
// its inputs (exit 2: an empty stdout, the reason on stderr) or never
// started is a node that did not run, named with its stderr's word, and
// the fleet fails; it does not vanish from the count.
func TestExplainFleetNamesRunsWithoutAReport(t *testing.T) {
	dir := t.TempDir()
	node := func(i int) string {
		out := filepath.Join(dir, "cmd", fmt.Sprintf("i-%017d", i), "awsrunShellScript", "0.awsrunShellScript")
		os.MkdirAll(out, 0o755)
		return out
	}
	summary := `{"time":"2026-11-29T10:00:01Z","level":"INFO","msg":"summary","v":1,"run":"r0","status":"pass","passed":true,"pass":9,"warn":0,"fail":0,"skip":0,"instance_id":"i-00000000000000000","az":"eu-west-1a","subnet_id":"subnet-0a1","subnet_cidr":"10.0.16.0/24","eksboot_version":"0.1.0","ms":900}` + "\n"
	os.WriteFile(filepath.Join(node(0), "stdout"), []byte(summary), 0o644)
	os.WriteFile(filepath.Join(node(1), "stdout"), nil, 0o644)
	os.WriteFile(filepath.Join(node(1), "stderr"), []byte("eksboot: --config: imds://user-data: nodeadm will not find a NodeConfig in this user data\n"), 0o644)
	os.WriteFile(filepath.Join(node(2), "stderr"), []byte("/bin/sh: 1: eksboot: not found\n"), 0o644)
	r := eksboot(t, map[string]string{}, "explain", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "fleet: 1 nodes: 1 pass") || !strings.Contains(r.stdout, "2 stopped before eksboot's report") ||
		!strings.Contains(r.stdout, `not run: `+node(1)+`: no eksboot report; its stderr says "eksboot: --config: imds://user-data: nodeadm will not find a NodeConfig`) ||
		!strings.Contains(r.stdout, `its stderr says "/bin/sh: 1: eksboot: not found"`) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A value pasted whole into a flag is quoted cut, on one short line.
func TestInputErrorsQuoteValuesCut(t *testing.T) {
	long := strings.Repeat("é", 50_000)
	for _, flag := range []string{"--target", "--region", "--dns-cluster-ip", "--service-cidr", "--ecr-account"} {
		r := eksboot(t, map[string]string{}, append(goodArgs(t, "al2"), flag, long)...)
		if r.code != 2 || len(r.stderr) > 400 || strings.Count(r.stderr, "\n") != 1 || !utf8.ValidString(r.stderr) {
			t.Errorf("%s: exit %d, %d bytes: %.200q", flag, r.code, len(r.stderr), r.stderr)
		}
	}
}

// render --https-proxy whose --no-proxy leaves the API server's host to
// the proxy warns, naming the entry to add (probe calls it
// proxy_carries_api); a --no-proxy that covers it says nothing, nor does
// Bottlerocket, whose proxy.env adds the API server's host itself.
func TestRenderWarnsOfAProxyCarryingTheAPIServer(t *testing.T) {
	if r := eksboot(t, map[string]string{}, append(goodArgs(t, "bottlerocket"), "--https-proxy", "http://proxy.internal:3128")...); r.code != 0 || r.stderr != "" {
		t.Errorf("bottlerocket: exit %d, %q", r.code, r.stderr)
	}
	for _, target := range []string{"al2023"} {
		r := eksboot(t, map[string]string{}, append(goodArgs(t, target), "--https-proxy", "http://proxy.internal:3128")...)
		if r.code != 0 || !strings.Contains(r.stderr, "warning: --no-proxy does not cover the API server's host") || !strings.Contains(r.stderr, "add .eks.amazonaws.com") {
			t.Errorf("%s: exit %d, %q", target, r.code, r.stderr)
		}
		r = eksboot(t, map[string]string{}, append(goodArgs(t, target), "--https-proxy", "http://proxy.internal:3128", "--no-proxy", ".eks.amazonaws.com,169.254.169.254")...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%s, covered: exit %d, %q", target, r.code, r.stderr)
		}
	}
}

// A flag given by its name and by its alias: the last value wins, and an
// error names it as it was typed last.
func TestLastTypedNameIsNamed(t *testing.T) {
	args := []string{"render", "--target", "al2", "--cluster-name", "prod", "--apiserver-endpoint", "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
		"--b64-cluster-ca", testCA(t), "--imds-endpoint", "http://127.0.0.1:1", "--service-ipv4-cidr", "10.100.0.0/16", "--service-cidr", "10.200.0.0/33"}
	if r := eksboot(t, map[string]string{}, args...); r.code != 2 || !strings.HasPrefix(r.stderr, "eksboot: --service-cidr: ") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
}
