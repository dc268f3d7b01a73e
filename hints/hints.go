// Package hints words every fix eksboot gives, in the words of the AWS
// console: the hint of one node's result, filled with the node's own names
// and numbers, and the fix of a failure the fleet report finds confined to
// one subnet, AZ, security group or the VPC. It imports only the result
// model, so the prober and the fleet report say their fixes in one place.
package hints

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"

	"github.com/eksboot/eksboot/report"
)

// NodeFacts fill the hints with this node's own names and numbers.
type NodeFacts struct {
	ClusterName    string
	SubnetCIDR     netip.Prefix
	SecurityGroups []string
	VPCResolver    netip.AddrPort // invalid when unknown
	IMDSEndpoint   string
	// RoleARN is the node role as aws-auth must name it (no path);
	// InstanceProfileARN the profile it came through.
	RoleARN            string
	InstanceProfileARN string
	NodeName           string // IMDS local-hostname
	Windows            bool
}

func (f NodeFacts) role() string {
	if f.RoleARN != "" {
		return f.RoleARN
	}
	return "the node's IAM role"
}

// nodeEntryType is the access entry type for this node's platform.
func (f NodeFacts) nodeEntryType() string {
	if f.Windows {
		return "EC2_WINDOWS"
	}
	return "EC2_LINUX"
}

func (f NodeFacts) subnet() string {
	if f.SubnetCIDR.IsValid() {
		return "the node's subnet " + f.SubnetCIDR.String()
	}
	return "the node's subnet"
}

func (f NodeFacts) groups() string {
	if len(f.SecurityGroups) > 0 {
		return "its security groups " + strings.Join(f.SecurityGroups, ", ")
	}
	return "its security groups"
}

func (f NodeFacts) vpcResolver() string {
	if f.VPCResolver.IsValid() {
		return "AmazonProvidedDNS (" + f.VPCResolver.Addr().String() + ")"
	}
	return "AmazonProvidedDNS (the VPC CIDR base + 2)"
}

// Endpoint is the endpoint a result is about, as a hint names it; the zero
// Endpoint is none.
type Endpoint struct {
	Service string // its VPC endpoint service name
	Cluster bool   // the cluster's own API server endpoint
	Gateway bool   // a gateway endpoint: public answers, routed privately (S3)
}

// For says how to fix r for endpoint e on this node; viaNodeResolver says
// the answer came from the node's own resolver rather than
// AmazonProvidedDNS. Every non-pass code has one.
func For(r report.Result, e Endpoint, f NodeFacts, viaNodeResolver bool) string {
	if h := proxyHint(r, e, f); h != "" {
		return h
	}
	if h := pathHint(r, e, f, viaNodeResolver); h != "" {
		return h
	}
	if h := nodeHint(r, f); h != "" {
		return h
	}
	if r.Kind == report.KindConfig {
		return "see the message; the inputs work but deserve a look"
	}
	return ""
}

// pathHint covers the way from the node to an endpoint: DNS, TCP, TLS and
// the API server's answer.
func pathHint(r report.Result, e Endpoint, f NodeFacts, viaNodeResolver bool) string {
	service := e.Service
	customDNS := fmt.Sprintf("if the VPC's DHCP options set names a custom DNS server, it must forward these names to %s", f.vpcResolver())
	switch r.Code {
	case report.DNSPublic:
		h := fmt.Sprintf("%s resolves outside the VPC: create an interface VPC endpoint for %s in this VPC with \"Enable private DNS name\" on, and check the VPC has \"DNS resolution\" and \"DNS hostnames\" enabled (enableDnsSupport, enableDnsHostnames)", r.Host, service)
		if viaNodeResolver {
			h += "; " + customDNS
		}
		return h
	case report.APIPrivateAccess:
		return fmt.Sprintf("the cluster endpoint resolves to public addresses inside the VPC: turn on private endpoint access (EKS console > %s > Networking > Manage endpoint access), and keep the VPC's enableDnsSupport and enableDnsHostnames on", clusterName(f))
	case report.DNSNXDomain, report.DNSNoData:
		if e.Cluster {
			return fmt.Sprintf("%s does not exist for the resolver: check --apiserver-endpoint is the endpoint aws eks describe-cluster --name %s prints; %s", r.Host, clusterName(f), customDNS)
		}
		return fmt.Sprintf("the resolver has no address for %s: create the interface VPC endpoint %s with private DNS on; %s", r.Host, service, customDNS)
	case report.DNSServFail, report.DNSRefused:
		return fmt.Sprintf("the resolver %s could not answer for %s: %s (or to 169.254.169.253)", r.Addr, r.Host, customDNS)
	case report.DNSTimeout:
		return fmt.Sprintf("the resolver %s did not answer: for AmazonProvidedDNS check the VPC's \"DNS resolution\" (enableDnsSupport) is on; for a custom DNS server from the DHCP options set, its security group and network ACLs must allow UDP and TCP 53 from %s", r.Addr, f.subnet())
	case report.DNSError:
		return fmt.Sprintf("the resolver %s answered for %s, but not in a form a resolver may (garbage, an answer larger than asked for, or truncated with TCP 53 closed): AmazonProvidedDNS does not do this, so look at the custom DNS server the VPC's DHCP options set names, or a firewall rewriting DNS; it must allow UDP and TCP 53 from %s", r.Addr, r.Host, f.subnet())
	case report.DNSMismatch:
		return fmt.Sprintf("the node's resolver answers differently from %s: %s, so the endpoint's private DNS applies", f.vpcResolver(), customDNS)
	case report.NoResolver:
		return "no resolver to ask: IMDS did not give the VPC CIDR and the node's resolver configuration names no nameserver; pass --resolver"
	case report.TCPTimeout:
		if e.Cluster {
			return fmt.Sprintf("nothing answered TCP 443 on %s: the cluster security group must allow inbound TCP 443 from %s or %s; check the subnet's network ACLs", r.Addr, f.subnet(), f.groups())
		}
		if e.Gateway {
			return fmt.Sprintf("nothing answered TCP 443 on %s: the S3 gateway endpoint %s must be associated with the route table of %s, and the node's security group must allow outbound TCP 443 to the S3 prefix list", r.Addr, service, f.subnet())
		}
		return fmt.Sprintf("nothing answered TCP 443 on %s: the security group of the %s endpoint must allow inbound TCP 443 from %s or %s; check the subnet's network ACLs allow 443 out and ephemeral ports back", r.Addr, service, f.subnet(), f.groups())
	case report.TCPRefused:
		return fmt.Sprintf("%s refused TCP 443: the address is up but not the endpoint; check the DNS answer is the %s endpoint's network interface (a stale private hosted zone record?)", r.Addr, serviceOrCluster(e))
	case report.TCPUnreachable:
		return fmt.Sprintf("no route to %s: check the route table of %s%s, and that the node's security group allows outbound TCP 443", r.Addr, f.subnet(), map[bool]string{true: " is associated with the S3 gateway endpoint " + service, false: ""}[e.Gateway])
	case report.TLSUnknownCA:
		return fmt.Sprintf("the API server's certificate is not signed by the CA given: --b64-cluster-ca belongs to another cluster; pass certificateAuthority.data of aws eks describe-cluster --name %s", clusterName(f))
	case report.TLSHostname:
		return fmt.Sprintf("the API server's certificate does not name %s: pass the endpoint aws eks describe-cluster prints, not an address or another cluster's", r.Host)
	case report.TLSTimeout:
		return "TCP connected but TLS never finished: something in the path holds the connection (a TLS-inspecting proxy or firewall); the node must reach the cluster endpoint's network interfaces directly"
	case report.TLSError:
		return "TLS with the API server failed: check nothing in the path intercepts TLS to the cluster endpoint"
	case report.APIHTTPError:
		return fmt.Sprintf("the API server finished TLS but did not answer as it should: check the cluster is ACTIVE and not updating (aws eks describe-cluster --name %s); /readyz, /livez and /healthz answer anonymous requests on every EKS version", clusterName(f))
	}
	return ""
}

// nodeHint covers the node itself: its inputs, its identity, its clock,
// its kubelet and its metadata service.
func nodeHint(r report.Result, f NodeFacts) string {
	switch r.Code {
	case report.ArgsWriteFailed:
		return "the node got no bootstrap arguments: make the --args-file path writable (its directory exists or can be made, the file system is not read-only or full), or pass another --args-file"
	case report.NodeadmDropInIgnored:
		return "this AL2023 AMI is older than v20251023, whose nodeadm reads /etc/eks/nodeadm.d/: launch the node from an AL2023 AMI v20251023 or later, or state the whole NodeConfig in the launch template's user data (then eksboot run --config imds://user-data reads it there), or run with --exec, which hands over with --config-source naming the drop-in"
	case report.IAMNoRole:
		return fmt.Sprintf("the kubelet signs in with the instance's IAM role, and this instance has none: attach an instance profile whose role has AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryReadOnly and AmazonEKS_CNI_Policy (EC2 console > Instance > Actions > Security > Modify IAM role, or the launch template's IamInstanceProfile), then map that role in %s with an access entry of type %s", clusterName(f), f.nodeEntryType())
	case report.AuthUnmapped:
		profile := ""
		if f.InstanceProfileARN != "" {
			profile = ", not the instance profile ARN " + f.InstanceProfileARN
		}
		return fmt.Sprintf("the cluster %s does not map the role %s: create an access entry of type %s for the role (aws eks create-access-entry --cluster-name %s --principal-arn ROLE_ARN --type %s), or add it to the aws-auth ConfigMap's mapRoles with rolearn %s (the role ARN without its path%s), username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers, system:nodes; the cluster's authentication mode must include the one you use (API, API_AND_CONFIG_MAP or CONFIG_MAP); if the mapping is right, check --cluster-name %s is the cluster's name exactly as aws eks describe-cluster prints it (the token names the cluster, and the API server answers 401 to a token for another name); if every node gets 401 at once, the control plane's authenticator is failing: look at the cluster's authenticator logs in CloudWatch (control plane logging, log type authenticator) and AWS Health",
			clusterName(f), f.role(), f.nodeEntryType(), clusterName(f), f.nodeEntryType(), f.role(), profile, clusterName(f))
	case report.CredentialsInvalid:
		return fmt.Sprintf("IMDS has credentials for the role %s that cannot work: check the instance profile %s names the role, that the role's trust policy lets EC2 assume it (Principal {\"Service\": \"ec2.amazonaws.com\"}, Action sts:AssumeRole), and that the node's clock is right (chrony with the Amazon Time Sync Service, 169.254.169.123): credentials past their Expiration by the node's clock mean the clock or IMDS is stale", f.role(), cmp.Or(f.InstanceProfileARN, "-"))
	case report.TokenSigningFailed:
		return "the node could not sign the token the kubelet would present: check the region (--region, or IMDS) names a real region of the node's partition, and that IMDS hands out whole credentials for the instance role (aws sts get-caller-identity on the node)"
	case report.AuthGroups:
		return fmt.Sprintf("the role %s is mapped, but not as a node: an access entry of type STANDARD (or a hand-written mapping) gives no system:nodes; delete it and create an access entry of type %s for the role, or give the role the groups system:bootstrappers and system:nodes in aws-auth", f.role(), f.nodeEntryType())
	case report.AuthNodeName:
		return fmt.Sprintf("the node authorizer lets a kubelet write only the node named in its username: map the role %s with username system:node:{{EC2PrivateDNSName}} exactly (an access entry of type %s sets it), not a fixed or hand-built name; if the node's name comes from a custom domain-name in the VPC's DHCP options set, the kubelet's name and EC2's private DNS name (%s) must agree", f.role(), f.nodeEntryType(), cmp.Or(f.NodeName, "-"))
	case report.AuthWindowsGroup:
		return fmt.Sprintf("Windows nodes need the group eks:kube-proxy-windows, or kube-proxy cannot run and pod networking and DNS break: use an access entry of type EC2_WINDOWS for the role %s (not EC2_LINUX), or add eks:kube-proxy-windows to its groups in aws-auth", f.role())
	case report.ClockSkew:
		return "the node's clock differs from the API server's: run chrony against the Amazon Time Sync Service (169.254.169.123, or fd00:ec2::123 on IPv6-only subnets); with the clock minutes off, STS refuses the node's token and certificates look not yet valid or expired"
	case report.ServiceCIDRMismatch:
		return "the service CIDR given disagrees with the API server's certificate, which names the kubernetes service IP: pass --service-ipv4-cidr as kubernetesNetworkConfig.serviceIpv4Cidr of aws eks describe-cluster; on Windows pod DNS fails otherwise"
	case report.VersionSkew:
		return "kubelet must not be newer than the API server, nor more than three minor versions older: use the EKS AMI for the cluster's Kubernetes version"
	case report.IMDSUnreachable:
		return fmt.Sprintf("IMDS did not answer at %s: turn the instance metadata service on (aws ec2 modify-instance-metadata-options --http-endpoint enabled); in a container raise the hop limit (--http-put-response-hop-limit 2)", f.IMDSEndpoint)
	case report.IMDSV1Only:
		return "the IMDSv2 token request failed but IMDSv1 answered: raise the PUT response hop limit (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2) so IMDSv2 works from here"
	}
	return ""
}

func clusterName(f NodeFacts) string {
	if f.ClusterName != "" {
		return f.ClusterName
	}
	return "CLUSTER"
}

func serviceOrCluster(e Endpoint) string {
	if e.Cluster {
		return "cluster"
	}
	return e.Service
}
