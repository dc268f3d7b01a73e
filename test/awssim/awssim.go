// Package awssim answers the AWS calls a node's agents make, in each
// API's wire protocol: EC2's Query API (XML), ECR's JSON 1.1 API, the
// registry v2 API with Basic auth and its 307 to S3, S3's REST API with
// presigned-query authentication, STS's Query API. Every request's SigV4
// signature is checked with the SDK's signer against the credentials AWS's
// IMDS mock hands out, and their expiry; then the policies decide, as AWS
// evaluates them: an explicit deny anywhere, the SCP, the VPC endpoint's
// policy, the role's identity-based policies. Refusals carry AWS's own
// error codes and messages. Nothing here reaches AWS.
package awssim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// AWS is the simulated account, region and organization.
type AWS struct {
	Region  string
	Account string
	Role    string // the node role's name
	Session string // the instance ID
	Creds   aws.Credentials
	// Expires, when set, is when Creds stop working.
	Expires time.Time
	// Managed are the managed policies attached to the role.
	Managed []string
	// Endpoints are the VPC endpoints' policies by service (ec2, ecr.api,
	// ecr.dkr, sts, s3); a missing one allows all.
	Endpoints map[string]*Policy
	// SCP is the organization's service control policy; nil allows all.
	SCP *Policy
	// Repository is the registry's repository policy; nil allows all.
	Repository *Policy
	// PrivateDNSName is what DescribeInstances answers for Session;
	// Instances, when set, are every instance of the account (a fleet
	// sharing one role) by ID, with theirs.
	PrivateDNSName string
	// Registries are more accounts' registries (--ecr-account) served
	// beside the EKS image account's.
	Registries []string
	Instances  map[string]string
	Now        func() time.Time

	mu     sync.Mutex
	tokens map[string]bool // ECR passwords handed out
}

// ImageAccount is the EKS image account the registry serves.
const ImageAccount = "602401143452"

// ECR's own service credentials presign the layer URLs.
var ecrCreds = aws.Credentials{AccessKeyID: "ASIAECRSERVICESIM000", SecretAccessKey: "ecr-service-secret-sim", SessionToken: "ecr-service-session-sim"}

func (a *AWS) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// ARN is the role session's ARN as GetCallerIdentity and AccessDenied
// messages name it.
func (a *AWS) ARN() string {
	return "arn:aws:sts::" + a.Account + ":assumed-role/" + a.Role + "/" + a.Session
}

// Host names of the services of a.Region.
func (a *AWS) hosts() map[string]string {
	r := a.Region
	hosts := map[string]string{
		"ec2." + r + ".amazonaws.com":                     "ec2",
		"sts." + r + ".amazonaws.com":                     "sts",
		"api.ecr." + r + ".amazonaws.com":                 "ecr.api",
		ImageAccount + ".dkr.ecr." + r + ".amazonaws.com": "ecr.dkr",
		LayerBucket(r) + ".s3." + r + ".amazonaws.com":    "s3",
		"s3." + r + ".amazonaws.com":                      "s3",
	}
	for _, account := range a.Registries {
		hosts[account+".dkr.ecr."+r+".amazonaws.com"] = "ecr.dkr"
	}
	return hosts
}

// LayerBucket is the bucket ECR keeps region's layers in.
func LayerBucket(region string) string { return "prod-" + region + "-starport-layer-bucket" }

// Hosts are the names the simulation answers for, for certificates and DNS.
func (a *AWS) Hosts() []string {
	var out []string
	for h := range a.hosts() {
		out = append(out, h)
	}
	return out
}

// ServeHTTP answers by the Host the request names.
func (a *AWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	a.serve(a.hosts()[host], w, r)
}

func (a *AWS) serve(service string, w http.ResponseWriter, r *http.Request) {
	host := r.Host
	switch service {
	case "ec2":
		a.ec2(w, r)
	case "sts":
		a.sts(w, r)
	case "ecr.api":
		a.ecrAPI(w, r)
	case "ecr.dkr":
		a.registry(w, r)
	case "s3":
		a.s3(w, r)
	default:
		http.Error(w, "no such host in the simulation: "+host, http.StatusMisdirectedRequest)
	}
}

// authorize evaluates the policies in AWS's order for action on resource
// through the endpoint of service.
func (a *AWS) authorize(service, action, resource string) string {
	ep := a.Endpoints[service]
	if ep == nil {
		ep = AllowAll
	}
	role := rolePolicy(a.Managed)
	if a.SCP != nil {
		if _, denied := a.SCP.decide(action, resource); denied {
			return "with an explicit deny in a service control policy"
		}
	}
	if _, denied := ep.decide(action, resource); denied {
		return "with an explicit deny in a VPC endpoint policy"
	}
	if ok, _ := ep.decide(action, resource); !ok {
		return "because no VPC endpoint policy allows the " + action + " action"
	}
	if ok, _ := role.decide(action, resource); !ok {
		return "because no identity-based policy allows the " + action + " action"
	}
	return ""
}

// deniedMessage is AWS's AccessDenied message.
func (a *AWS) deniedMessage(action, resource, reason string) string {
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", a.ARN(), action, resource, reason)
}
