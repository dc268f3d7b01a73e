package awssim

import (
	"path"
	"slices"
)

// ManagedPolicies are the actions of the AWS managed policies a node role
// carries (AWS Managed Policy reference; the versions of late 2024).
var ManagedPolicies = map[string][]string{
	"AmazonEKSWorkerNodePolicy": {"ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeRouteTables",
		"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVolumes", "ec2:DescribeVolumesModifications",
		"ec2:DescribeVpcs", "eks:DescribeCluster", "eks-auth:AssumeRoleForPodIdentity"},
	"AmazonEKSWorkerNodeMinimalPolicy": {"eks-auth:AssumeRoleForPodIdentity"},
	"AmazonEC2ContainerRegistryReadOnly": {"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
		"ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories", "ecr:ListImages",
		"ecr:DescribeImages", "ecr:BatchGetImage", "ecr:GetLifecyclePolicy", "ecr:GetLifecyclePolicyPreview",
		"ecr:ListTagsForResource", "ecr:DescribeImageScanFindings"},
	"AmazonEC2ContainerRegistryPullOnly": {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken"},
	"AmazonEKS_CNI_Policy": {"ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
		"ec2:DeleteNetworkInterface", "ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeNetworkInterfaces",
		"ec2:DescribeInstanceTypes", "ec2:DescribeSubnets", "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute",
		"ec2:UnassignPrivateIpAddresses", "ec2:CreateTags"},
}

// NodePolicies are what a node role has in EKS's own guide.
var NodePolicies = []string{"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"}

// Policy is a policy reduced to what the simulation needs: statements that
// allow and deny actions (glob patterns) on resources (glob patterns; none
// means "*").
type Policy struct {
	Allow []Statement `json:"allow,omitempty"`
	Deny  []Statement `json:"deny,omitempty"`
}

// Statement is one statement of a Policy.
type Statement struct {
	Actions   []string `json:"actions"`
	Resources []string `json:"resources,omitempty"`
}

// AllowAll is the default endpoint policy: full access.
var AllowAll = &Policy{Allow: []Statement{{Actions: []string{"*"}}}}

func (s Statement) matches(action, resource string) bool {
	match := func(pats []string, v string) bool {
		return slices.ContainsFunc(pats, func(p string) bool { ok, _ := path.Match(p, v); return ok || p == "*" })
	}
	return match(s.Actions, action) && (len(s.Resources) == 0 || match(s.Resources, resource))
}

// decide says whether p allows action on resource: explicitly denied,
// allowed, or neither.
func (p *Policy) decide(action, resource string) (allowed, denied bool) {
	for _, s := range p.Deny {
		if s.matches(action, resource) {
			return false, true
		}
	}
	for _, s := range p.Allow {
		if s.matches(action, resource) {
			return true, false
		}
	}
	return false, false
}

// rolePolicy is the identity-based policy of a role with these managed
// policies attached.
func rolePolicy(managed []string) *Policy {
	var acts []string
	for _, m := range managed {
		acts = append(acts, ManagedPolicies[m]...)
	}
	return &Policy{Allow: []Statement{{Actions: acts}}}
}
