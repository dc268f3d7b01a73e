package imds

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/imdsmock"
)

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

func TestNoInstanceProfile(t *testing.T) {
	inst := imdsmock.Default()
	inst.RoleName = ""
	f, err := New(imdsmock.Start(t, inst)).Facts(context.Background())
	if err != nil || f.Identity.Credentials != nil || !errors.Is(f.Identity.Err, ErrNoInstanceProfile) {
		t.Fatalf("%+v %v", f.Identity, err)
	}
}

// TestCredentialsThatCannotWork: IMDS's own word that the credentials
// cannot work (a Code other than Success, an Expiration already past) is
// credentials_invalid with its cause, not "no usable credentials".
func TestCredentialsThatCannotWork(t *testing.T) {
	for _, tc := range []struct {
		name, code, expiration, want string
	}{
		{"trust policy", "AssumeRoleUnauthorizedAccess", "", `"AssumeRoleUnauthorizedAccess"`},
		{"expired", "", "2020-01-02T03:04:05Z", "expired at 2020-01-02T03:04:05Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst := imdsmock.Default()
			inst.CredentialsCode, inst.CredentialsExpiration = tc.code, tc.expiration
			f, err := New(imdsmock.Start(t, inst)).Facts(context.Background())
			id := f.Identity
			if err != nil || id.Credentials != nil || !errors.Is(id.Err, ErrCredentialsInvalid) || !strings.Contains(id.Err.Error(), tc.want) {
				t.Fatalf("%+v %v", id, err)
			}
			if id.RoleName != inst.RoleName || strings.Contains(id.Err.Error(), inst.Credentials.SecretAccessKey) {
				t.Fatalf("%+v", id)
			}
		})
	}
}
