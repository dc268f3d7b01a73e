package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/eksboot/eksboot/bootstrap"
	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/probes"
)

// Exit codes (SPEC §6).
const (
	exitOK      = 0
	exitFailed  = 1
	exitInput   = 2
	exitWriting = 3
)

type command struct {
	name    string
	summary string
	about   string
	example string
	params  []string
	args    string // positional arguments, for usage; "" means none
	many    bool   // more than one positional argument is fine
	run     func(ctx context.Context, e *env) error
}

// env is what a command may touch of the world.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	args   []string // positional arguments
	in     gathered
}

// gathered are every source merged once, in main (SPEC §3: flag >
// environment > config file; IMDS and derived values come in Resolve):
// the one value each command reads its inputs from.
type gathered struct {
	values  inputs.Values
	origins inputs.Origins
	imds    *imds.Client      // --imds-endpoint's client; it read user data if --config asked
	typed   map[string]string // the flags given, as typed, by param name
}

var commands = []*command{runCommand, probeCommand, renderCommand, endpointsCommand, explainCommand, versionCommand}

// Main runs eksboot with args and returns the exit code.
func Main(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		topUsage(stdout)
		if len(args) == 0 {
			return exitInput
		}
		return exitOK
	}
	cmd := findCommand(args[0])
	if cmd == nil {
		fmt.Fprintf(stderr, "eksboot: unknown command %q; see eksboot --help\n", args[0])
		return exitInput
	}
	flags, typed, positional, err := parseArgs(cmd, args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		commandUsage(stdout, cmd)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "eksboot %s: %v; see eksboot %s --help\n", cmd.name, err, cmd.name)
		return exitInput
	}
	e.args = positional
	if len(cmd.params) > 0 {
		vals, origins, md, err := inputs.Gather(context.Background(), flags, getenv, slices.Contains(cmd.params, inputs.FlagConfig))
		if err != nil {
			return exitCode(stderr, err)
		}
		origins.Typed(typed)
		e.in = gathered{values: vals, origins: origins, imds: md, typed: typed}
	}
	return exitCode(stderr, cmd.run(context.Background(), e))
}

// parseArgs reads cmd's flags, before or after its positional arguments:
// the values by param name, each flag as typed, and the positional ones.
func parseArgs(cmd *command, args []string) (inputs.Values, map[string]string, []string, error) {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags, typed := inputs.Values{}, map[string]string{}
	for _, name := range cmd.params {
		p, _ := inputs.ParamByName(name)
		for _, n := range []string{p.Name, p.Alias} {
			// The last value given wins, and an error names it as it
			// was typed (--service-cidr or --service-ipv4-cidr).
			set := func(s string) error {
				flags[p.Name], typed[p.Name] = append(flags[p.Name], s), "--"+n
				return nil
			}
			switch {
			case n == "":
			case p.Bool:
				fs.BoolFunc(n, p.Usage, set)
			default:
				fs.Func(n, p.Usage, set)
			}
		}
	}
	var positional []string
	for rest := args; ; rest = fs.Args()[1:] {
		if err := fs.Parse(rest); err != nil {
			return nil, nil, nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
	}
	if len(positional) > 0 && (cmd.args == "" || len(positional) > 1 && !cmd.many) {
		return nil, nil, nil, fmt.Errorf("unexpected argument %q", positional[len(positional)-1])
	}
	return flags, typed, positional, nil
}

func exitCode(stderr io.Writer, err error) int {
	var inputErr *inputs.InputError
	var writeErr *bootstrap.WriteError
	var verdict *verdictError
	var usage *usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "eksboot: %v\n", err)
		return exitInput
	case err == nil:
		return exitOK
	case errors.As(err, &verdict):
		return verdict.code
	case errors.As(err, &inputErr):
		fmt.Fprintf(stderr, "eksboot: %v\n", err)
		return exitInput
	case errors.As(err, &writeErr):
		fmt.Fprintf(stderr, "eksboot: %v\n", err)
		return exitWriting
	}
	fmt.Fprintf(stderr, "eksboot: %v\n", err)
	return exitFailed
}

// usageError is a wrong use of a command that names no flag: exit 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func isHelp(s string) bool { return s == "-h" || s == "--help" || s == "-help" }

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func topUsage(w io.Writer) {
	fmt.Fprint(w, "eksboot checks that a node of a private EKS cluster can reach what it needs,\nand writes its kubelet bootstrap arguments.\n\nUsage: eksboot COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun eksboot COMMAND --help for its flags and an example.\n")
}

func commandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: eksboot %s [flags]%s\n\n%s\n\nExample:\n  %s\n", c.name, map[bool]string{true: " " + c.args, false: ""}[c.args != ""], c.about, c.example)
	if len(c.params) == 0 {
		return
	}
	fmt.Fprint(w, "\nFlags (each also set by its environment variable, or its key in the config file):\n")
	for _, name := range c.params {
		p, _ := inputs.ParamByName(name)
		flagName := "--" + p.Name
		if p.Alias != "" {
			flagName += ", --" + p.Alias
		}
		fmt.Fprintf(w, "  %s\n      %s\n      env %s; e.g. --%s %s\n", flagName, p.Usage, p.EnvName(), p.Name, p.Example)
	}
}

// resolve validates the inputs for writing. IMDS is asked only for what
// the inputs leave open, within budget.
func resolve(ctx context.Context, e *env, budget time.Duration) (*inputs.Config, error) {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	cfg, err := inputs.Resolve(e.in.values, inputs.ThisHost(), inputs.NewInstanceFacts(ctx, e.in.imds), time.Now(), true)
	if err != nil {
		return nil, e.in.origins.Attribute(err)
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(e.stderr, "eksboot: warning: %s\n", w.Message)
	}
	return cfg, nil
}

var inputParams = []string{
	inputs.FlagClusterName, inputs.FlagEndpoint, inputs.FlagCA,
	inputs.FlagServiceCIDR, inputs.FlagServiceIPv6CIDR, inputs.FlagDNSClusterIP,
	inputs.FlagIPFamily, inputs.FlagTarget, inputs.FlagRegion,
	inputs.FlagKubeletExtraArgs, inputs.FlagNodeLabels, inputs.FlagTaints, inputs.FlagKubeProxyArgs, inputs.FlagExcludedSNAT,
	inputs.FlagConfig, inputs.FlagIMDSEndpoint, inputs.FlagHTTPSProxy, inputs.FlagNoProxy,
}

// renderIMDSBudget is all the time render gives IMDS, so it answers at once
// on a laptop.
const renderIMDSBudget = time.Second

var renderCommand = &command{
	name:    "render",
	summary: "print (or write) the bootstrap arguments for a node platform; no probes",
	about: `Validates the inputs and prints the bootstrap arguments for --target:
  al2           one line of shell-quoted arguments for /etc/eks/bootstrap.sh
  al2023        a nodeadm NodeConfig (node.eks.aws/v1alpha1)
  windows       one line of parameters for Start-EKSBootstrap.ps1
  bottlerocket  [settings.kubernetes] TOML for user data
Output goes to stdout unless --args-file names a file, which is replaced
atomically. IMDS is read only for a fact not given (1 s at most).
Exit codes: 0 written, 2 invalid input (nothing written), 3 could not write.`,
	example: "eksboot render --target al2023 --cluster-name prod --apiserver-endpoint https://ABC.gr7.eu-west-1.eks.amazonaws.com --b64-cluster-ca \"$CA\" --service-ipv4-cidr 10.100.0.0/16",
	params:  append(append(append([]string{}, inputParams...), inputs.FlagArgsFile, inputs.FlagBootstrapImage), inputs.ContainerSettingParams...),
	run: func(ctx context.Context, e *env) error {
		argsFile := inputs.StdoutPath // render writes to stdout unless --args-file says otherwise
		if _, given := e.in.typed[inputs.FlagArgsFile]; given {
			argsFile = e.in.values.Get(inputs.FlagArgsFile)
		}
		if _, err := inputs.ParseSettings(e.in.values, probes.KnownName); err != nil {
			return e.in.origins.Attribute(err)
		}
		cfg, err := resolve(ctx, e, renderIMDSBudget)
		if err != nil {
			return err
		}
		// Probe settings go into the container's user data. Without a
		// container, a typed one is a mistake, and one from the
		// environment or a config file is this machine's probe setting.
		if cfg.BootstrapImage != "" {
			cfg.ContainerSettings = inputs.ContainerSettings(e.in.values)
		}
		for _, name := range inputs.ContainerSettingParams {
			if _, typed := e.in.typed[name]; typed && cfg.BootstrapImage == "" {
				return inputs.Errorf(name, "is for the bootstrap container's run on the node; give --%s too (render itself probes nothing)", inputs.FlagBootstrapImage)
			}
		}
		if u, _ := cfg.Proxies.For(inputs.AgentKubelet, cfg.EndpointHost); u != nil && cfg.Platform().ProxyPlace == "" {
			fmt.Fprintf(e.stderr, "eksboot: warning: --%s does not cover the API server's host %s, so kubelet would send its traffic to the proxy and never register; add %s\n",
				inputs.FlagNoProxy, cfg.EndpointHost, hints.NoProxyEntry(cfg.EndpointHost))
		}
		out, err := bootstrap.Render(cfg)
		if err != nil {
			return err
		}
		return bootstrap.WriteArgs(argsFile, out, e.stdout)
	},
}

var versionCommand = &command{
	name:    "version",
	summary: "print version, commit, Go version and OS/arch",
	about:   "Prints eksboot's version and build.",
	example: "eksboot version",
	run: func(_ context.Context, e *env) error {
		goVersion := runtime.Version()
		if info, ok := debug.ReadBuildInfo(); ok && info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		fmt.Fprintf(e.stdout, "eksboot %s (commit %s) %s %s/%s\n", version, commit, strings.TrimSpace(goVersion), runtime.GOOS, runtime.GOARCH)
		return nil
	},
}
