package nodeadm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awslabs/amazon-eks-ami/nodeadm/api/v1alpha1"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/netns"
	"github.com/eksboot/eksboot/test/testpki"
	"github.com/eksboot/eksboot/test/userdata"
	"sigs.k8s.io/yaml"
)

// The referee is nodeadm itself, built from the module proxy at the
// version go.mod pins, reading user data from AWS's IMDS mock as it does
// on a node. It is the newest nodeadm the proxy serves here (February
// 2024); nodeadm main has since learned to decode base64 and gzip, of the
// whole user data and of a NodeConfig part. For those documents the corpus
// states the bytes main decodes them to (userdata.Case.Decoded, from
// main's configprovider), and the referee reads those: everything after
// the decoding (MIME, which parts count, YAML, the merge) is nodeadm's
// own.
const nodeadmModule = "github.com/awslabs/amazon-eks-ami/nodeadm"

// Where TestMain left the two programs, for the tests in the namespace.
const (
	nodeadmBinEnv = "EKSBOOT_TEST_NODEADM"
	eksbootBinEnv = "EKSBOOT_TEST_EKSBOOT"
)

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "these tests need root: the referee is nodeadm init, which runs only as root (in a network namespace of its own)")
		os.Exit(1)
	}
	if netns.Outside() {
		if err := buildReferee(); err != nil {
			fmt.Fprintln(os.Stderr, "building the referee:", err)
			os.Exit(1)
		}
	}
	netns.RunIsolated(m)
}

// buildReferee builds nodeadm at the pinned version and eksboot, outside
// the namespace, where the module proxy answers.
func buildReferee() error {
	if os.Getenv(nodeadmBinEnv) != "" {
		return nil // a fuzz worker: its coordinator built them
	}
	version, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", nodeadmModule).Output()
	if err != nil {
		return fmt.Errorf("go list: %w", err)
	}
	dir := filepath.Join(os.TempDir(), "eksboot-referee-"+strings.TrimSpace(string(version)))
	install := exec.Command("go", "install", nodeadmModule+"/cmd/nodeadm@"+strings.TrimSpace(string(version)))
	install.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=")
	if out, err := install.CombinedOutput(); err != nil {
		return fmt.Errorf("go install nodeadm: %w: %s", err, out)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "eksboot"), "./cmd/eksboot")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build eksboot: %w: %s", err, out)
	}
	os.Setenv(nodeadmBinEnv, filepath.Join(dir, "nodeadm"))
	os.Setenv(eksbootBinEnv, filepath.Join(dir, "eksboot"))
	return nil
}

// cluster is what a NodeConfig says of the cluster; refused says why
// there is none.
type cluster struct {
	Name              string `json:"name"`
	APIServerEndpoint string `json:"apiServerEndpoint"`
	CA                []byte `json:"certificateAuthority"`
	CIDR              string `json:"cidr"`
	refused           string
}

func (c cluster) String() string {
	if c.refused != "" {
		return "refused (" + c.refused + ")"
	}
	return fmt.Sprintf("%s %s cidr %s, a %d-byte CA", c.Name, c.APIServerEndpoint, c.CIDR, len(c.CA))
}

func (c cluster) same(o cluster) bool {
	if c.refused != "" || o.refused != "" {
		return c.refused != "" && o.refused != ""
	}
	return c.Name == o.Name && c.APIServerEndpoint == o.APIServerEndpoint && bytes.Equal(c.CA, o.CA) && c.CIDR == o.CIDR
}

// nodeadmReads runs nodeadm on the user data alone (nodeadmLoads) and
// reads the cluster it found; none found is a refusal.
func nodeadmReads(t *testing.T, endpoint string) cluster {
	t.Helper()
	loaded, last := nodeadmLoads(t, endpoint, "--config-source", "imds://user-data")
	if loaded == nil {
		return cluster{refused: "nodeadm: " + last}
	}
	var c struct {
		Spec struct {
			Cluster cluster `json:"cluster"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(loaded, &c); err != nil {
		t.Fatalf("nodeadm's loaded configuration: %v", err)
	}
	return c.Spec.Cluster
}

// nodeadmLoads runs `nodeadm init --skip config,run` with args against the
// IMDS at endpoint: it logs the NodeConfig it loaded before it does anything
// else, and is stopped there. It returns that NodeConfig as logged, or nil
// and the last thing nodeadm said when it ended without loading one.
func nodeadmLoads(t *testing.T, endpoint string, args ...string) (json.RawMessage, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Getenv(nodeadmBinEnv), append([]string{"init", "--skip", "config,run"}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + endpoint}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var last string
	lines := bufio.NewScanner(stderr)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var entry struct {
			Msg    string          `json:"msg"`
			Error  string          `json:"error"`
			Config json.RawMessage `json:"config"`
		}
		if json.Unmarshal(lines.Bytes(), &entry) != nil {
			last = lines.Text()
			continue
		}
		if entry.Msg == "Loaded configuration" {
			return entry.Config, ""
		}
		last = strings.TrimSpace(entry.Msg + " " + entry.Error)
	}
	return nil, last
}

// eksbootReads runs `eksboot render --target al2023 --config
// imds://user-data` against the IMDS at endpoint and reads the NodeConfig
// it writes with nodeadm's own types; exit 2 is a refusal.
func eksbootReads(t *testing.T, endpoint string) cluster {
	t.Helper()
	cmd := exec.Command(os.Getenv(eksbootBinEnv), "render", "--target", "al2023", "--config", "imds://user-data", "--imds-endpoint", endpoint)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 {
		return cluster{refused: strings.TrimSpace(stderr.String())}
	}
	if err != nil {
		t.Fatalf("eksboot render: %v: %s", err, stderr.String())
	}
	var cfg v1alpha1.NodeConfig
	if err := yaml.UnmarshalStrict(out, &cfg); err != nil {
		t.Fatalf("eksboot's NodeConfig: %v", err)
	}
	c := cfg.Spec.Cluster
	return cluster{Name: c.Name, APIServerEndpoint: c.APIServerEndpoint, CA: c.CertificateAuthority, CIDR: c.CIDR}
}

// TestUserDataAgainstNodeadm: for every document of the corpus, eksboot
// and nodeadm find the same cluster, or both find none; and what they find
// is what the corpus says.
func TestUserDataAgainstNodeadm(t *testing.T) {
	for _, tc := range userdata.Corpus() {
		t.Run(tc.Name, func(t *testing.T) {
			inst := imdsmock.Default()
			inst.UserData = tc.Data
			endpoint := imdsmock.Start(t, inst)
			referee := endpoint
			if tc.Decoded != nil {
				inst.UserData = tc.Decoded
				referee = imdsmock.Start(t, inst)
			}
			theirs, ours := nodeadmReads(t, referee), eksbootReads(t, endpoint)
			if !theirs.same(ours) {
				t.Fatalf("nodeadm: %s\neksboot: %s", theirs, ours)
			}
			if want := (cluster{Name: tc.Cluster, APIServerEndpoint: userdata.Endpoint, CA: testpki.ClusterCAPEM, CIDR: userdata.CIDR}); tc.Cluster != "" && !theirs.same(want) {
				t.Fatalf("nodeadm finds %s; the corpus says %s", theirs, want)
			}
			if tc.Cluster == "" && (theirs.refused == "" || !strings.Contains(ours.refused, tc.Refuse)) {
				t.Fatalf("want both to refuse, eksboot saying %q; nodeadm: %s; eksboot: %s", tc.Refuse, theirs, ours)
			}
		})
	}
}

// TestRefusalsAgainstNodeadm: what nodeadm refuses in a NodeConfig, eksboot
// names (the field that fails nodeadm_refuses_config), and what it names
// nodeadm does refuse. The pinned nodeadm tolerates none of these either;
// nodeadm main also drops the whole user data for one such part
// (configprovider chain.go).
func TestRefusalsAgainstNodeadm(t *testing.T) {
	good := userdata.NodeConfig("prod")
	ca := userdata.CA
	for name, doc := range map[string]string{
		"name 123":                   userdata.NodeConfig("123"),
		"name yes":                   userdata.NodeConfig("yes"),
		"name 0x1F":                  userdata.NodeConfig("0x1F"),
		"name 1e3":                   userdata.NodeConfig("1e3"),
		"a CA with a space":          strings.Replace(good, ca, ca[:8]+" "+ca[8:], 1),
		"a CA split across lines":    strings.Replace(good, ca, ca[:8]+"\n      "+ca[8:], 1),
		"a leading empty document":   "---\n---\n" + good,
		"enableOutpost quoted":       strings.Replace(good, "    name: prod\n", "    name: prod\n    enableOutpost: \"true\"\n    id: x\n", 1),
		"kubelet flags not a list":   good + "  kubelet:\n    flags: --v=2\n",
		"one such part of two parts": string(userdata.Multipart(userdata.MIMEVersion, "B", "Content-Type: application/node.eks.aws\r\n\r\n"+good, "Content-Type: application/node.eks.aws\r\n\r\n"+userdata.NodeConfig("123"))),
	} {
		t.Run(name, func(t *testing.T) {
			inst := imdsmock.Default()
			inst.UserData = []byte(doc)
			if theirs := nodeadmReads(t, imdsmock.Start(t, inst)); theirs.refused == "" {
				t.Fatalf("nodeadm reads it: %s", theirs)
			}
			v, err := inputs.UserDataValues([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			refusals := inputs.NodeadmRefusals(v)
			if len(refusals) == 0 {
				t.Fatal("eksboot names no refusal")
			}
		})
	}
}
