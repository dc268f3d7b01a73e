package inputs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/report"
)

func TestParseTargetAuto(t *testing.T) {
	found := func(string) (string, error) { return "/usr/bin/nodeadm", nil }
	for name, tc := range map[string]struct {
		h    Host
		want Target
	}{
		"windows": {Host{GOOS: "windows"}, TargetWindows},
		"al2023":  {Host{GOOS: "linux", LookPath: found, Exists: func(string) bool { return true }}, TargetAL2023},
		"al2":     {Host{GOOS: "linux", LookPath: noHost.LookPath, Exists: func(p string) bool { return p == AL2BootstrapScript }}, TargetAL2},
	} {
		if got, err := ParseTarget("auto", tc.h); err != nil || got != tc.want {
			t.Errorf("%s: got %s %v", name, got, err)
		}
	}
	_, err := ParseTarget("", noHost)
	wantInputError(t, err, FlagTarget, "pass --target al2, al2023, windows or bottlerocket")
	_, err = ParseTarget("ubuntu", noHost)
	wantInputError(t, err, FlagTarget, `"ubuntu" is not one of`)
	if got, _ := ParseTarget("AL2023", noHost); got != TargetAL2023 {
		t.Errorf("case-insensitive: %s", got)
	}
}

func TestResolveRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		target   Target
		change   Values
		flag     string
		fragment string
	}{
		"windows ipv6":            {TargetWindows, Values{FlagServiceCIDR: nil, FlagServiceIPv6CIDR: {"fd30::/108"}}, FlagIPFamily, "only ipv4"},
		"bottlerocket extra args": {TargetBottlerocket, Values{FlagKubeletExtraArgs: {"--max-pods=20"}}, FlagKubeletExtraArgs, "Bottlerocket has no kubelet command line"},
		"windows dns ip only":     {TargetWindows, Values{FlagServiceCIDR: nil, FlagDNSClusterIP: {"192.168.0.10"}}, FlagServiceCIDR, "is required for --target windows"},
		"no cidr, no imds":        {TargetAL2, Values{FlagServiceCIDR: nil}, FlagServiceCIDR, "VPC CIDRs to guess it from are unknown"},
		"nul in extra args":       {TargetAL2, Values{FlagKubeletExtraArgs: {"a\x00b"}}, FlagKubeletExtraArgs, "control character"},
		"bad label":               {TargetAL2, Values{FlagNodeLabels: {"a b=c"}}, FlagNodeLabels, "not a valid label key"},
		"bad region":              {TargetAL2, Values{FlagRegion: {"EU"}}, FlagRegion, "not an AWS region"},
	} {
		v := validValues(t)
		v[FlagTarget] = []string{string(tc.target)}
		for k, val := range tc.change {
			if val == nil {
				delete(v, k)
			} else {
				v[k] = val
			}
		}
		_, err := Resolve(v, noHost, noIMDS(), testNow, true)
		t.Run(name, func(t *testing.T) { wantInputError(t, err, tc.flag, tc.fragment) })
	}
}

// countingFacts counts how often IMDS is asked.
func countingFacts(f *imds.Facts, calls *int) *InstanceFacts {
	return &InstanceFacts{fetch: func() (*imds.Facts, error) { *calls++; return f, nil }}
}

func TestResolveAsksIMDSOnlyWhenNeeded(t *testing.T) {
	calls := 0
	facts := countingFacts(&imds.Facts{Region: "eu-central-1", VPCCIDRs: prefixes("10.0.0.0/16")}, &calls)
	v := validValues(t)
	v[FlagTarget] = []string{"al2"}
	c, err := Resolve(v, noHost, facts, testNow, true)
	if err != nil || calls != 0 {
		t.Fatalf("complete inputs asked IMDS %d times (%v)", calls, err)
	}
	if c.Region != "eu-west-1" {
		t.Fatalf("region derived from the endpoint: %q", c.Region)
	}
	delete(v, FlagServiceCIDR)
	c, err = Resolve(v, noHost, facts, testNow, true)
	if err != nil || calls != 1 {
		t.Fatalf("calls %d, %v", calls, err)
	}
	if c.Network.DNSIP.String() != "172.20.0.10" || c.Network.Source != DNSFromVPCGuess || len(c.Warnings) != 1 || c.Warnings[0].Code != report.DNSIPGuessed || !strings.Contains(c.Warnings[0].Message, "guessed") {
		t.Fatalf("VPC guess: %+v %v", c.Network, c.Warnings)
	}
	if c.Region != "eu-central-1" {
		t.Fatalf("region: IMDS, once fetched, comes before the endpoint: %q", c.Region)
	}
}

// TestPrecedence checks flag > env > file > IMDS > derived, one source
// removed at a time.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(file, []byte("region: ap-south-1\ncluster-name: from-file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := Values{FlagRegion: {"us-east-2"}, FlagConfig: {file}}
	envVars := map[string]string{"EKSBOOT_REGION": "us-west-2", "EKSBOOT_CLUSTER_NAME": "from-env"}
	getenv := func(k string) string { return envVars[k] }
	imdsFacts := &imds.Facts{Region: "sa-east-1", VPCCIDRs: prefixes("192.168.0.0/16")}

	resolve := func() *Config {
		t.Helper()
		v, _, _, err := Gather(context.Background(), flags, getenv, true)
		if err != nil {
			t.Fatal(err)
		}
		base := validValues(t)
		delete(base, FlagClusterName)
		base[FlagTarget] = []string{"al2"}
		base[FlagEndpoint] = []string{"https://k8s.internal.example"} // names no region, so each source's may differ
		facts := KnownFacts(imdsFacts)
		facts.Get() // as run does: the facts are in hand
		c, err := Resolve(Merge(v, base), noHost, facts, testNow, true)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	steps := []struct {
		drop func()
		want string
	}{
		{func() {}, "us-east-2"},
		{func() { delete(flags, FlagRegion) }, "us-west-2"},
		{func() { delete(envVars, "EKSBOOT_REGION") }, "ap-south-1"},
		{func() { os.WriteFile(file, []byte("cluster-name: from-file\n"), 0o644) }, "sa-east-1"},
		{func() { imdsFacts.Region = "" }, ""},
	}
	for _, s := range steps {
		s.drop()
		if got := resolve().Region; got != s.want {
			t.Fatalf("region: got %s, want %s", got, s.want)
		}
	}
	if got := resolve().ClusterName; got != "from-env" {
		t.Fatalf("cluster name: env beats file, got %s", got)
	}
	delete(envVars, "EKSBOOT_CLUSTER_NAME")
	if got := resolve().ClusterName; got != "from-file" {
		t.Fatalf("cluster name from file: %s", got)
	}
}

func TestGatherConfigPathFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte("cluster-name: x\n"), 0o644)
	v, _, _, err := Gather(context.Background(), Values{}, func(k string) string {
		if k == "EKSBOOT_CONFIG" {
			return file
		}
		return ""
	}, true)
	if err != nil || v.Get(FlagClusterName) != "x" {
		t.Fatalf("%v %v", v, err)
	}
	_, _, _, err = Gather(context.Background(), Values{FlagConfig: {UserDataSource}, FlagIMDSEndpoint: {"http://127.0.0.1:1"}}, func(string) string { return "" }, true)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != FlagConfig {
		t.Fatalf("imds://user-data without IMDS: %v", err)
	}
}

func TestDefaultArgsFiles(t *testing.T) {
	for target, want := range map[Target]string{
		TargetAL2:          "/etc/eksboot/bootstrap.args",
		TargetAL2023:       "/etc/eks/nodeadm.d/eksboot.yaml",
		TargetBottlerocket: "-",
	} {
		if got := PlatformOf(target).ArgsFile(); got != want {
			t.Errorf("%s: %s", target, got)
		}
	}
	// Off Windows there is no %ProgramData%: the line goes to stdout, not to a
	// directory called C:\ProgramData in the working directory.
	switch got := PlatformOf(TargetWindows).ArgsFile(); {
	case runtime.GOOS == "windows" && !strings.HasSuffix(got, filepath.Join("eksboot", "bootstrap-args.ps1")):
		t.Errorf("windows: %s", got)
	case runtime.GOOS != "windows" && got != StdoutPath:
		t.Errorf("windows, off Windows: %s", got)
	}
}

// TestResolveRegionPrecedence: given, then IMDS, then the endpoint host,
// for every command.
func TestResolveRegionPrecedence(t *testing.T) {
	imds := func(r string) func() string { return func() string { return r } }
	host := "abc.gr7.eu-west-1.eks.amazonaws.com"
	for _, tc := range []struct{ given, imds, want string }{{"eu-west-1", "sa-east-1", "eu-west-1"}, {"", "sa-east-1", "sa-east-1"}, {"", "", "eu-west-1"}} {
		if got, err := ResolveRegion(tc.given, imds(tc.imds), host); err != nil || got != tc.want {
			t.Errorf("%+v: %q %v", tc, got, err)
		}
	}
	if got, err := ResolveRegion("us-east-2", imds(""), "k8s.internal.example"); err != nil || got != "us-east-2" {
		t.Errorf("given, with an endpoint that names no region: %q %v", got, err)
	}
	// An EKS endpoint names its region: another given is a mistake.
	var ie *InputError
	if _, err := ResolveRegion("us-east-2", imds(""), host); !errors.As(err, &ie) || ie.Flag != FlagRegion || !strings.Contains(err.Error(), "is in eu-west-1") {
		t.Errorf("a region the endpoint contradicts: %v", err)
	}
	if _, err := ResolveRegion("moon-1", imds(""), host); err == nil {
		t.Error("moon-1 accepted")
	}
}

func TestGatherHonoursTheConfigFilesIMDSEndpoint(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(file, []byte("imds-endpoint: http://127.0.0.1:1338\n"), 0o644)
	_, _, md, err := Gather(context.Background(), Values{FlagConfig: {file}}, func(string) string { return "" }, true)
	if err != nil || md.Endpoint() != "http://127.0.0.1:1338" {
		t.Fatalf("the IMDS client asks %q (%v), not the config file's endpoint", md.Endpoint(), err)
	}
	_, _, md, err = Gather(context.Background(), Values{FlagConfig: {file}, FlagIMDSEndpoint: {"http://127.0.0.1:9"}}, func(string) string { return "" }, true)
	if err != nil || md.Endpoint() != "http://127.0.0.1:9" {
		t.Fatalf("the flag must win over the file: %q (%v)", md.Endpoint(), err)
	}
}

func TestGatherWithoutConfigReadsNoFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(file, []byte("{{ not yaml"), 0o644)
	getenv := func(k string) string {
		if k == "EKSBOOT_CONFIG" {
			return file
		}
		return ""
	}
	if _, _, _, err := Gather(context.Background(), Values{}, getenv, true); err == nil {
		t.Fatal("a broken config file must be an error where one is read")
	}
	if _, _, _, err := Gather(context.Background(), Values{FlagOutput: {"json"}}, getenv, false); err != nil {
		t.Fatalf("without a config file, a broken one must not matter: %v", err)
	}
}

// A flag's alias has its environment variable too (--service-cidr,
// EKSBOOT_SERVICE_CIDR), named as the origin of what it sets; the flag's
// own variable wins.
func TestGatherReadsAnAliasVariable(t *testing.T) {
	for env, want := range map[string]string{
		"EKSBOOT_SERVICE_CIDR":      "EKSBOOT_SERVICE_CIDR",
		"EKSBOOT_SERVICE_IPV4_CIDR": "EKSBOOT_SERVICE_IPV4_CIDR",
		"both":                      "EKSBOOT_SERVICE_IPV4_CIDR",
	} {
		vars := map[string]string{env: "10.100.0.0/16"}
		if env == "both" {
			vars = map[string]string{"EKSBOOT_SERVICE_CIDR": "10.0.0.0/8", "EKSBOOT_SERVICE_IPV4_CIDR": "10.100.0.0/16"}
		}
		v, origins, _, err := Gather(context.Background(), Values{}, func(k string) string { return vars[k] }, false)
		if err != nil || v.Get(FlagServiceCIDR) != "10.100.0.0/16" || origins[FlagServiceCIDR].Name != want {
			t.Errorf("%s: %q from %q, %v", env, v.Get(FlagServiceCIDR), origins[FlagServiceCIDR].Name, err)
		}
	}
}

// Errorf cuts the values it quotes, never its own words.
func TestErrorfCutsOnlyQuotedValues(t *testing.T) {
	long, why := strings.Repeat("x", 500), "has a scheme Go's HTTP client does not take: "+strings.Repeat("w", 150)
	err := Errorf(FlagHTTPSProxy, "%q %s; give %d%% more", long, why, 5)
	if got := err.Error(); strings.Contains(got, strings.Repeat("x", 101)) || !strings.Contains(got, why) || !strings.HasSuffix(got, "give 5% more") {
		t.Errorf("%q", got)
	}
	if got := Errorf(FlagRegion, "is empty").Error(); got != "--region: is empty" {
		t.Errorf("%q", got)
	}
}
