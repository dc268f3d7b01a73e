package run

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/probes"
	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/loopvpc"
	"github.com/eksboot/eksboot/test/netns"
)

func TestMain(m *testing.M) { netns.RunIsolated(m) }

const apiHost = loopvpc.APIHost

type vpc struct {
	*loopvpc.VPC
	dir string
}

func newVPC(t *testing.T, serviceIP string) *vpc {
	return &vpc{loopvpc.NewVPC(t, serviceIP), t.TempDir()}
}

func (v *vpc) flags(extra ...string) inputs.Values {
	f := inputs.Values{
		inputs.FlagClusterName:  {"prod"},
		inputs.FlagEndpoint:     {"https://" + apiHost},
		inputs.FlagCA:           {v.CAData()},
		inputs.FlagTarget:       {"al2"},
		inputs.FlagIMDSEndpoint: {v.IMDS},
		inputs.FlagArgsFile:     {filepath.Join(v.dir, "bootstrap.args")},
		inputs.FlagTimeout:      {"500ms"},
		inputs.FlagConfig:       {filepath.Join(v.dir, "none.yaml")},
	}
	os.WriteFile(filepath.Join(v.dir, "none.yaml"), nil, 0o644)
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i]] = []string{extra[i+1]}
	}
	return f
}

func (v *vpc) run(t *testing.T, write bool, extra ...string) (*Outcome, error) {
	t.Helper()
	var stdout bytes.Buffer
	o, err := optionsOrError(t, v.flags(extra...), inputs.ThisHost(), write, &stdout)
	if err != nil {
		return nil, err
	}
	return Run(context.Background(), o)
}

// options are a run's options from flags alone, gathered and parsed as
// main does.
func options(t *testing.T, flags inputs.Values, host inputs.Host, write bool, stdout *bytes.Buffer) Options {
	t.Helper()
	o, err := optionsOrError(t, flags, host, write, stdout)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// optionsOrError is options with the settings' input error returned, as
// main returns it before any run.
func optionsOrError(t *testing.T, flags inputs.Values, host inputs.Host, write bool, stdout *bytes.Buffer) (Options, error) {
	t.Helper()
	vals, origins, md, err := inputs.Gather(context.Background(), flags, func(string) string { return "" }, true)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := inputs.ParseSettings(vals, probes.KnownName)
	if err != nil {
		return Options{}, origins.Attribute(err)
	}
	return Options{Values: vals, Origins: origins, Settings: settings, IMDS: md, Host: host, Write: write, Stdout: stdout}, nil
}

func TestHealthyRunTakesTheDNSIPFromTheCertificate(t *testing.T) {
	v := newVPC(t, "172.20.0.1")
	out, err := v.run(t, true)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Verdict.Passed || out.Verdict.Counts.Fail != 0 || out.Verdict.Counts.Warn != 0 {
		for _, r := range out.Results {
			t.Log(r.Status, r.Kind, r.Endpoint, r.Code, r.Msg)
		}
		t.Fatalf("verdict %+v", out.Verdict)
	}
	if out.Server != loopvpc.APIVersion || out.Results[0].Kind != report.KindIMDS {
		t.Fatalf("server %q, first result %+v", out.Server, out.Results[0])
	}
	args, err := os.ReadFile(filepath.Join(v.dir, "bootstrap.args"))
	if err != nil || !strings.Contains(string(args), "--dns-cluster-ip 172.20.0.10") {
		t.Fatalf("args %q %v", args, err)
	}
	if out.ArgsFile == "" || out.Config.Network.Source != inputs.DNSFromCertificate {
		t.Fatalf("%+v", out.Config.Network)
	}
}

func TestBrokenEndpointFailsButStillWrites(t *testing.T) {
	v := newVPC(t, "10.100.0.1")
	v.Zone.Set("sts.eu-west-1.amazonaws.com", netns.BlackholeAddr)
	out, err := v.run(t, true, inputs.FlagServiceCIDR, "10.100.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict.Passed || strings.Join(out.Verdict.Failed, ",") != "sts" {
		t.Fatalf("verdict %+v", out.Verdict)
	}
	var timeout *report.Result
	for i, r := range out.Results {
		if r.Code == report.TCPTimeout {
			timeout = &out.Results[i]
		}
	}
	if timeout == nil || !strings.Contains(timeout.Hint, "com.amazonaws.eu-west-1.sts") || !strings.Contains(timeout.Hint, "127.0.1.0/24") || !strings.Contains(timeout.Hint, "sg-0123456789abcdef0") {
		t.Fatalf("the timeout's hint must name the endpoint service, subnet and security group: %+v", timeout)
	}
	if _, err := os.Stat(filepath.Join(v.dir, "bootstrap.args")); err != nil {
		t.Fatal("run writes the arguments whenever the inputs are valid")
	}
	// --optional sts demotes it; --fail-on never passes anything.
	if out, _ := v.run(t, false, inputs.FlagServiceCIDR, "10.100.0.0/16", inputs.FlagOptional, "sts"); !out.Verdict.Passed {
		t.Fatalf("optional: %+v", out.Verdict)
	}
	if out, _ := v.run(t, false, inputs.FlagServiceCIDR, "10.100.0.0/16", inputs.FlagFailOn, "never"); !out.Verdict.Passed {
		t.Fatalf("never: %+v", out.Verdict)
	}
}

func TestServiceCIDRContradictingTheCertificate(t *testing.T) {
	v := newVPC(t, "10.100.0.1")
	out, err := v.run(t, false, inputs.FlagServiceCIDR, "172.20.0.0/16", inputs.FlagTarget, "windows")
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict.Passed || !containsCode(out.Verdict.Codes, report.ServiceCIDRMismatch) {
		t.Fatalf("%+v", out.Verdict)
	}
}

func TestBadSettingsExit2WritingNothing(t *testing.T) {
	v := newVPC(t, "10.100.0.1")
	for flag, value := range map[string]string{
		inputs.FlagTimeout:    "soon",
		inputs.FlagWait:       "-1s",
		inputs.FlagFailOn:     "sometimes",
		inputs.FlagResolver:   "dns.example",
		inputs.FlagECRAccount: "12345",
		inputs.FlagRequire:    "ecr",
		inputs.FlagExec:       "maybe",
	} {
		_, err := v.run(t, true, flag, value)
		var ie *inputs.InputError
		if !errors.As(err, &ie) || ie.Flag != flag {
			t.Errorf("--%s %s: %v", flag, value, err)
		}
		if _, err := os.Stat(filepath.Join(v.dir, "bootstrap.args")); err == nil {
			t.Fatalf("--%s %s: wrote the arguments", flag, value)
		}
	}
	_, err := v.run(t, true, inputs.FlagRequire, "ssm", inputs.FlagOptional, "ssm")
	var ie *inputs.InputError
	if !errors.As(err, &ie) || ie.Flag != inputs.FlagRequire || !strings.Contains(ie.Problem, "both --require and --optional") {
		t.Fatalf("ssm both required and optional: %v", err)
	}
	_, err = v.run(t, true, inputs.FlagTarget, "bottlerocket", inputs.FlagExec, "true")
	if !errors.As(err, &ie) || ie.Flag != inputs.FlagExec {
		t.Fatalf("bottlerocket --exec: %v", err)
	}
}

func containsCode(codes []report.Code, c report.Code) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

// TestSlowIMDSStaysInsideTheDeadline: an IMDS that takes seconds to answer
// costs the run no more than its one deadline (a bound, not a speed
// target: each IMDS read and probe is cut by it).
func TestSlowIMDSStaysInsideTheDeadline(t *testing.T) {
	v := newVPC(t, "10.100.0.1")
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	start := time.Now()
	out, err := v.run(t, false, inputs.FlagIMDSEndpoint, slow.URL, inputs.FlagTimeout, "300ms",
		inputs.FlagResolver, "127.0.0.2", inputs.FlagServiceCIDR, "10.100.0.0/16", inputs.FlagRegion, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 900*time.Millisecond {
		t.Fatalf("a slow IMDS stretched --timeout 300ms to %s", took)
	}
	if out.Results[0].Code != report.IMDSUnreachable || out.Verdict.Passed {
		t.Fatalf("%+v", out.Results[0])
	}
}

// TestInterruptedRoundIsNotAFailure: probes cut short by a signal report
// skip/interrupted, not the timeouts they were cut into.
func TestInterruptedRoundIsNotAFailure(t *testing.T) {
	v := newVPC(t, "10.100.0.1")
	v.Zone.Set("sts.eu-west-1.amazonaws.com", netns.BlackholeAddr)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	var stdout bytes.Buffer
	out, err := Run(ctx, options(t, v.flags(inputs.FlagTimeout, "2s", inputs.FlagServiceCIDR, "10.100.0.0/16"), inputs.ThisHost(), false, &stdout))
	if err != nil {
		t.Fatal(err)
	}
	if !out.Interrupted || out.Verdict.Passed {
		t.Fatalf("%+v", out.Verdict)
	}
	for _, r := range out.Results {
		if r.Endpoint == "sts" && r.Kind == report.KindTCP && (r.Status != report.Skip || r.Code != report.Interrupted) {
			t.Fatalf("%+v", r)
		}
	}
}

// TestOldAL2023AMIIgnoresTheDropIn: on an AMI whose nodeadm-run.service
// reads only user data, writing the drop-in is not enough; the run says so.
func TestOldAL2023AMIIgnoresTheDropIn(t *testing.T) {
	if err := os.MkdirAll("/etc/eks", 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "tmpfs", "/etc/eks").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "/etc/eks").Run() })
	v := newVPC(t, "10.100.0.1")
	host := inputs.ThisHost()
	host.ReadFile = func(p string) ([]byte, error) {
		if p == "/etc/systemd/system/nodeadm-run.service" {
			return []byte("[Service]\nExecStart=/usr/bin/nodeadm init --skip config --config-source imds://user-data\n"), nil
		}
		return nil, os.ErrNotExist
	}
	var stdout bytes.Buffer
	flags := v.flags(inputs.FlagTarget, "al2023", inputs.FlagServiceCIDR, "10.100.0.0/16", inputs.FlagArgsFile, "/etc/eks/nodeadm.d/eksboot.yaml")
	out, err := Run(context.Background(), options(t, flags, host, true, &stdout))
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict.Passed || !slices.Contains(out.Verdict.Codes, report.NodeadmDropInIgnored) {
		t.Fatalf("%+v", out.Verdict)
	}
}

// TestOptionalIMDS: on a node run with IMDS turned off on purpose, every
// input given, --optional imds turns its failure into a warning.
func TestOptionalIMDS(t *testing.T) {
	v := newVPC(t, "10.100.0.1")
	fails := map[string]int{}
	for _, optional := range []string{"", report.KindIMDS} {
		out, err := v.run(t, false, inputs.FlagIMDSEndpoint, "http://127.0.0.1:1", inputs.FlagOptional, optional,
			inputs.FlagResolver, "127.0.0.2", inputs.FlagServiceCIDR, "10.100.0.0/16", inputs.FlagRegion, "eu-west-1")
		if err != nil {
			t.Fatal(err)
		}
		imds := out.Results[0]
		want := map[string]report.Status{"": report.Fail, report.KindIMDS: report.Warn}[optional]
		if imds.Code != report.IMDSUnreachable || imds.Status != want {
			t.Fatalf("--optional %q: imds %s %s", optional, imds.Status, imds.Code)
		}
		fails[optional] = out.Verdict.Counts.Fail
	}
	if fails[report.KindIMDS] != fails[""]-1 {
		t.Fatalf("failures without and with --optional imds: %v", fails)
	}
}

// TestCredentialsThatCannotWork: credentials IMDS says cannot work, or
// whose Expiration has passed, are credentials_invalid with their cause:
// not an unmapped role (the 401 their token would get) nor a missing one.
func TestCredentialsThatCannotWork(t *testing.T) {
	for _, tc := range []struct{ name, code, expiration, want string }{
		{"trust policy", "AssumeRoleUnauthorizedAccess", "", "AssumeRoleUnauthorizedAccess"},
		{"expired", "", "2020-01-02T03:04:05Z", "expired at 2020-01-02T03:04:05Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst := imdsmock.Default()
			inst.CredentialsCode, inst.CredentialsExpiration = tc.code, tc.expiration
			v := &vpc{loopvpc.NewVPCWith(t, "10.100.0.1", inst), t.TempDir()}
			out, err := v.run(t, false, inputs.FlagServiceCIDR, "10.100.0.0/16")
			if err != nil {
				t.Fatal(err)
			}
			var auth *report.Result
			for i, r := range out.Results {
				if r.Kind == report.KindAuth {
					auth = &out.Results[i]
				}
			}
			if auth == nil || auth.Status != report.Fail || auth.Code != report.CredentialsInvalid ||
				!strings.Contains(auth.Msg, tc.want) || !strings.Contains(auth.Hint, "trust policy") || !strings.Contains(auth.Hint, "clock") {
				t.Fatalf("auth: %+v", auth)
			}
		})
	}
}
