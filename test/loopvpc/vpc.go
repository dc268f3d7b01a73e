package loopvpc

import (
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"testing"

	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/netns"
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
}

// NewVPC stands the VPC up until the test ends; the API server's
// certificate names serviceIP as the kubernetes service IP.
func NewVPC(t testing.TB, serviceIP string) *VPC {
	t.Helper()
	v := &VPC{Zone: NewZone(), CA: NewCA(t, "kubernetes")}
	StartDNS(t, netns.NodeResolver+":53", v.Zone)
	inst := imdsmock.Default()
	inst.VPCCIDRs = []string{"127.0.0.0/8"}
	inst.SubnetCIDR = "127.0.1.0/24"
	v.IMDS = imdsmock.Start(t, inst)
	for host, addr := range EndpointAddrs {
		v.Zone.Set(host, addr)
		if host == APIHost {
			ServeAPI(t, addr, v.CA.ServerCert(t, []string{APIHost}, serviceIP, addr), http.StatusOK)
		} else {
			ListenTCP(t, addr)
		}
	}
	return v
}

// CAData is the cluster CA as --b64-cluster-ca takes it.
func (v *VPC) CAData() string {
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: v.CA.Cert.Raw}))
}
