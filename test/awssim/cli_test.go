package awssim

import (
	"crypto/tls"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/test/testpki"
)

// The simulation as AWS's own CLI sees it: a real client of each Query
// and JSON protocol signs, sends and parses, so the simulation is not a
// protocol only eksboot understands.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("no aws CLI installed")
	}
	ca, err := testpki.NewCA("awssim cli")
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(bundle, ca.PEM(), 0o644)
	sim := &AWS{Region: "us-west-2", Account: "111122223333", Role: "eksboot-node", Session: "i-0123456789abcdef0",
		Creds:   aws.Credentials{AccessKeyID: "ASIASIMCLITEST000000", SecretAccessKey: "cli-secret", SessionToken: "cli-session"},
		Managed: NodePolicies, Endpoints: map[string]*Policy{}, PrivateDNSName: "ip-10-0-1-10.us-west-2.compute.internal"}
	node := sim.Creds // what the CLI signs with, whatever the simulation later knows
	cli := func(service string, args ...string) (string, error) {
		cert, err := ca.Leaf([]string{"localhost"}, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(sim.Service(service))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.StartTLS()
		defer srv.Close()
		cmd := exec.Command("aws", append(args, "--region", "us-west-2", "--endpoint-url", srv.URL, "--output", "text")...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CA_BUNDLE=" + bundle,
			"AWS_ACCESS_KEY_ID=" + node.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + node.SecretAccessKey,
			"AWS_SESSION_TOKEN=" + node.SessionToken, "AWS_EC2_METADATA_DISABLED=true"}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, c := range []struct {
		service string
		args    []string
		want    string
	}{
		{"ec2", []string{"ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0", "--query", "Reservations[].Instances[].PrivateDnsName"}, "ip-10-0-1-10.us-west-2.compute.internal"},
		{"sts", []string{"sts", "get-caller-identity", "--query", "Arn"}, "arn:aws:sts::111122223333:assumed-role/eksboot-node/i-0123456789abcdef0"},
		{"ecr.api", []string{"ecr", "get-authorization-token", "--query", "length(authorizationData)"}, "1"},
	} {
		out, err := cli(c.service, c.args...)
		if err != nil || strings.TrimSpace(out) != c.want {
			t.Errorf("aws %s: %v\n%s", strings.Join(c.args[:2], " "), err, out)
		}
	}
	sim.SCP = &Policy{Allow: []Statement{{Actions: []string{"*"}}}, Deny: []Statement{{Actions: []string{"ecr:*"}}}}
	out, err := cli("ecr.api", "ecr", "get-authorization-token")
	if err == nil || !strings.Contains(out, "(AccessDeniedException)") || !strings.Contains(out, "with an explicit deny in a service control policy") {
		t.Errorf("aws ecr get-authorization-token under the SCP: %v\n%s", err, out)
	}
	sim.Creds.SecretAccessKey = "another-secret"
	if out, err := cli("sts", "sts", "get-caller-identity"); err == nil || !strings.Contains(out, "(SignatureDoesNotMatch)") {
		t.Errorf("aws sts get-caller-identity with a wrong secret: %v\n%s", err, out)
	}
}
