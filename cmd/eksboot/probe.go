package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/eksboot/eksboot/bootstrap"
	"github.com/eksboot/eksboot/diag"
	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/probes"
	"github.com/eksboot/eksboot/run"
)

var probeParams = []string{
	inputs.FlagRequire, inputs.FlagOptional, inputs.FlagECRAccount, inputs.FlagResolver,
	inputs.FlagTimeout, inputs.FlagWait, inputs.FlagFailOn, inputs.FlagOutput, inputs.FlagConsole,
}

var probeCommand = &command{
	name:    "probe",
	summary: "probe DNS, TCP 443, TLS and the API of every endpoint the node needs; writes nothing",
	about: `Reads the inputs and IMDS, then probes at once, under one deadline: the VPC
resolver and the node's own; DNS of each required VPC endpoint and of the
cluster endpoint; TCP 443 to every address returned; TLS to the API server
verified against the given CA; an anonymous GET /readyz; and the node's IAM
identity as the kubelet presents it (a token signed locally with the
instance role's credentials, sent only to the API server in a
SelfSubjectReview), which also gives the server version. Each failure comes
with its fix. Output: a table on a terminal, JSON lines otherwise (--output).
Exit codes: 0 verdict passes, 1 a check failed under --fail-on, 2 invalid input.`,
	example: "eksboot probe --config imds://user-data --require ssm --timeout 2s --output text",
	params:  append(append([]string{}, inputParams...), probeParams...),
	run: func(ctx context.Context, e *env) error {
		return runAgent(ctx, e, false)
	},
}

var runCommand = &command{
	name:    "run",
	summary: "probe, write the bootstrap arguments, and with --exec hand over to the platform bootstrap",
	about: `Everything probe does, then writes the bootstrap arguments for --target
(whenever the inputs are valid, so a failed node still shows what it would
have run), and with --exec, when the verdict passes, hands over: AL2 execs
/etc/eks/bootstrap.sh, AL2023 execs nodeadm init on the written NodeConfig,
Windows runs Start-EKSBootstrap.ps1.
Exit codes: 0 verdict passes, 1 a check failed under --fail-on, 2 invalid
input (nothing written), 3 the arguments could not be written.`,
	example: "eksboot run --target al2 --exec --cluster-name prod --apiserver-endpoint https://ABC.gr7.eu-west-1.eks.amazonaws.com --b64-cluster-ca \"$CA\" --service-ipv4-cidr 10.100.0.0/16",
	params:  append(append([]string{}, inputParams...), append(probeParams, inputs.FlagArgsFile, inputs.FlagExec)...),
	run: func(ctx context.Context, e *env) error {
		return runAgent(ctx, e, true)
	},
}

// verdictError carries a failed verdict's exit code once the report is out.
type verdictError struct{ code int }

func (v *verdictError) Error() string { return "" }

func runAgent(ctx context.Context, e *env, write bool) error {
	format, err := outputFormat(e, "")
	if err != nil {
		return err
	}
	settings, err := inputs.ParseSettings(e.in.values, probes.KnownName)
	if err != nil {
		return e.in.origins.Attribute(err)
	}
	o := run.Options{Values: e.in.values, Origins: e.in.origins, Settings: settings, IMDS: e.in.imds, Host: inputs.ThisHost(), Write: write, Stdout: e.stdout}
	if format == inputs.FormatText {
		o.Progress = liveLine(e)
	}
	// SIGTERM (a unit's TimeoutStartSec, SSM's timeout), SIGHUP (an SSM
	// session closing) or SIGINT ends the probes at once; what is known is
	// still published, marked interrupted.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	out, err := run.Run(ctx, o)
	if out == nil {
		return err
	}
	outputs := diag.Outputs{Stdout: e.stdout, JSON: format == inputs.FormatJSON, Style: diag.Style{Color: colour(e)}, Stderr: e.stderr}
	if write && out.Config.ArgsFile == inputs.StdoutPath {
		outputs.Stdout = e.stderr // the arguments own stdout
	}
	if !bottlerocketConsole(e, &outputs) {
		if console, cerr := diag.OpenConsole(e.in.values.Get(inputs.FlagConsole)); cerr != nil {
			fmt.Fprintf(e.stderr, "eksboot: warning: %v\n", cerr)
		} else if console != nil {
			defer console.Close()
			outputs.Console = console
		}
	}
	if outputs.Journal = diag.OpenJournal(); outputs.Journal != nil && format == inputs.FormatJSON && diag.StdoutIsJournal() {
		outputs.Stdout = nil // the structured entries say it already
	}
	rep := diag.Report{Run: diag.NewRunID(), Results: out.Results, Summary: diag.Summary{Verdict: out.Verdict, ArgsFile: out.ArgsFile, Target: string(out.Config.Target), Server: out.Server, User: out.User, Took: out.Took, Interrupted: out.Interrupted,
		Node: where(out.Facts)}}
	if perr := outputs.Publish(rep); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if !out.Verdict.Passed {
		return &verdictError{code: exitFailed}
	}
	setBottlerocketDNSIP(ctx, out.Config, e.stderr)
	if out.Exec {
		code, err := bootstrap.Handover(out.Config)
		if err != nil {
			return err
		}
		if code != 0 {
			return &verdictError{code: code}
		}
	}
	return nil
}

// where says where this run ran: IMDS's facts (none when it did not
// answer) and this eksboot's version.
func where(f *imds.Facts) diag.Node {
	n := diag.Node{Version: version}
	if f != nil {
		n.InstanceID, n.InstanceType, n.AMIID, n.AZ, n.AZID = f.InstanceID, f.InstanceType, f.AMIID, f.AvailabilityZone, f.AvailabilityZoneID
		n.VPCID, n.SubnetID, n.SecurityGroups = f.VPCID, f.SubnetID, f.SecurityGroupIDs
		if f.SubnetCIDR.IsValid() {
			n.SubnetCIDR = f.SubnetCIDR.String()
		}
	}
	return n
}

// liveLine keeps one line on stderr saying what --wait still waits for.
func liveLine(e *env) func([]string, time.Duration) {
	tty := isTerminal(e.stderr)
	return func(failing []string, left time.Duration) {
		msg := fmt.Sprintf("eksboot: still failing: %s; re-probing for %s more", strings.Join(failing, ", "), left.Round(time.Second))
		if tty {
			fmt.Fprintf(e.stderr, "\r\x1b[K%s", msg)
		} else {
			fmt.Fprintln(e.stderr, msg)
		}
	}
}

// colour is on for a terminal, unless NO_COLOR is set (no-color.org).
func colour(e *env) bool {
	return isTerminal(e.stdout) && e.getenv("NO_COLOR") == ""
}

// outputFormat is --output from any source, checked; when unset, def, or
// by default text on a terminal and json otherwise.
func outputFormat(e *env, def string) (string, error) {
	f, err := inputs.ParseOutput(e.in.values, def, isTerminal(e.stdout))
	return f, e.in.origins.Attribute(err)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

var endpointsCommand = &command{
	name:    "endpoints",
	summary: "list the endpoints that would be probed for this region and options",
	about: `Lists each endpoint eksboot would probe, with its host name, VPC endpoint
service name, kind and whether its failure fails the verdict. The region comes
from --region, IMDS (1 s at most) or the endpoint host.`,
	example: "eksboot endpoints --region eu-west-1 --require ssm,ssmmessages,ec2messages --ecr-account 123456789012",
	params: []string{inputs.FlagRegion, inputs.FlagEndpoint, inputs.FlagRequire, inputs.FlagOptional,
		inputs.FlagECRAccount, inputs.FlagOutput, inputs.FlagConfig, inputs.FlagIMDSEndpoint, inputs.FlagHTTPSProxy, inputs.FlagNoProxy},
	run: func(ctx context.Context, e *env) error {
		format, err := outputFormat(e, "")
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, renderIMDSBudget)
		defer cancel()
		vals, origins := e.in.values, e.in.origins
		settings, err := inputs.ParseSettings(vals, probes.KnownName)
		if err != nil {
			return origins.Attribute(err)
		}
		// The plan is the one a run would make, from what is known here.
		cfg := &inputs.Config{EndpointHost: unknownAPIHost}
		var endpointHost string
		if ep := vals.Get(inputs.FlagEndpoint); ep != "" {
			if _, endpointHost, err = inputs.ParseEndpoint(ep); err != nil {
				return origins.Attribute(err)
			}
			cfg.EndpointHost = endpointHost
		}
		facts := inputs.NewInstanceFacts(ctx, e.in.imds)
		imdsRegion := func() string {
			if f, err := facts.Get(); err == nil {
				return f.Region
			}
			return ""
		}
		if cfg.Region, err = inputs.ResolveRegion(vals.Get(inputs.FlagRegion), imdsRegion, endpointHost); err != nil {
			return origins.Attribute(err)
		}
		if cfg.Region == "" {
			return inputs.RegionUnknown()
		}
		// Each endpoint's path is its agent's, read where this node keeps it.
		host := inputs.ThisHost()
		if cfg.Target, err = inputs.ParseTarget("", host); err != nil {
			cfg.Target = inputs.TargetNeutral
		}
		if err := cfg.StateProxies(vals); err != nil {
			return origins.Attribute(err)
		}
		cfg.ReadNodeProxies(vals, host)
		return diag.WriteEndpoints(e.stdout, listing(run.BuildPlan(cfg, settings, facts.Fetched())), format == inputs.FormatJSON)
	},
}

// unknownAPIHost stands for the API server's host in `eksboot endpoints`
// without --apiserver-endpoint.
const unknownAPIHost = "(--apiserver-endpoint)"

// listing is what `eksboot endpoints` shows of a plan.
func listing(p probes.Plan) diag.Listing {
	l := diag.Listing{NotProbed: probes.NotProbed(p.Selection)}
	for _, ep := range p.Endpoints {
		path := probes.Via(ep.Via)
		if ep.Host == unknownAPIHost {
			path = "" // no host to decide it for
		}
		l.Endpoints = append(l.Endpoints, diag.ListedEndpoint{Name: ep.Name, Host: ep.Host, Service: ep.Service, Kind: string(ep.Kind), Required: ep.Required,
			Agent: ep.Agent, Path: path, Why: ep.Why})
	}
	for _, c := range p.Checks {
		onFailure := "warn"
		switch {
		case c.Required:
			onFailure = "fail"
		case c.RequiredOnWindows:
			onFailure = "fail on Windows, else warn"
		}
		l.Checks = append(l.Checks, diag.ListedCheck{Name: c.Name, OnFailure: onFailure, Why: c.Why})
	}
	return l
}
