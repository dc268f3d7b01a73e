package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/probes"
	"github.com/eksboot/eksboot/test/stssim"
	"sigs.k8s.io/aws-iam-authenticator/pkg/token"
)

// TestTokenThroughTheRealVerifier: the token eksboot signs is one that
// aws-iam-authenticator's own verifier accepts, for the cluster it names
// only, with STS (simulated, on loopback) checking the signature.
func TestTokenThroughTheRealVerifier(t *testing.T) {
	dir := t.TempDir()
	if err := writeCA(dir, "ca"); err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: "ASIAVERIFIERTEST", SecretAccessKey: "verifier/test/secret", SessionToken: "verifier-session"}
	sts := &stssim.STS{Principals: []stssim.Principal{{Account: "111122223333", Role: "eksboot-node", Session: "i-0123456789abcdef0", Creds: creds}}}
	if err := serveControlPlaneSTS(dir, "eu-west-1", sts); err != nil {
		t.Fatal(err)
	}
	tok, err := probes.IdentityToken(context.Background(), creds, "prod", "eu-west-1", "amazonaws.com", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := token.NewVerifier("prod", "aws", "eu-west-1").Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if id.CanonicalARN != "arn:aws:iam::111122223333:role/eksboot-node" || id.SessionName != "i-0123456789abcdef0" || id.STSEndpoint != "sts.eu-west-1.amazonaws.com" {
		t.Fatalf("%+v", id)
	}
	if _, err := token.NewVerifier("another-cluster", "aws", "eu-west-1").Verify(tok); err == nil {
		t.Fatal("a token for prod verified for another cluster")
	}
	old, _ := probes.IdentityToken(context.Background(), creds, "prod", "eu-west-1", "amazonaws.com", time.Now().Add(-16*time.Minute))
	if _, err := token.NewVerifier("prod", "aws", "eu-west-1").Verify(old); err == nil {
		t.Fatal("a token signed 16 minutes ago verified")
	}
}
