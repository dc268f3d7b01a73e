package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/eksboot/eksboot/test/eksapi"
	"github.com/eksboot/eksboot/test/stssim"
	"sigs.k8s.io/aws-iam-authenticator/pkg/token"
)

// newAPIServer is the cluster of DIR/eks.json: the API server as EKS runs
// it today, verifying tokens with aws-iam-authenticator's own verifier.
// The verifier's STS call goes to the control plane's STS (stssim on
// loopback, out of reach of the VPC's security groups and DNS, as AWS's
// regional STS is for EKS), which checks the signature against the
// credentials IMDS handed the node.
func newAPIServer(dir string) (http.Handler, error) {
	data, err := os.ReadFile(filepath.Join(dir, "eks.json"))
	if err != nil {
		return nil, err
	}
	var c clusterConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	now := func() time.Time { return time.Now().Add(c.ClockOffset) }
	principals := c.Principals
	if ac, err := readAWSConfig(dir); err != nil {
		return nil, err
	} else if ac.Expired {
		principals = nil // STS no longer knows the expired session: InvalidClientTokenId
	}
	if err := serveControlPlaneSTS(dir, c.Region, &stssim.STS{Principals: principals, Now: now}); err != nil {
		return nil, err
	}
	verifier := token.NewVerifier(c.Name, "aws", c.Region)
	api := &eksapi.Server{
		Version:          c.Version,
		AnonymousVersion: c.AnonymousVersion,
		Access:           &c.Access,
		Verify: func(t string) (eksapi.CallerIdentity, error) {
			id, err := verifier.Verify(t)
			if err != nil {
				log.Printf("api: token refused: %v", err)
				return eksapi.CallerIdentity{}, err
			}
			return eksapi.CallerIdentity{ARN: id.ARN, CanonicalARN: id.CanonicalARN, Session: id.SessionName,
				AccountID: id.AccountID, UserID: id.UserID, AccessKeyID: id.AccessKeyID}, nil
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", now().UTC().Format(http.TimeFormat))
		api.ServeHTTP(w, r)
	}), nil
}

// serveControlPlaneSTS serves sts on a loopback port with a certificate for
// the region's STS host, and points the default HTTP transport (which the
// authenticator's verifier uses) at it for every host.
func serveControlPlaneSTS(dir, region string, sts *stssim.STS) error {
	host := "sts." + region + ".amazonaws.com"
	cert, err := leaf(dir, "ca", []string{host}, []string{"127.0.0.1"})
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	srv := httptest.NewUnstartedServer(sts)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	addr := srv.Listener.Addr().String()
	http.DefaultTransport = &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}
	return nil
}
