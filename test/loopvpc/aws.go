package loopvpc

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/test/awssim"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/testpki"
)

// awsCA signs the AWS endpoints' certificates of every loopback VPC of the
// process. The node trusts it as it trusts AWS's, through the system
// store: SSL_CERT_FILE, set before the first TLS to AWS loads that store
// (Go reads it once per process), so one CA serves every test.
var awsCA = sync.OnceValues(func() (*testpki.CA, error) {
	ca, err := testpki.NewCA("aws (loopvpc)")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "loopvpc-aws-ca")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(file, ca.PEM(), 0o644); err != nil {
		return nil, err
	}
	os.Setenv("SSL_CERT_FILE", file)
	return ca, nil
})

// AWS is the simulated account inst belongs to, with the node role of
// EKS's guide; a test may change its policies.
func AWS(inst imdsmock.Instance) *awssim.AWS {
	c := inst.Credentials
	return &awssim.AWS{Region: inst.Region, Account: inst.AccountID, Role: inst.RoleName, Session: inst.InstanceID,
		Creds:   aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.Token},
		Managed: awssim.NodePolicies, Endpoints: map[string]*awssim.Policy{}, PrivateDNSName: inst.LocalHostname}
}

// serveAWS serves sim's APIs on addr:443 until the test ends.
func serveAWS(t testing.TB, addr string, sim *awssim.AWS) {
	t.Helper()
	ca, err := awsCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf(sim.Hosts(), addr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "443"))
	if err != nil {
		t.Fatal(err)
	}
	// The TCP checks connect and hang up: no log of those handshakes.
	srv := &http.Server{Handler: sim, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}}))
	t.Cleanup(func() { srv.Close() })
}
