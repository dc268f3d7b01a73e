package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/imdsmock"
)

func TestRenderFromUserData(t *testing.T) {
	inst := imdsmock.Default()
	inst.UserData = []byte("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: application/node.eks.aws\r\n\r\n" +
		"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: from-user-data\n    apiServerEndpoint: https://abc.gr7.eu-west-1.eks.amazonaws.com\n    certificateAuthority: " + testCA(t) + "\n    cidr: 10.100.0.0/16\n" +
		"\r\n--B\r\nContent-Type: text/x-shellscript\r\n\r\n#!/bin/bash\neksboot run --config imds://user-data\r\n--B--\r\n")
	endpoint := imdsmock.Start(t, inst)
	r := eksboot(t, map[string]string{}, "render", "--target", "al2023", "--config", "imds://user-data", "--imds-endpoint", endpoint)
	if r.code != 0 || !strings.Contains(r.stdout, "name: from-user-data") || !strings.Contains(r.stdout, "- 10.100.0.10") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestRenderGuessesFromIMDS(t *testing.T) {
	endpoint := imdsmock.Start(t, imdsmock.Default())
	args := []string{"render", "--target", "al2", "--cluster-name", "prod", "--apiserver-endpoint", "https://abc.example", "--b64-cluster-ca", testCA(t), "--imds-endpoint", endpoint}
	r := eksboot(t, map[string]string{}, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "--dns-cluster-ip 172.20.0.10") || !strings.Contains(r.stderr, "warning: no service CIDR or DNS IP given") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestInputErrorsNameTheirSource(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("service-cidr: 10.100.0.0\n"), 0o644)
	base := []string{"render", "--target", "al2", "--cluster-name", "prod", "--apiserver-endpoint", "https://abc.example", "--b64-cluster-ca", testCA(t), "--imds-endpoint", "http://127.0.0.1:1"}
	one := func(r result) string {
		t.Helper()
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		return r.stderr
	}
	if got := one(eksboot(t, map[string]string{"EKSBOOT_CONFIG": cfg}, base...)); !strings.HasPrefix(got, "eksboot: service-cidr in "+cfg+": ") {
		t.Errorf("config key: %q", got)
	}
	if got := one(eksboot(t, map[string]string{"EKSBOOT_SERVICE_IPV4_CIDR": "nope"}, base...)); !strings.HasPrefix(got, "eksboot: EKSBOOT_SERVICE_IPV4_CIDR: ") {
		t.Errorf("environment: %q", got)
	}
	if got := one(eksboot(t, map[string]string{}, append(base, "--cluster-name", strings.Repeat("x-", 40000))...)); len(got) > 300 {
		t.Errorf("a %d-byte message", len(got))
	}
	if got := one(eksboot(t, map[string]string{}, "render", "--imds-endpoint", "http://admin:hunter2@[::1", "--target", "al2")); strings.Contains(got, "hunter2") || !strings.HasPrefix(got, "eksboot: --imds-endpoint: ") {
		t.Errorf("imds endpoint: %q", got)
	}
	inst := imdsmock.Default()
	inst.UserData = []byte("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: application/node.eks.aws\r\n\r\n" +
		"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: prod\n    apiServerEndpoint: https://abc.example\n    certificateAuthority: " + testCA(t) + "\n    cidr: SECRET-IN-USER-DATA\n\r\n--B--\r\n")
	got := one(eksboot(t, map[string]string{}, "render", "--target", "al2", "--config", "imds://user-data", "--imds-endpoint", imdsmock.Start(t, inst)))
	if !strings.HasPrefix(got, "eksboot: spec.cluster.cidr in imds://user-data: ") || strings.Contains(got, "SECRET") {
		t.Errorf("user data: %q", got)
	}
}
