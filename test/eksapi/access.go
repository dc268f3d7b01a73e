package eksapi

import (
	"slices"
	"strings"
)

// Entry is an access entry, or an aws-auth mapRoles item (Type "aws-auth").
type Entry struct {
	RoleARN  string   `json:"roleArn"`  // as the mapping names it; a path or an instance profile ARN never matches
	Type     string   `json:"type"`     // EC2_LINUX, EC2_WINDOWS, STANDARD, aws-auth
	Username string   `json:"username"` // aws-auth and STANDARD; templates {{EC2PrivateDNSName}}, {{SessionName}}
	Groups   []string `json:"groups"`   // aws-auth and STANDARD (kubernetesGroups)
}

// AccessEntries is the cluster's mapping of IAM roles to users.
type AccessEntries struct {
	Entries []Entry `json:"entries"`
	// PrivateDNSName is what EC2 says each instance's private DNS name is,
	// by instance ID: what {{EC2PrivateDNSName}} becomes.
	PrivateDNSName map[string]string `json:"privateDnsName"`
}

// The users EKS gives node entries. Which groups an EC2_WINDOWS entry shows
// is not documented; the simulation gives it the Windows group aws-auth
// needs.
const nodeUsername = "system:node:{{EC2PrivateDNSName}}"

var typeGroups = map[string][]string{
	"EC2_LINUX":   {"system:nodes"},
	"EC2_WINDOWS": {"system:nodes", "eks:kube-proxy-windows"},
}

// User maps id to the Kubernetes user it authenticates as, or nil.
func (a *AccessEntries) User(id CallerIdentity) *UserInfo {
	i := slices.IndexFunc(a.Entries, func(e Entry) bool { return e.RoleARN == id.CanonicalARN })
	if i < 0 {
		return nil
	}
	e := a.Entries[i]
	username, groups := e.Username, e.Groups
	switch e.Type {
	case "EC2_LINUX", "EC2_WINDOWS":
		username, groups = nodeUsername, typeGroups[e.Type]
	case "STANDARD":
		if username == "" {
			username = id.ARN
		}
	}
	username = strings.NewReplacer("{{EC2PrivateDNSName}}", a.PrivateDNSName[id.Session], "{{SessionName}}", id.Session).Replace(username)
	// The UID and extra as aws-iam-authenticator's server fills them
	// (pkg/server/server.go) for an account it does not scrub.
	return &UserInfo{
		Username: username,
		UID:      "aws-iam-authenticator:" + id.AccountID + ":" + id.UserID,
		Groups:   append(slices.Clone(groups), "system:authenticated"),
		Extra: map[string][]string{"arn": {id.ARN}, "canonicalArn": {id.CanonicalARN}, "sessionName": {id.Session},
			"accessKeyId": {id.AccessKeyID}, "principalId": {id.UserID}, "sigs.k8s.io/aws-iam-authenticator/principalId": {id.UserID}},
	}
}
