package hints

import (
	"fmt"

	"github.com/eksboot/eksboot/report"
)

// managedPolicies names the AWS managed policies that grant each action (as
// a result's Action names it) to a node role, the full one first.
var managedPolicies = map[string]string{
	// AmazonEKSWorkerNodeMinimalPolicy grants only
	// eks-auth:AssumeRoleForPodIdentity: a role with it alone cannot
	// describe its instance.
	"ec2:DescribeInstances":     "AmazonEKSWorkerNodePolicy (AmazonEKSWorkerNodeMinimalPolicy does not grant it)",
	"ecr:GetAuthorizationToken": "AmazonEC2ContainerRegistryReadOnly (or AmazonEC2ContainerRegistryPullOnly)",
	"ecr:BatchGetImage":         "AmazonEC2ContainerRegistryReadOnly (or AmazonEC2ContainerRegistryPullOnly)",
	"sts:GetCallerIdentity":     "no policy: GetCallerIdentity needs no permission, so only a deny refuses it",
}

// ForAWSCall says how to fix a refused call of the node's agents through
// endpoint e: the endpoint and the statement, the role and the managed
// policy, the SCP, or the bucket ECR keeps the region's layers in.
func ForAWSCall(r report.Result, e Endpoint, f NodeFacts, region, layerBucket string) string {
	service := e.Service
	if service == "" {
		service = "the " + r.Endpoint + " endpoint"
	}
	if h := proxyHint(r, e, f); h != "" { // a hop the proxy refused
		return h
	}
	bucket := "arn:aws:s3:::" + layerBucket + "/*"
	switch r.Code {
	case report.EndpointPolicyDenied:
		return fmt.Sprintf("the policy of the VPC endpoint %s refuses %s: add a statement allowing it (Effect Allow, Principal *, Action %s, Resource *) in VPC console > Endpoints > %s > Policy, or remove the Deny that names it", service, r.Action, r.Action, service)
	case report.IAMDenied:
		return fmt.Sprintf("the node role %s lacks %s: attach the AWS managed policy %s to the role (IAM console > Roles > the role > Add permissions); if its policies allow it, look at the VPC endpoint %s's policy", f.role(), r.Action, managedPolicies[r.Action], service)
	case report.SCPDenied:
		return fmt.Sprintf("a service control policy of the organization (or the role's permissions boundary) denies %s to %s: ask the organization's administrators to exempt the node role from the SCP's Deny, or widen the role's boundary", r.Action, f.role())
	case report.CredentialsInvalid:
		return fmt.Sprintf("AWS refuses the role's credentials from IMDS: check the node's clock (chrony against 169.254.169.123), the instance profile still exists with the role %s, and the role's trust policy lets ec2.amazonaws.com assume it; this, not a missing access entry, is why the API server refuses the node", f.role())
	case report.ImagePullDenied:
		return fmt.Sprintf("the registry refused the image with the node's token: the repository policy, or the policy of the VPC endpoint %s, must allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer; the role %s needs %s", service, f.role(), managedPolicies["ecr:BatchGetImage"])
	case report.LayerBucketDenied:
		return fmt.Sprintf("ECR keeps image layers in S3: the S3 gateway endpoint's policy must allow s3:GetObject on %s (VPC console > Endpoints > the com.amazonaws.%s.s3 gateway endpoint > Policy), and the route table of %s must be associated with that endpoint", bucket, region, f.subnet())
	case report.AWSError:
		return fmt.Sprintf("%s did not answer %s as AWS does: check nothing in the path answers in AWS's place (a proxy, a private hosted zone pointing elsewhere), and the endpoint %s is available", r.Host, r.Action, service)
	}
	return ""
}
