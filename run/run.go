// Package run is one eksboot run from inputs to verdict: validate the
// inputs, read IMDS, build the plan (the endpoints and the node checks,
// with what they judge), run it, take the service network the API
// server's certificate gives, write the bootstrap arguments, and decide.
package run

import (
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/netip"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/bootstrap"
	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/probes"
	"github.com/eksboot/eksboot/report"
)

// Options are one run's inputs and seams.
type Options struct {
	// Values are the inputs from every source, merged once (inputs.Gather);
	// Origins say where each came from; Settings are the probe's, parsed
	// from Values by the caller (inputs.ParseSettings); IMDS is
	// --imds-endpoint's client.
	Values   inputs.Values
	Origins  inputs.Origins
	Settings inputs.Settings
	IMDS     *imds.Client
	Host     inputs.Host
	Write    bool      // write the bootstrap arguments (run), or only probe
	Stdout   io.Writer // where args go for "-"
	Progress func(failing []string, left time.Duration)
}

// Outcome is what a run found and did.
type Outcome struct {
	Config  *inputs.Config
	Facts   *imds.Facts
	Plan    probes.Plan
	Results []report.Result
	Verdict report.Verdict
	Server  string // the API server's version
	User    *report.UserInfo
	// Interrupted: SIGTERM or SIGINT ended the run before its verdict.
	Interrupted bool
	// Exec: hand over to the platform bootstrap when the verdict passes.
	Exec     bool
	ArgsFile string // what was written, "" if nothing
	Started  time.Time
	Took     time.Duration
}

// prepare gathers, validates and reads IMDS: everything before probing.
// IMDS is read in full (it names the resolver and fills the hints); its
// absence is the imds check's to judge, not an error.
func prepare(ctx context.Context, o Options) (*inputs.Config, inputs.Settings, *imds.Facts, probes.IMDSRead, time.Time, error) {
	vals, origins, md, settings := o.Values, o.Origins, o.IMDS, o.Settings
	// One deadline for the run: IMDS may take half of it, so a slow IMDS
	// leaves the probes time of their own.
	start := time.Now()
	deadline := probes.RoundDeadline(start, settings.Timeout)
	imdsCtx, cancel := context.WithDeadline(ctx, start.Add(settings.Timeout/2))
	defer cancel()
	facts := inputs.NewInstanceFacts(imdsCtx, md)
	f, factsErr := facts.Get()
	read := probes.IMDSRead{Endpoint: md.Endpoint(), Err: factsErr, Took: time.Since(start), Timeout: settings.Timeout / 2}
	if factsErr != nil {
		f = nil
	}
	cfg, err := inputs.Resolve(vals, o.Host, facts, time.Now(), o.Write)
	if err != nil {
		return nil, settings, nil, read, deadline, origins.Attribute(err)
	}
	if cfg.Region == "" {
		return nil, settings, nil, read, deadline, inputs.RegionUnknown()
	}
	cfg.ReadNodeProxies(vals, o.Host)
	return cfg, settings, f, read, deadline, nil
}

// BuildPlan turns the inputs into the plan: the endpoints and every node
// check, with what they judge.
func BuildPlan(cfg *inputs.Config, s inputs.Settings, f *imds.Facts) probes.Plan {
	sel := probes.Selection{Region: cfg.Region, APIHost: cfg.EndpointHost, ECRAccounts: s.ECRAccounts, Require: s.Require, Optional: s.Optional}
	facts := hints.NodeFacts{ClusterName: cfg.ClusterName, Windows: cfg.Platform().Windows}
	identity := &probes.IdentityPlan{Cluster: cfg.ClusterName, Region: cfg.Region, Windows: facts.Windows,
		Unknown: "IMDS did not answer, so the node has no credentials to sign its token with"}
	if cfg.OutpostClusterID != "" {
		identity.Cluster = cfg.OutpostClusterID
	}
	var vpc []netip.Prefix
	if f != nil {
		sel.Domain = f.Domain
		vpc = append(slices.Clone(f.VPCCIDRs), f.VPCIPv6CIDRs...)
		facts.SubnetCIDR, facts.SecurityGroups = f.SubnetCIDR, f.SecurityGroupIDs
		facts.RoleARN = imds.RoleARN(cfg.Region, f.AccountID, f.Identity.RoleName)
		facts.InstanceProfileARN, facts.NodeName = f.Identity.InstanceProfileARN, f.LocalHostname
		identity.Domain, identity.NodeName, identity.Unknown = f.Domain, f.LocalHostname, ""
		if cfg.NodeNameFromInstanceID {
			identity.NodeName = f.InstanceID
		} else {
			identity.NameFromEC2 = true // the name nodeadm, bootstrap.sh and pluto ask DescribeInstances for
		}
		if c := f.Identity.Credentials; c != nil {
			identity.Credentials = &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
		} else {
			identity.NoRole = f.Identity.Err.Error()
			identity.CredentialsInvalid = errors.Is(f.Identity.Err, imds.ErrCredentialsInvalid)
		}
	}
	resolvers := resolversFor(s, f)
	if len(resolvers) > 0 && resolvers[0].Role == probes.RoleVPC {
		facts.VPCResolver = resolvers[0].Addr
	}
	pool := x509.NewCertPool()
	for _, c := range cfg.CACerts {
		pool.AddCert(c)
	}
	calls := &probes.AWSPlan{Region: cfg.Region, ECRAccounts: s.ECRAccounts, Credentials: identity.Credentials, NoCredentials: cmp.Or(identity.Unknown, identity.NoRole), Arch: runtime.GOARCH, Roots: cfg.AWSRoots}
	if f != nil {
		calls.Domain, calls.InstanceID = f.Domain, f.InstanceID
	}
	endpoints := probes.Endpoints(sel)
	for i, e := range endpoints {
		if inputs.Agent(e.Agent) == inputs.AgentNodeadm { // the catalog's caller of EC2; the platform's is pluto on Bottlerocket
			endpoints[i].Agent = string(cfg.Platform().EC2Caller)
		}
		endpoints[i].Via, _ = cfg.Proxies.For(inputs.Agent(endpoints[i].Agent), e.Host) // the inputs validated the proxy URLs
	}
	n := cfg.Network
	return probes.Plan{
		Endpoints: endpoints,
		ProxyFor: func(agent, host string) *url.URL {
			u, _ := cfg.Proxies.For(inputs.Agent(agent), host)
			return u
		},
		Checks:    probes.NodeChecks,
		Selection: sel,
		Resolvers: resolvers,
		IPv6:      n.Family == inputs.IPv6,
		VPCCIDRs:  vpc,
		CA:        pool,
		Timeout:   s.Timeout,
		Facts:     facts,
		Identity:  identity,
		JudgeServiceIP: func(ip netip.Addr) probes.ServiceVerdict {
			j := n.AgainstServiceIP(ip, cfg.Platform().Windows)
			return probes.ServiceVerdict{Mismatch: j.Mismatch != "", Msg: j.Mismatch + j.Agrees, Settled: j.Derived != nil}
		},
		AWS: calls,
	}
}

// resolversFor lists the resolvers to ask: the VPC's (--resolver, or
// AmazonProvidedDNS of the VPC's first CIDR), then the node's own.
func resolversFor(s inputs.Settings, f *imds.Facts) []probes.Resolver {
	var resolvers []probes.Resolver
	switch {
	case s.Resolver.IsValid():
		resolvers = append(resolvers, probes.Resolver{Role: probes.RoleVPC, Addr: s.Resolver})
	case f != nil && len(f.VPCCIDRs) > 0:
		resolvers = append(resolvers, probes.Resolver{Role: probes.RoleVPC, Addr: probes.AmazonProvidedDNS(f.VPCCIDRs[0])})
	}
	if ns, err := probes.NodeNameservers(); err == nil {
		for _, a := range ns {
			if len(resolvers) == 0 || resolvers[0].Addr != a {
				resolvers = append(resolvers, probes.Resolver{Role: probes.RoleNode, Addr: a})
			}
		}
	}
	return resolvers
}

// Run is one whole run. An InputError comes back before anything is
// probed or written; a WriteError after the probes, with the outcome.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	out := &Outcome{Started: time.Now()}
	cfg, settings, f, read, deadline, err := prepare(ctx, o)
	if err != nil {
		return nil, err
	}
	if settings.Exec {
		if _, _, err := bootstrap.HandoverCommand(cfg); err != nil {
			return nil, err
		}
	}
	plan := BuildPlan(cfg, settings, f)
	plan.Deadline, plan.IMDS = deadline, read
	plan.Config = inputResults(o, cfg, settings)
	kctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	plan.Kubelet = probes.KubeletVersionLater(kctx, time.Second)
	out.Config, out.Facts, out.Plan = cfg, f, plan
	rep := (&probes.Runner{}).RunUntil(ctx, plan, settings.Wait, o.Progress)
	out.Server, out.User, out.Interrupted = rep.ServerVersion, rep.User, ctx.Err() != nil
	out.Results = rep.Results
	if rep.ServiceIP.IsValid() { // the certificate's word on a guessed service network is what gets written
		if d := cfg.Network.AgainstServiceIP(rep.ServiceIP, cfg.Platform().Windows).Derived; d != nil {
			cfg.Network = *d
		}
	}

	var writeErr error
	if o.Write {
		if writeErr = write(cfg, o.Stdout); writeErr != nil {
			// The report must not say pass when the node got nothing to boot with.
			out.Results = append(out.Results, probes.WriteFailed(writeErr.Error()))
		} else {
			out.ArgsFile = cfg.ArgsFile
		}
	}
	out.Verdict = report.Decide(out.Results, settings.FailOn)
	out.Exec = settings.Exec
	if out.Interrupted || writeErr != nil { // a run that did not finish, or wrote nothing to boot with, allows nothing, whatever --fail-on says
		out.Verdict.Passed = false
	}
	out.Took = time.Since(out.Started)
	return out, writeErr
}

// inputResults are what the inputs deserve a word about: their warnings,
// a proxy setting no agent can use, and a drop-in nodeadm will not read
// (unless --exec names it itself).
func inputResults(o Options, cfg *inputs.Config, settings inputs.Settings) []report.Result {
	var results []report.Result
	for _, w := range cfg.Warnings {
		if w.Code == report.ProxyInconsistent { // about the path the agents take, so the proxy's check
			results = append(results, report.Result{Kind: report.KindProxy, Status: report.Warn, Code: w.Code, Msg: "proxy: " + w.Message,
				Hint: "give kubelet, containerd and nodeadm one setting: HTTPS_PROXY and NO_PROXY, their lower-case twins the same or unset, in the places named"})
			continue
		}
		results = append(results, probes.ConfigWarning(w.Code, w.Message))
	}
	for _, why := range cfg.ProxyUnusable { // read from the node, so a failed check, not an input error
		results = append(results, report.Result{Kind: report.KindProxy, Status: report.Fail, Code: report.ProxyInvalid, Msg: "proxy: " + why,
			Hint: "write the proxy as http://HOST:PORT where the message says, then restart the unit (or pass --https-proxy to state it)"})
	}
	for _, why := range cfg.NodeadmRefuses { // about the user data, so a failed check, not an input error
		results = append(results, report.Result{Kind: report.KindConfig, Status: report.Fail, Code: report.NodeadmRefusesConfig,
			Msg:  "config: nodeadm refuses the user data's NodeConfig, so nodeadm-config fails and kubelet never starts: " + why,
			Hint: "fix that field in the launch template's user data; nodeadm drops all of the user data for one such part"})
	}
	if o.Write && cfg.Platform().Nodeadm && !settings.Exec && strings.HasPrefix(cfg.ArgsFile, inputs.NodeadmDropInDir) {
		if unit, ignores := inputs.NodeadmIgnoresDropIns(o.Host); ignores {
			results = append(results, probes.DropInIgnored(unit, cfg.ArgsFile))
		}
	}
	return results
}

// write renders the bootstrap arguments and writes them where they go.
func write(cfg *inputs.Config, stdout io.Writer) error {
	data, err := bootstrap.Render(cfg)
	if err != nil {
		return err
	}
	return bootstrap.WriteArgs(cfg.ArgsFile, data, stdout)
}
