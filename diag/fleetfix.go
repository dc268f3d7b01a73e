package diag

import (
	"strings"

	"github.com/eksboot/eksboot/report"
)

// fleetFix says what to change for a failure confined to one value of a
// dimension (s), in the words of the AWS console; past what it knows, the
// fix one node's report gave.
func fleetFix(row *FailureRow, scope string, s Spread) string {
	// The service name comes on the wire (SPEC §6 "service"): one catalog,
	// the prober's, names endpoints.
	svc := "the cluster's"
	if row.Service != "" && row.Endpoint != "api" {
		svc = row.Service
	}
	cidr := s.Value
	if s.Label != "" {
		cidr = strings.Split(s.Label, ",")[0]
	}
	switch row.Code {
	case report.TCPTimeout, report.TCPRefused, report.TCPUnreachable:
		switch {
		case scope == ScopeSubnet && row.Endpoint == "api":
			return "the cluster security group does not allow TCP 443 from " + cidr + " (or the subnet's network ACL blocks it)"
		case scope == ScopeSubnet && row.Endpoint == "s3":
			return "the route table of " + s.Value + " has no route to the S3 gateway endpoint " + svc
		case scope == ScopeSubnet:
			return "the security group of the " + svc + " endpoint does not allow TCP 443 from " + cidr + " (or the subnet's network ACL blocks it)"
		case scope == ScopeAZ:
			return "the " + svc + " endpoint has no network interface in " + s.Value + " (VPC console > Endpoints > Manage subnets: add a subnet of " + s.Value + "), and its other AZs' addresses do not answer from there"
		case scope == ScopeSecurityGroup:
			return "the security group of the " + svc + " endpoint does not allow TCP 443 from the security group " + s.Value
		case scope == ScopeVPC:
			return "the security group of the " + svc + " endpoint allows TCP 443 from none of the nodes' subnets or security groups"
		}
	case report.ProxyUnreachable:
		proxy := strings.TrimPrefix(row.Via, "proxy ")
		port := proxy[strings.LastIndexByte(proxy, ':')+1:]
		switch scope {
		case ScopeSubnet:
			return "the proxy " + proxy + " does not answer " + s.Value + ": the subnet's route table must route to it, and the proxy's security group must allow TCP " + port + " from " + cidr
		case ScopeSecurityGroup:
			return "the proxy's security group does not allow TCP " + port + " from the security group " + s.Value
		case ScopeVPC:
			return "the proxy " + proxy + " answers none of the nodes: it is down or listens elsewhere (check HTTPS_PROXY), or its security group allows TCP " + port + " from none of their subnets"
		}
	case report.DNSPublic, report.DNSNXDomain, report.DNSNoData:
		if scope == ScopeVPC {
			return "no interface endpoint for " + svc + " answers in this VPC, or its \"Enable private DNS name\" is off, or the VPC's DNS resolution and DNS hostnames are off"
		}
	case report.DNSTimeout, report.DNSServFail, report.DNSRefused, report.DNSError:
		switch scope {
		case ScopeSubnet:
			return "the network ACL of " + s.Value + " (" + cidr + ") blocks DNS, UDP and TCP 53, to the resolver"
		case ScopeVPC:
			return "the VPC's \"DNS resolution\" (enableDnsSupport) is off, or the DHCP options set names a DNS server that does not answer"
		}
	}
	if row.Hint != "" {
		return "as one node's report says: " + row.Hint
	}
	return "read one node's report (eksboot explain on its console)"
}
