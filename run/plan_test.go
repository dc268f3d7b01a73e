package run

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/probes"
)

// TestBuildPlan: the plan for each target, options and facts, as data.
func TestBuildPlan(t *testing.T) {
	facts := func(region, domain string) *imds.Facts {
		return &imds.Facts{Region: region, AccountID: "111122223333", Domain: domain, LocalHostname: "ip-10-0-1-10.internal",
			VPCCIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}, SubnetCIDR: netip.MustParsePrefix("10.0.1.0/24"), SecurityGroupIDs: []string{"sg-1"},
			Identity: imds.Identity{RoleName: "node", Credentials: &imds.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}}}
	}
	noRole := facts("eu-west-1", "amazonaws.com")
	noRole.Identity = imds.Identity{Err: errors.New("the instance has no instance profile")}
	for _, tc := range []struct {
		name     string
		target   inputs.Target
		region   string
		settings inputs.Settings
		facts    *imds.Facts
		want     []string // the plan, one fact a line
	}{
		{"al2023 with IMDS", inputs.TargetAL2023, "eu-west-1", inputs.Settings{}, facts("eu-west-1", "amazonaws.com"), []string{
			"endpoints: api=api.example! ec2=ec2.eu-west-1.amazonaws.com! ecr.api=api.ecr.eu-west-1.amazonaws.com! ecr.dkr=602401143452.dkr.ecr.eu-west-1.amazonaws.com! s3=s3.eu-west-1.amazonaws.com! sts=sts.eu-west-1.amazonaws.com!",
			"vpc resolver: 10.0.0.2:53",
			"identity: cluster=prod region=eu-west-1 node=ip-10-0-1-10.internal signed windows=false",
			"facts: role=arn:aws:iam::111122223333:role/node windows=false",
		}},
		{"windows, named endpoints and a resolver", inputs.TargetWindows, "eu-west-1",
			inputs.Settings{Require: []string{"ssm"}, Optional: []string{"sts"}, ECRAccounts: []string{"444455556666"}, Resolver: netip.MustParseAddrPort("10.0.0.53:53")},
			facts("eu-west-1", "amazonaws.com"), []string{
				"endpoints: api=api.example! ec2=ec2.eu-west-1.amazonaws.com! ecr.api=api.ecr.eu-west-1.amazonaws.com! ecr.dkr=602401143452.dkr.ecr.eu-west-1.amazonaws.com! ecr.dkr=444455556666.dkr.ecr.eu-west-1.amazonaws.com! s3=s3.eu-west-1.amazonaws.com! sts=sts.eu-west-1.amazonaws.com ssm=ssm.eu-west-1.amazonaws.com!",
				"vpc resolver: 10.0.0.53:53",
				"identity: cluster=prod region=eu-west-1 node=ip-10-0-1-10.internal signed windows=true",
				"facts: role=arn:aws:iam::111122223333:role/node windows=true",
			}},
		{"China, the partition from IMDS", inputs.TargetAL2023, "cn-north-1", inputs.Settings{}, facts("cn-north-1", "amazonaws.com.cn"), []string{
			"endpoints: api=api.example! ec2=ec2.cn-north-1.amazonaws.com.cn! ecr.api=api.ecr.cn-north-1.amazonaws.com.cn! ecr.dkr=918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn! s3=s3.cn-north-1.amazonaws.com.cn! sts=sts.cn-north-1.amazonaws.com.cn!",
			"vpc resolver: 10.0.0.2:53",
			"identity: cluster=prod region=cn-north-1 node=ip-10-0-1-10.internal signed windows=false",
			"facts: role=arn:aws-cn:iam::111122223333:role/node windows=false",
		}},
		{"no instance profile", inputs.TargetAL2023, "eu-west-1", inputs.Settings{}, noRole, []string{
			"identity: cluster=prod region=eu-west-1 node=ip-10-0-1-10.internal no role: the instance has no instance profile windows=false",
		}},
		{"IMDS down", inputs.TargetAL2, "eu-west-1", inputs.Settings{}, nil, []string{
			"vpc resolver: none",
			"identity: cluster=prod region=eu-west-1 node= unknown: IMDS did not answer, so the node has no credentials to sign its token with windows=false",
			"facts: role= windows=false",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &inputs.Config{Target: tc.target, ClusterName: "prod", Region: tc.region, EndpointHost: "api.example"}
			got := describePlan(BuildPlan(cfg, tc.settings, tc.facts))
			for _, want := range tc.want {
				if !strings.Contains(got, want+"\n") {
					t.Errorf("plan lacks %q:\n%s", want, got)
				}
			}
		})
	}
}

// describePlan is the plan as text, one fact a line; "!" marks a required
// endpoint.
func describePlan(p probes.Plan) string {
	var b strings.Builder
	b.WriteString("endpoints:")
	for _, e := range p.Endpoints {
		fmt.Fprintf(&b, " %s=%s", e.Name, e.Host)
		if e.Required {
			b.WriteString("!")
		}
	}
	b.WriteString("\nvpc resolver: ")
	if len(p.Resolvers) > 0 && p.Resolvers[0].Role == probes.RoleVPC {
		b.WriteString(p.Resolvers[0].Addr.String())
	} else {
		b.WriteString("none")
	}
	id := p.Identity
	fmt.Fprintf(&b, "\nidentity: cluster=%s region=%s node=%s", id.Cluster, id.Region, id.NodeName)
	switch {
	case id.Unknown != "":
		b.WriteString(" unknown: " + id.Unknown)
	case id.Credentials != nil:
		b.WriteString(" signed")
	default:
		b.WriteString(" no role: " + id.NoRole)
	}
	fmt.Fprintf(&b, " windows=%v\nfacts: role=%s windows=%v\n", id.Windows, p.Facts.RoleARN, p.Facts.Windows)
	return b.String()
}
