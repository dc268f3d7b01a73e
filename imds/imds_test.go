package imds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/test/imdsmock"
)

// These tests run AWS's amazon-ec2-metadata-mock in IMDSv2-only mode.

func TestFactsFromIMDSMock(t *testing.T) {
	inst := imdsmock.Default()
	inst.VPCCIDRs = []string{"10.0.0.0/16", "100.64.0.0/16"}
	inst.SecurityGroups = []string{"sg-1", "sg-2"}
	md := New(imdsmock.Start(t, inst))
	f, err := md.Facts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := Facts{
		Region: "eu-west-1", AvailabilityZone: "eu-west-1a", AccountID: "111122223333",
		InstanceID: "i-0123456789abcdef0", InstanceType: "m5.large", MAC: "0e:11:22:33:44:55",
		LocalIPv4: netip.MustParseAddr("10.0.1.10"),
		VPCCIDRs:  parsePrefixes("10.0.0.0/16 100.64.0.0/16"), VPCIPv6CIDRs: f.VPCIPv6CIDRs,
		SubnetCIDR: netip.MustParsePrefix("10.0.1.0/24"), SecurityGroupIDs: []string{"sg-1", "sg-2"},
		Domain: "amazonaws.com", LocalHostname: "ip-10-0-1-10.eu-west-1.compute.internal",
		AMIID: "ami-0eksboot0test0001", AvailabilityZoneID: "euw1-az1", VPCID: "vpc-0eksboot0test001", SubnetID: "subnet-0eksboot0test01",
		Identity: Identity{InstanceProfileARN: "arn:aws:iam::111122223333:instance-profile/nodes/eksboot-node", RoleName: "eksboot-node",
			Credentials: &Credentials{AccessKeyID: inst.Credentials.AccessKeyID, SecretAccessKey: inst.Credentials.SecretAccessKey, SessionToken: inst.Credentials.Token}},
	}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("got  %+v\nwant %+v", f, want)
	}
}

// TestNoInstanceProfile: IMDS without iam/ is the identity check's finding,
// not an IMDS failure.
func TestNoInstanceProfile(t *testing.T) {
	inst := imdsmock.Default()
	inst.RoleName = ""
	f, err := New(imdsmock.Start(t, inst)).Facts(context.Background())
	if err != nil || f.Identity.Credentials != nil || !errors.Is(f.Identity.Err, ErrNoInstanceProfile) {
		t.Fatalf("%+v %v", f.Identity, err)
	}
}

// TestCredentialsNeverPrint: every way of formatting facts hides the keys.
func TestCredentialsNeverPrint(t *testing.T) {
	c := &Credentials{AccessKeyID: "AKID", SecretAccessKey: "s3cr3t", SessionToken: "t0k3n"}
	f := Facts{Identity: Identity{Credentials: c}}
	for _, s := range []string{fmt.Sprint(f), fmt.Sprintf("%v %+v %#v %s", f, f, f, c), fmt.Sprintf("%#v", *c)} {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "t0k3n") {
			t.Fatalf("printed: %s", s)
		}
	}
}

func TestIMDSAbsentIsQuick(t *testing.T) {
	md := New("http://127.0.0.1:1") // nothing listens on port 1
	start := time.Now()
	if _, err := md.Facts(context.Background()); err == nil {
		t.Fatal("facts from nowhere")
	}
	if elapsed := time.Since(start); elapsed > 2*CallTimeout {
		t.Fatalf("an absent IMDS took %v", elapsed) // a bound, not a speed target: each call is capped
	}
}

// hugeIMDS speaks IMDSv2 and answers every GET with size bytes.
func hugeIMDS(t *testing.T, size int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			w.Write([]byte("token"))
			return
		}
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for sent := 0; sent < size && r.Context().Err() == nil; sent += len(chunk) {
			w.Write(chunk)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestIMDSAnswersAreCapped: a 64 MiB identity document or user data is
// refused at the cap, where the HTTP body is read (the SDK would read it
// whole), not after.
func TestIMDSAnswersAreCapped(t *testing.T) {
	md := New(hugeIMDS(t, 64<<20))
	if _, err := md.Facts(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("facts: %v", err)
	}
	if _, err := md.UserData(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("user data: %v", err)
	}
	if _, err := New(hugeIMDS(t, 40<<10)).UserData(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 32 KiB") {
		t.Fatalf("40 KiB of user data: %v", err)
	}
}
