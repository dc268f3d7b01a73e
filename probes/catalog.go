package probes

import (
	"net/url"
	"slices"
	"strings"

	"github.com/eksboot/eksboot/hints"
)

// Kind is how an endpoint is reached from the VPC.
type Kind string

// Endpoint kinds.
const (
	Interface Kind = "interface" // an interface endpoint: private DNS, private addresses
	Gateway   Kind = "gateway"   // a gateway endpoint: public answers, routed privately
	Cluster   Kind = "cluster"   // the cluster's own API server endpoint
)

// Spec is one catalog entry: a service a node may need.
type Spec struct {
	Name     string // short name users type in --require/--optional
	Host     string // host template: {r} region, {d} partition DNS suffix, {a} account
	Kind     Kind
	Required bool // probed by default, and its failure fails the verdict
	Why      string
	// Agent is the program on the node whose proxy settings decide the
	// endpoint's path (inputs.Agent's values).
	Agent string
}

// Catalog lists every endpoint eksboot knows, in the order it reports them.
var Catalog = []Spec{
	{"api", "", Cluster, true, "kubelet registers the node; needs the cluster's private endpoint access", "kubelet"},
	{"ec2", "ec2.{r}.{d}", Interface, true, "the VPC CNI assigns addresses; the EKS AMIs look up the node's private DNS name", "nodeadm"},
	{"ecr.api", "api.ecr.{r}.{d}", Interface, true, "image pull credentials", "kubelet"},
	{"ecr.dkr", "{a}.dkr.ecr.{r}.{d}", Interface, true, "pause, aws-node, kube-proxy and coredns images", "containerd"},
	{"s3", "s3.{r}.{d}", Gateway, true, "image layers (through the S3 gateway endpoint)", "containerd"},
	{"sts", "sts.{r}.{d}", Interface, true, "IAM roles for service accounts, Fargate", "default"},
	{"logs", "logs.{r}.{d}", Interface, false, "CloudWatch Logs for node and container logs", "default"},
	{"elasticloadbalancing", "elasticloadbalancing.{r}.{d}", Interface, false, "the AWS Load Balancer Controller", "default"},
	{"autoscaling", "autoscaling.{r}.{d}", Interface, false, "Cluster Autoscaler", "default"},
	{"xray", "xray.{r}.{d}", Interface, false, "AWS X-Ray tracing", "default"},
	{"ssm", "ssm.{r}.{d}", Interface, false, "Systems Manager: Session Manager access to the node", "default"},
	{"ssmmessages", "ssmmessages.{r}.{d}", Interface, false, "Session Manager sessions", "default"},
	{"ec2messages", "ec2messages.{r}.{d}", Interface, false, "Systems Manager agent", "default"},
	{"eks", "eks.{r}.{d}", Interface, false, "the EKS API, for tools on the node", "default"},
	{"eks-auth", "eks-auth.{r}.api.aws", Interface, false, "EKS Pod Identity", "default"},
	{"appmesh-envoy-management", "appmesh-envoy-management.{r}.{d}", Interface, false, "App Mesh Envoy", "default"},
}

// NotProbed lists the catalog's endpoints that s leaves out: those not
// required by default and not named in Require or Optional.
func NotProbed(s Selection) []string {
	var out []string
	for _, sp := range Catalog {
		if !sp.Required && !slices.Contains(s.Require, sp.Name) && !slices.Contains(s.Optional, sp.Name) {
			out = append(out, sp.Name)
		}
	}
	return out
}

// KnownName says whether n names an endpoint or a check, as --require and
// --optional may.
func KnownName(n string) bool {
	return slices.ContainsFunc(Catalog, func(sp Spec) bool { return sp.Name == n }) ||
		slices.ContainsFunc(NodeChecks, func(c Check) bool { return c.Name == n })
}

// EKS's image-registry accounts: 602401143452 serves most commercial
// regions; these have their own (EKS user guide, "Amazon container image
// registries").
var eksImageAccounts = map[string]string{
	"af-south-1":     "877085696533",
	"ap-east-1":      "800184023465",
	"ap-east-2":      "533267051163",
	"ap-south-2":     "900889452093",
	"ap-southeast-3": "296578399912",
	"ap-southeast-4": "491585149902",
	"ap-southeast-5": "151610086707",
	"ap-southeast-6": "333609536671",
	"ap-southeast-7": "121268973566",
	"ca-west-1":      "761377655185",
	"cn-north-1":     "918309763551",
	"cn-northwest-1": "961992271922",
	"eu-central-2":   "900612956339",
	"eu-south-1":     "590381155156",
	"eu-south-2":     "455263428327",
	"il-central-1":   "066635153087",
	"me-central-1":   "759879836304",
	"me-south-1":     "558608220178",
	"mx-central-1":   "730335286997",
	"us-gov-east-1":  "151742754352",
	"us-gov-west-1":  "013241004608",
}

// EKSImageAccount is the account of the region's EKS image registry.
func EKSImageAccount(region string) string {
	if a, ok := eksImageAccounts[region]; ok {
		return a
	}
	return "602401143452"
}

// Endpoint is one host to probe, resolved for this node.
type Endpoint struct {
	Name     string
	Host     string
	Service  string // the VPC endpoint service name
	Kind     Kind
	Required bool
	Why      string
	Agent    string // whose proxy settings decide the path (Spec.Agent)
	// Via is the proxy the agent sends this endpoint's requests to; nil
	// goes direct.
	Via *url.URL
}

// forHint is e as the hints of its results name it.
func (e Endpoint) forHint() hints.Endpoint {
	return hints.Endpoint{Service: e.Service, Cluster: e.Kind == Cluster, Gateway: e.Kind == Gateway}
}

// Selection says which endpoints to probe for a node.
type Selection struct {
	Region      string
	Domain      string // partition DNS suffix from IMDS services/domain; "" derives it from the region
	APIHost     string
	ECRAccounts []string
	Require     []string // names whose failure fails
	Optional    []string // names whose failure only warns
}

// DomainFor is the partition DNS suffix of a region when IMDS does not say.
func DomainFor(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// Endpoints resolves the catalog for s: the required endpoints, plus any
// named in Require or Optional, with their severity as chosen there. The
// names are the caller's to check first (KnownName).
func Endpoints(s Selection) []Endpoint {
	domain := s.Domain
	if domain == "" {
		domain = DomainFor(s.Region)
	}
	var out []Endpoint
	for _, sp := range Catalog {
		required := sp.Required && !slices.Contains(s.Optional, sp.Name) || slices.Contains(s.Require, sp.Name)
		if !sp.Required && !required && !slices.Contains(s.Optional, sp.Name) {
			continue
		}
		e := Endpoint{Name: sp.Name, Kind: sp.Kind, Required: required, Why: sp.Why, Agent: sp.Agent}
		if sp.Kind == Cluster {
			e.Host = s.APIHost
			out = append(out, e)
			continue
		}
		e.Service = ServiceName(s.Region, sp.Name)
		switch sp.Name {
		case "ecr.dkr":
			accounts := append([]string{EKSImageAccount(s.Region)}, s.ECRAccounts...)
			for _, a := range dedupe(accounts) {
				e.Host = expand(sp.Host, s.Region, domain, a)
				out = append(out, e)
			}
			continue
		case "eks-auth":
			e.Host = "eks-auth." + s.Region + ".api.aws"
			if strings.HasSuffix(domain, ".cn") {
				e.Host = "eks-auth." + s.Region + ".api.amazonwebservices.com.cn"
			}
		default:
			e.Host = expand(sp.Host, s.Region, domain, "")
		}
		out = append(out, e)
	}
	return out
}

func expand(tmpl, region, domain, account string) string {
	return strings.NewReplacer("{r}", region, "{d}", domain, "{a}", account).Replace(tmpl)
}

// ServiceName is the VPC endpoint service name, as the console's "Create
// endpoint" page lists it.
func ServiceName(region, name string) string {
	prefix := "com.amazonaws."
	if strings.HasPrefix(region, "cn-") {
		prefix = "cn.com.amazonaws."
	}
	return prefix + region + "." + name
}

func dedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
