// Package imdsmock runs AWS's amazon-ec2-metadata-mock on a loopback port
// for tests, with the instance values a test chooses.
package imdsmock

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary is the mock's command name; make tools installs it.
const Binary = "ec2-metadata-mock"

// Env runs the mock's HTTP handlers one at a time. Its static handler
// keeps the answer it is writing in a package variable (pkg/mock/static
// `response`, v1.13.0), so two requests in parallel can each get the
// other's answer: concurrent IMDS reads, as eksboot makes, then see the
// credentials path answer iam/info's JSON. On one thread, with no
// asynchronous preemption, a handler runs from choosing its answer to
// writing it without another in between.
var Env = []string{"GOMAXPROCS=1", "GODEBUG=asyncpreemptoff=1"}

// Instance is what the mock says about the instance.
type Instance struct {
	Region, AZ, AccountID, InstanceID, InstanceType, PrivateIP string
	MAC                                                        string
	VPCCIDRs                                                   []string
	SubnetCIDR                                                 string
	SecurityGroups                                             []string
	Domain                                                     string
	UserData                                                   []byte
	LocalHostname                                              string
	AMIID, AZID, VPCID, SubnetID                               string
	// The instance profile and its role; RoleName "" means no profile.
	InstanceProfileARN, RoleName string
	Credentials                  Credentials
	// CredentialsCode and CredentialsExpiration are what IMDS says of the
	// credentials: "" means Success, and an Expiration far ahead. A Code
	// other than Success comes without keys, as IMDS answers it.
	CredentialsCode, CredentialsExpiration string
}

// Credentials are what IMDS hands out for the role. Test values only; tests
// grep every output for them.
type Credentials struct{ AccessKeyID, SecretAccessKey, Token string }

// TestCredentials are the role credentials of Default.
var TestCredentials = Credentials{
	AccessKeyID:     "ASIAEKSBOOTTESTKEYID1",
	SecretAccessKey: "eksbootTestSecretKey/DoNotPrint0000000000",
	Token:           "IQoJeksbootTestSessionToken//DoNotPrint+00000000000000000000000000==",
}

// Default is a plausible instance in a 10.0.0.0/16 VPC.
func Default() Instance {
	return Instance{
		Region: "eu-west-1", AZ: "eu-west-1a", AccountID: "111122223333",
		InstanceID: "i-0123456789abcdef0", InstanceType: "m5.large", PrivateIP: "10.0.1.10",
		MAC: "0e:11:22:33:44:55", VPCCIDRs: []string{"10.0.0.0/16"}, SubnetCIDR: "10.0.1.0/24",
		SecurityGroups: []string{"sg-0123456789abcdef0"}, Domain: "amazonaws.com",
		LocalHostname: "ip-10-0-1-10.eu-west-1.compute.internal",
		AMIID:         "ami-0eksboot0test0001", AZID: "euw1-az1", VPCID: "vpc-0eksboot0test001", SubnetID: "subnet-0eksboot0test01",
		InstanceProfileARN: "arn:aws:iam::111122223333:instance-profile/nodes/eksboot-node",
		RoleName:           "eksboot-node", Credentials: TestCredentials,
	}
}

// Path finds the mock binary on PATH or in the Go bin directory.
func Path() (string, error) {
	if p, err := exec.LookPath(Binary); err == nil {
		return p, nil
	}
	for _, dir := range []string{os.Getenv("GOBIN"), filepath.Join(os.Getenv("GOPATH"), "bin"), filepath.Join(os.Getenv("HOME"), "go", "bin")} {
		if p := filepath.Join(dir, Binary); dir != "" && fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not installed: run make tools (go install github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v1.13.0)", Binary)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Start runs the mock for inst until the test ends and returns its base URL.
func Start(t testing.TB, inst Instance) string {
	t.Helper()
	bin, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	data := Config(inst)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "aemm-config.json")
	if err := os.WriteFile(cfgFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(bin, "-c", cfgFile, "-n", "127.0.0.1", "-p", port, "--imdsv2")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "HOME="+dir), Env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	endpoint := "http://127.0.0.1:" + port
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(endpoint + "/latest/meta-data/")
		if err == nil {
			resp.Body.Close()
			return endpoint
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer on %s", Binary, endpoint)
	return ""
}

// Config is the mock's configuration file (-c) for inst.
func Config(inst Instance) []byte {
	values := map[string]any{
		"mac":                            inst.MAC,
		"local-ipv4":                     inst.PrivateIP,
		"local-hostname":                 inst.LocalHostname,
		"mac-vpc-ipv4-cidr-blocks":       strings.Join(inst.VPCCIDRs, "\n"),
		"mac-vpc-ipv4-cidr-block":        first(inst.VPCCIDRs),
		"mac-subnet-ipv4-cidr-block":     inst.SubnetCIDR,
		"mac-security-group-ids":         strings.Join(inst.SecurityGroups, "\n"),
		"services-domain":                inst.Domain,
		"placement-region":               inst.Region,
		"placement-availability-zone":    inst.AZ,
		"ami-id":                         inst.AMIID,
		"placement-availability-zone-id": inst.AZID,
		"mac-vpc-id":                     inst.VPCID,
		"mac-subnet-id":                  inst.SubnetID,
		"instance-id":                    inst.InstanceID,
		"instance-type":                  inst.InstanceType,
	}
	paths := map[string]any{}
	if inst.RoleName != "" {
		values["iam-info"] = map[string]string{"Code": "Success", "LastUpdated": "2026-11-29T00:00:00Z",
			"InstanceProfileArn": inst.InstanceProfileARN, "InstanceProfileId": "AIPAEKSBOOTTESTPROFILE"}
		values["iam-security-credentials-role"] = inst.RoleName
		code, expiration := cmp.Or(inst.CredentialsCode, "Success"), cmp.Or(inst.CredentialsExpiration, "2099-01-01T00:00:00Z")
		creds := map[string]string{"Code": code, "LastUpdated": "2026-11-29T00:00:00Z", "Type": "AWS-HMAC",
			"AccessKeyId": inst.Credentials.AccessKeyID, "SecretAccessKey": inst.Credentials.SecretAccessKey,
			"Token": inst.Credentials.Token, "Expiration": expiration}
		if code != "Success" {
			creds = map[string]string{"Code": code, "LastUpdated": "2026-11-29T00:00:00Z"}
		}
		values["iam-security-credentials"] = creds
		paths["iam-security-credentials"] = "/latest/meta-data/iam/security-credentials/" + inst.RoleName
	} else { // no instance profile: the mock's iam/ paths move where nobody asks
		for _, k := range []string{"iam-info", "iam-security-credentials-role", "iam-security-credentials"} {
			paths[k] = "/latest/meta-data/eksboot-test-no-profile/" + k
		}
	}
	data, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"paths": paths, "values": values},
		"dynamic": map[string]any{"values": map[string]any{"instance-identity-document": map[string]any{
			"region": inst.Region, "availabilityZone": inst.AZ, "accountId": inst.AccountID,
			"instanceId": inst.InstanceID, "instanceType": inst.InstanceType, "privateIp": inst.PrivateIP, "imageId": inst.AMIID,
		}}},
		"userdata": map[string]any{"values": map[string]any{"userdata": base64.StdEncoding.EncodeToString(inst.UserData)}},
	})
	return data
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
