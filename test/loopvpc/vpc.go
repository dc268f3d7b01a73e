package loopvpc

import (
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/test/awssim"
	"github.com/eksboot/eksboot/test/eksapi"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/netns"
	"github.com/eksboot/eksboot/test/stssim"
)

// APIHost is the cluster endpoint host of the loopback VPC.
const APIHost = "abc.gr7.eu-west-1.eks.amazonaws.com"

// EndpointAddrs are where the loopback VPC's endpoints answer.
var EndpointAddrs = map[string]string{
	APIHost:                                        "127.0.1.1",
	"ec2.eu-west-1.amazonaws.com":                  "127.0.1.2",
	"api.ecr.eu-west-1.amazonaws.com":              "127.0.1.3",
	"602401143452.dkr.ecr.eu-west-1.amazonaws.com": "127.0.1.4",
	"s3.eu-west-1.amazonaws.com":                   "127.0.1.5",
	"sts.eu-west-1.amazonaws.com":                  "127.0.1.6",
}

// VPC is a private VPC on loopback, for tests inside netns.RunIsolated:
// IMDS (AWS's mock) says the VPC is 127.0.0.0/8 and the subnet
// 127.0.1.0/24, so AmazonProvidedDNS is 127.0.0.2:53, which is also the
// node's resolver; every required endpoint of eu-west-1 answers on 443.
type VPC struct {
	Zone *Zone
	CA   *CA
	IMDS string // IMDS base URL
	// API is the API server; a test may change its access entries.
	API *eksapi.Server
	// AWS answers the node's agents' calls on every AWS endpoint.
	AWS *awssim.AWS
}

// ClusterName is the cluster the loopback VPC's API server belongs to.
const ClusterName = "prod"

// APIVersion is what the API servers of the tests report: a current EKS.
const APIVersion = "v1.33.5-eks-3025e55"

// EKS returns an API server of cluster that answers as EKS 1.32 and later
// do, and maps inst's role with an access entry of type EC2_LINUX.
func EKS(inst imdsmock.Instance, cluster string) *eksapi.Server {
	c := inst.Credentials
	sts := &stssim.STS{Principals: []stssim.Principal{{Account: inst.AccountID, Role: inst.RoleName, Session: inst.InstanceID,
		Creds: aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.Token}}}}
	return &eksapi.Server{
		Version: APIVersion,
		Verify:  eksapi.LocalVerifier(sts, cluster, inst.Region),
		Access: &eksapi.AccessEntries{
			Entries:        []eksapi.Entry{{RoleARN: "arn:aws:iam::" + inst.AccountID + ":role/" + inst.RoleName, Type: "EC2_LINUX"}},
			PrivateDNSName: map[string]string{inst.InstanceID: inst.LocalHostname},
		},
	}
}

// NewVPC stands the VPC up until the test ends; the API server's
// certificate names serviceIP as the kubernetes service IP.
func NewVPC(t testing.TB, serviceIP string) *VPC {
	t.Helper()
	return NewVPCWith(t, serviceIP, imdsmock.Default())
}

// NewVPCWith is NewVPC for the instance inst (its role's credentials, say),
// placed in the loopback VPC.
func NewVPCWith(t testing.TB, serviceIP string, inst imdsmock.Instance) *VPC {
	t.Helper()
	v := &VPC{Zone: NewZone(), CA: NewCA(t, "kubernetes")}
	StartDNS(t, netns.NodeResolver+":53", v.Zone)
	inst.VPCCIDRs = []string{"127.0.0.0/8"}
	inst.SubnetCIDR = "127.0.1.0/24"
	v.IMDS = imdsmock.Start(t, inst)
	v.API = EKS(inst, ClusterName)
	v.AWS = AWS(inst)
	for host, addr := range EndpointAddrs {
		v.Zone.Set(host, addr)
		if host == APIHost {
			ServeAPI(t, addr, v.CA.ServerCert(t, []string{APIHost}, serviceIP, addr), v.API)
		} else {
			serveAWS(t, addr, v.AWS)
		}
	}
	v.Zone.Set(awssim.LayerBucket(inst.Region)+".s3."+inst.Region+".amazonaws.com", EndpointAddrs["s3."+inst.Region+".amazonaws.com"])
	return v
}

// CAData is the cluster CA as --b64-cluster-ca takes it.
func (v *VPC) CAData() string {
	return base64.StdEncoding.EncodeToString(v.CA.PEM())
}
