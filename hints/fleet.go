package hints

import (
	"cmp"
	"strings"

	"github.com/eksboot/eksboot/report"
)

// Scopes: what the fleet report finds a failure confined to.
const (
	ScopeSubnet        = "subnet"
	ScopeAZ            = "az"
	ScopeSecurityGroup = "security-group"
	ScopeVPC           = "vpc"
)

// Place is where a failure hit every node and spared every other.
type Place struct {
	Scope string // one of the Scope constants
	Value string // the subnet, AZ or security group; "" for the VPC
	CIDR  string // a subnet's CIDR; "" names the subnet by Value
}

// FleetFix says what to change for r's failure confined to p: past what it
// knows, the fix one node's report gave (r.Hint).
func FleetFix(r report.Result, p Place) string {
	// The service name comes on the wire (SPEC §6 "service"): one catalog,
	// the prober's, names endpoints.
	svc := "the cluster's"
	if r.Service != "" && r.Endpoint != "api" {
		svc = r.Service
	}
	cidr := cmp.Or(p.CIDR, p.Value)
	switch r.Code {
	case report.TCPTimeout, report.TCPRefused, report.TCPUnreachable:
		switch {
		case p.Scope == ScopeSubnet && r.Endpoint == "api":
			return "the cluster security group does not allow TCP 443 from " + cidr + " (or the subnet's network ACL blocks it)"
		case p.Scope == ScopeSubnet && r.Endpoint == "s3":
			return "the route table of " + p.Value + " has no route to the S3 gateway endpoint " + svc
		case p.Scope == ScopeSubnet:
			return "the security group of the " + svc + " endpoint does not allow TCP 443 from " + cidr + " (or the subnet's network ACL blocks it)"
		case p.Scope == ScopeAZ:
			return "the " + svc + " endpoint has no network interface in " + p.Value + " (VPC console > Endpoints > Manage subnets: add a subnet of " + p.Value + "), and its other AZs' addresses do not answer from there"
		case p.Scope == ScopeSecurityGroup:
			return "the security group of the " + svc + " endpoint does not allow TCP 443 from the security group " + p.Value
		case p.Scope == ScopeVPC:
			return "the security group of the " + svc + " endpoint allows TCP 443 from none of the nodes' subnets or security groups"
		}
	case report.ProxyUnreachable:
		proxy := strings.TrimPrefix(r.Via, "proxy ")
		port := proxy[strings.LastIndexByte(proxy, ':')+1:]
		switch p.Scope {
		case ScopeSubnet:
			return "the proxy " + proxy + " does not answer " + p.Value + ": the subnet's route table must route to it, and the proxy's security group must allow TCP " + port + " from " + cidr
		case ScopeSecurityGroup:
			return "the proxy's security group does not allow TCP " + port + " from the security group " + p.Value
		case ScopeVPC:
			return "the proxy " + proxy + " answers none of the nodes: it is down or listens elsewhere (check HTTPS_PROXY), or its security group allows TCP " + port + " from none of their subnets"
		}
	case report.DNSPublic, report.DNSNXDomain, report.DNSNoData:
		switch {
		case p.Scope == ScopeVPC && r.Endpoint == "api":
			return "the cluster's API server name does not resolve to private addresses in this VPC: turn on the cluster's private endpoint access (EKS console > Networking), check the endpoint in --apiserver-endpoint is this cluster's, and that the VPC's DNS resolution and DNS hostnames are on"
		case p.Scope == ScopeVPC:
			return "no interface endpoint for " + svc + " answers in this VPC, or its \"Enable private DNS name\" is off, or the VPC's DNS resolution and DNS hostnames are off"
		}
	case report.DNSTimeout, report.DNSServFail, report.DNSRefused, report.DNSError:
		switch p.Scope {
		case ScopeSubnet:
			return "the network ACL of " + p.Value + " (" + cidr + ") blocks DNS, UDP and TCP 53, to the resolver"
		case ScopeVPC:
			return "the VPC's \"DNS resolution\" (enableDnsSupport) is off, or the DHCP options set names a DNS server that does not answer"
		}
	}
	if r.Hint != "" {
		return "as one node's report says: " + r.Hint
	}
	return "read one node's report (eksboot explain on its console)"
}
