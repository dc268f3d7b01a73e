package probes

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/awssim"
)

// The calls against the simulation's policy model: each case is one
// misconfiguration and the code and hint it must give.
func TestAWSCallsAgainstSimulation(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "ASIASIMNODEROLE00000", SecretAccessKey: "sim-node-secret", SessionToken: "sim-node-session"}
	only := func(actions ...string) *awssim.Policy {
		return &awssim.Policy{Allow: []awssim.Statement{{Actions: actions}}}
	}
	deny := func(actions ...string) *awssim.Policy {
		return &awssim.Policy{Allow: []awssim.Statement{{Actions: []string{"*"}}}, Deny: []awssim.Statement{{Actions: actions}}}
	}
	for _, c := range []struct {
		name     string
		accounts []string // --ecr-account
		setup    func(a *awssim.AWS)
		want     string // endpoint=code of the results that do not pass, in order
		hint     string // in the first such result's hint
	}{
		{"healthy", nil, func(*awssim.AWS) {}, "", ""},
		{"ecr-account registries", []string{"444455556666", "777788889999"}, func(a *awssim.AWS) { a.Registries = []string{"444455556666"} },
			"ecr.dkr=aws_error", "777788889999.dkr.ecr.us-west-2"},
		{"ec2-endpoint-policy-denies", nil, func(a *awssim.AWS) { a.Endpoints["ec2"] = only("ec2:DescribeSubnets") },
			"ec2=endpoint_policy_denied", "com.amazonaws.us-west-2.ec2"},
		{"role-without-worker-policy", nil, func(a *awssim.AWS) {
			a.Managed = []string{"AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"}
		}, "ec2=iam_denied", "AmazonEKSWorkerNodePolicy"},
		{"ecr-endpoint-policy-denies", nil, func(a *awssim.AWS) { a.Endpoints["ecr.api"] = deny("ecr:GetAuthorizationToken") },
			"ecr.api=endpoint_policy_denied ecr.dkr=skip", "com.amazonaws.us-west-2.ecr.api"},
		{"ecr-pull-denied", nil, func(a *awssim.AWS) { a.Repository = only("ecr:DescribeImages") },
			"ecr.dkr=image_pull_denied", "repository policy"},
		{"s3-gateway-without-layer-bucket", nil, func(a *awssim.AWS) {
			a.Endpoints["s3"] = &awssim.Policy{Allow: []awssim.Statement{{Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::customer-bucket/*"}}}}
		}, "s3=layer_bucket_denied", "arn:aws:s3:::prod-us-west-2-starport-layer-bucket/*"},
		{"scp-denies-ecr", nil, func(a *awssim.AWS) { a.SCP = deny("ecr:*") },
			"ecr.api=scp_denied ecr.dkr=skip", "service control policy"},
		{"expired-credentials", nil, func(a *awssim.AWS) { a.Expires = time.Now().Add(-time.Minute) },
			"ec2=credentials_invalid ecr.api=credentials_invalid ecr.dkr=skip sts=credentials_invalid", "clock"},
		{"sts-endpoint-policy-denies", nil, func(a *awssim.AWS) { a.Endpoints["sts"] = deny("sts:GetCallerIdentity") },
			"sts=endpoint_policy_denied", "com.amazonaws.us-west-2.sts"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sim := &awssim.AWS{Region: "us-west-2", Account: "111122223333", Role: "eksboot-node", Session: "i-0123456789abcdef0",
				Creds: creds, Managed: awssim.NodePolicies, Endpoints: map[string]*awssim.Policy{},
				PrivateDNSName: "ip-10-0-1-10.us-west-2.compute.internal"}
			c.setup(sim)
			srv := httptest.NewUnstartedServer(sim)
			cert, roots := awsCert(t)
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			defer srv.Close()
			addr := srv.Listener.Addr().String()
			var eps []Endpoint
			for _, n := range []string{"ec2", "ecr.api", "ecr.dkr", "s3", "sts"} {
				eps = append(eps, Endpoint{Name: n, Service: "com.amazonaws.us-west-2." + n})
			}
			p := Plan{Timeout: 5 * time.Second, Endpoints: eps, Facts: hints.NodeFacts{RoleARN: "arn:aws:iam::111122223333:role/eksboot-node"},
				AWS: &AWSPlan{Region: "us-west-2", InstanceID: sim.Session, ECRAccounts: c.accounts, Credentials: &creds, Roots: roots,
					Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
						return (&net.Dialer{}).DialContext(ctx, network, addr)
					}}}
			rs := runAWS(t, p)
			for _, r := range rs {
				for _, secret := range awssim.Secrets() {
					if strings.Contains(fmt.Sprintf("%+v", r), secret) {
						t.Errorf("a result shows %q: %+v", secret, r)
					}
				}
			}
			var got []string
			var first report.Result
			for _, r := range rs {
				if r.Status != report.Skip && r.Duration <= 0 { // every call asked took time
					t.Errorf("%s %s: no duration", r.Endpoint, r.Action)
				}
				if r.Status == report.Pass {
					continue
				}
				if first.Kind == "" {
					first = r
				}
				if r.Status == report.Skip {
					got = append(got, r.Endpoint+"=skip")
				} else {
					got = append(got, r.Endpoint+"="+string(r.Code))
				}
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), c.want)
				for _, r := range rs {
					t.Log(r.Status, r.Code, r.Msg)
				}
			}
			if c.hint != "" && !strings.Contains(first.Hint, c.hint) {
				t.Errorf("hint %q lacks %q (%s)", first.Hint, c.hint, first.Msg)
			}
		})
	}
}
