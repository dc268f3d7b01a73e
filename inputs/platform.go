package inputs

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Target is a node platform eksboot writes bootstrap arguments for.
type Target string

// Targets, each a row of Platforms.
const (
	TargetAL2          Target = "al2"
	TargetAL2023       Target = "al2023"
	TargetWindows      Target = "windows"
	TargetBottlerocket Target = "bottlerocket"
	// TargetNeutral is what a probe judges by when auto cannot tell the
	// platform and nothing is written: Linux, no platform's particulars.
	TargetNeutral Target = "linux"
)

// auto is --target's default: the platform is detected on the node.
const auto = "auto"

// Platform is everything eksboot knows of one node platform besides how
// it renders and hands over (bootstrap's formats): one row of Platforms.
type Platform struct {
	Target Target
	// Detect says whether --target auto picks this platform on h; nil
	// never does. Rows are tried in order.
	Detect func(h Host) bool
	// ArgsFile is where run writes the arguments unless --args-file says.
	ArgsFile func() string
	// NeedsServiceCIDR: the bootstrap takes the service CIDR itself, not
	// only the cluster DNS IP.
	NeedsServiceCIDR bool
	// IPv4Only: EKS supports only IPv4 nodes of this platform.
	IPv4Only bool
	// Windows: pod DNS goes to -DNSClusterIP through the -ServiceCIDR
	// routes (a wrong service CIDR fails), the role needs an EC2_WINDOWS
	// entry, and Start-EKSBootstrap.ps1's own parameters apply.
	Windows bool
	// WindowsParams: -KubeProxyExtraArgs and -ExcludedSnatCIDRs are taken
	// (Windows, and a neutral probe that writes nothing).
	WindowsParams bool
	// KubeletCommandLine: --kubelet-extra-args has somewhere to go.
	KubeletCommandLine bool
	// Rereads are the characters the platform's service manager reads as
	// quoting, escaping or a specifier in kubelet's arguments, so they
	// would not reach kubelet as written: systemd's environment files and
	// ExecStart splitting; a Windows service's command line.
	Rereads string
	// SettingsAPI: Bottlerocket's settings model types the inputs (the
	// cluster name is a label value), and its API takes what eksboot sets
	// (the cluster DNS IP) when eksboot runs as a bootstrap container. The
	// agents' proxy is its settings.network, rendered into proxy.env.
	SettingsAPI bool
	// BootstrapContainers: --bootstrap-container is taken (Bottlerocket,
	// and a neutral probe that writes nothing).
	BootstrapContainers bool
	// Nodeadm: nodeadm merges the user data with eksboot's drop-in,
	// appending kubelet flags (kubelet keeps the last of each).
	Nodeadm bool
	// ProxyPlace is where the operator must set kubelet's and containerd's
	// proxy on a platform whose bootstrap arguments cannot carry it; ""
	// where eksboot writes --https-proxy into what it renders.
	ProxyPlace string
	// EC2Caller is the agent that asks EC2 (DescribeInstances) for the
	// node's name before kubelet starts: the ec2 endpoint's path is its.
	EC2Caller Agent
}

// Platforms are the targets, in the order --target's help names them.
// Their Detect functions exclude one another, so auto does not depend on
// the order.
var Platforms = []Platform{
	{Target: TargetAL2, Detect: func(h Host) bool {
		return !onWindows(h) && !hasNodeadm(h) && h.Exists != nil && h.Exists(AL2BootstrapScript)
	},
		ArgsFile:           func() string { return "/etc/eksboot/bootstrap.args" },
		KubeletCommandLine: true, Rereads: `'"\%`,
		ProxyPlace: "the kubelet and containerd units' drop-ins (/etc/systemd/system/kubelet.service.d/ and containerd.service.d/: Environment=HTTPS_PROXY=... NO_PROXY=...)",
		EC2Caller:  AgentNodeadm},
	{Target: TargetAL2023, Detect: func(h Host) bool { return !onWindows(h) && hasNodeadm(h) },
		ArgsFile:         func() string { return NodeadmDropInDir + "eksboot.yaml" },
		NeedsServiceCIDR: true, KubeletCommandLine: true, Rereads: `'"\`, Nodeadm: true, EC2Caller: AgentNodeadm},
	{Target: TargetWindows, Detect: onWindows,
		ArgsFile:         windowsArgsFile,
		NeedsServiceCIDR: true, IPv4Only: true, Windows: true, WindowsParams: true, KubeletCommandLine: true, Rereads: `"`,
		ProxyPlace: "the machine-scoped HTTPS_PROXY and NO_PROXY variables ([Environment]::SetEnvironmentVariable(..., 'Machine')) before the kubelet and containerd services start",
		EC2Caller:  AgentNodeadm},
	{Target: TargetBottlerocket, Detect: func(h Host) bool { return !onWindows(h) && InBottlerocketContainer() },
		ArgsFile: func() string { return StdoutPath }, SettingsAPI: true, BootstrapContainers: true, EC2Caller: AgentPluto},
	{Target: TargetNeutral, ArgsFile: func() string { return StdoutPath }, WindowsParams: true, KubeletCommandLine: true, BootstrapContainers: true, EC2Caller: AgentNodeadm},
}

// Agents are the agents on p's nodes, in Agents' order: kubelet,
// containerd, p's caller of EC2, and the rest.
func (p Platform) Agents() []Agent {
	return slices.DeleteFunc(slices.Clone(Agents), func(a Agent) bool {
		return (a == AgentNodeadm || a == AgentPluto) && a != p.EC2Caller
	})
}

// windowsArgsFile is where a Windows node's run writes its line; off
// Windows (a workstation rehearsing one) there is no such directory, and
// the line goes to stdout.
func windowsArgsFile() string {
	if runtime.GOOS != "windows" {
		return StdoutPath
	}
	return filepath.Join(programData(), "eksboot", "bootstrap-args.ps1")
}

func onWindows(h Host) bool  { return h.GOOS == "windows" }
func hasNodeadm(h Host) bool { return h.LookPath != nil && lookPathOK(h, "nodeadm") }

// PlatformOf is t's row; the neutral one for a target it does not know.
func PlatformOf(t Target) Platform {
	if i := slices.IndexFunc(Platforms, func(p Platform) bool { return p.Target == t }); i >= 0 {
		return Platforms[i]
	}
	return PlatformOf(TargetNeutral)
}

// Platform is c's row of Platforms.
func (c *Config) Platform() Platform { return PlatformOf(c.Target) }

// Targets lists the targets --target names.
func Targets() []Target {
	var out []Target
	for _, p := range Platforms {
		if p.Target != TargetNeutral {
			out = append(out, p.Target)
		}
	}
	return out
}

// ParseTarget reads --target; auto is resolved on h by each platform's
// Detect (Windows by OS, AL2023 by nodeadm, AL2 by /etc/eks/bootstrap.sh,
// Bottlerocket by what host-ctr mounts into a bootstrap container).
func ParseTarget(s string, h Host) (Target, error) {
	t := Target(strings.ToLower(s))
	names := make([]string, 0, len(Platforms))
	for _, known := range Targets() {
		names = append(names, string(known))
	}
	if t != "" && t != auto {
		if !slices.Contains(Targets(), t) {
			return "", Errorf(FlagTarget, "%q is not one of auto, %s", s, strings.Join(names, ", "))
		}
		return t, nil
	}
	for _, p := range Platforms {
		if p.Detect != nil && p.Detect(h) {
			return p.Target, nil
		}
	}
	last := len(names) - 1
	return "", Errorf(FlagTarget, "auto cannot tell this node's platform (no nodeadm, no %s); pass --target %s or %s", AL2BootstrapScript, strings.Join(names[:last], ", "), names[last])
}

// undetected is the target of a probe that auto could not place and that
// writes nothing: the neutral Linux judgement.
func undetected() Target { return TargetNeutral }

// targetIsAuto says whether --target's value s asks for detection.
func targetIsAuto(s string) bool { return s == "" || strings.EqualFold(s, auto) }
