package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/test/awssim"
	"github.com/eksboot/eksboot/test/eksapi"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/stssim"
)

// clusterConfig is eks.json: the simulated cluster's control plane.
type clusterConfig struct {
	Name, Region, Version string
	// AnonymousVersion answers /version and /api to anyone, as EKS did
	// before Kubernetes 1.32.
	AnonymousVersion bool
	// ClockOffset is how far the control plane's clock is ahead of the
	// machine's (negative: behind).
	ClockOffset time.Duration
	// Principals are the role sessions STS knows: the instance's.
	Principals []stssim.Principal
	Access     eksapi.AccessEntries
}

// writeConfig writes DIR/imds.json, the IMDS mock's configuration for the
// node, and DIR/eks.json, the cluster that knows (or does not know) the
// node's role. One instance description feeds both, and the Go tests'.
func writeConfig(dir string, args []string) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	nodeIP := fs.String("node-ip", "10.0.1.10", "the node's private IPv4 address")
	userData := fs.String("user-data", "", "a file with the instance's user data")
	noRole := fs.Bool("no-role", false, "the instance has no instance profile")
	access := fs.String("access", "EC2_LINUX", "how the cluster maps the node's role: EC2_LINUX, EC2_WINDOWS, STANDARD, aws-auth or none")
	roleARN := fs.String("access-role-arn", "", "the role ARN the mapping names (default: the node role's, without a path)")
	username := fs.String("access-username", "system:node:{{EC2PrivateDNSName}}", "aws-auth username template")
	groups := fs.String("access-groups", "system:bootstrappers,system:nodes", "aws-auth groups, comma-separated")
	privateDNS := fs.String("private-dns-name", "", "the private DNS name EC2 reports for the instance (default: its local-hostname)")
	version := fs.String("version", "v1.33.5-eks-3025e55", "the API server's gitVersion")
	anonymous := fs.Bool("anonymous-version", false, "answer /version anonymously, as EKS before 1.32")
	offset := fs.Duration("clock-offset", 0, "how far the control plane's clock is ahead of the node's")
	credsCode := fs.String("credentials-code", "", "the Code IMDS gives with the role's credentials (default Success; any other comes without keys)")
	credsExpiration := fs.String("credentials-expiration", "", "the Expiration IMDS gives the role's credentials, RFC 3339 (default far ahead)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	inst := nodeInstance(*nodeIP)
	if *userData != "" {
		data, err := os.ReadFile(*userData)
		if err != nil {
			return err
		}
		inst.UserData = data
	}
	if *noRole {
		inst.RoleName = ""
	}
	inst.CredentialsCode, inst.CredentialsExpiration = *credsCode, *credsExpiration
	if err := os.WriteFile(filepath.Join(dir, "imds.json"), imdsmock.Config(inst), 0o644); err != nil {
		return err
	}
	c := newCluster(*version, *anonymous, *offset, inst)
	if *privateDNS != "" {
		c.Access.PrivateDNSName[inst.InstanceID] = *privateDNS
	}
	if *roleARN == "" {
		*roleARN = "arn:aws:iam::" + inst.AccountID + ":role/eksboot-node"
	}
	switch *access {
	case "none":
	case "EC2_LINUX", "EC2_WINDOWS", "STANDARD":
		c.Access.Entries = []eksapi.Entry{{RoleARN: *roleARN, Type: *access}}
	case "aws-auth":
		c.Access.Entries = []eksapi.Entry{{RoleARN: *roleARN, Type: *access, Username: *username, Groups: strings.Split(*groups, ",")}}
	default:
		return fmt.Errorf("--access %q is not EC2_LINUX, EC2_WINDOWS, STANDARD, aws-auth or none", *access)
	}
	return c.write(dir)
}

// newCluster is a cluster whose STS knows each instance's role session and
// whose EC2 names each instance's private DNS name.
func newCluster(version string, anonymous bool, offset time.Duration, insts ...imdsmock.Instance) clusterConfig {
	c := clusterConfig{Name: "prod", Region: insts[0].Region, Version: version, AnonymousVersion: anonymous, ClockOffset: offset}
	c.Access.PrivateDNSName = map[string]string{}
	cr := imdsmock.TestCredentials
	for _, inst := range insts {
		c.Principals = append(c.Principals, stssim.Principal{Account: inst.AccountID, Role: "eksboot-node", Session: inst.InstanceID,
			Creds: aws.Credentials{AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.Token}})
		c.Access.PrivateDNSName[inst.InstanceID] = inst.LocalHostname
	}
	return c
}

// write writes DIR/eks.json, and DIR/secrets.txt: what no output of
// eksboot may ever carry, the role's keys and a token.
func (c clusterConfig) write(dir string) error {
	cr := imdsmock.TestCredentials
	secrets := strings.Join(append([]string{cr.AccessKeyID, cr.SecretAccessKey, cr.Token, "k8s-aws-v1."}, awssim.Secrets()...), "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "secrets.txt"), []byte(secrets), 0o644); err != nil {
		return err
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "eks.json"), data, 0o644)
}

// nodeInstance is the simulation's node at ip: the IMDS facts the fleet
// report reads, with the role and credentials every node shares.
func nodeInstance(ip string) imdsmock.Instance {
	inst := imdsmock.Default()
	inst.PrivateIP = ip
	inst.LocalHostname = "ip-" + strings.ReplaceAll(ip, ".", "-") + "." + inst.Region + ".compute.internal"
	inst.SecurityGroups = []string{"sg-0a1b2c3d4e5f60718"}
	return inst
}
