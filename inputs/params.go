// Package inputs gathers eksboot's inputs (flags, environment, config file,
// user data, IMDS) into one set of values, validates them, and derives what
// they leave open: the Config a run probes with and the renderers write.
package inputs

import (
	"errors"
	"regexp"
	"strings"
)

// Param is one input a user can set: a flag, an EKSBOOT_ environment
// variable and a config-file key, all spelled from Name.
type Param struct {
	Name    string
	Alias   string // a second flag name accepted for the same input
	Usage   string
	Example string
	Bool    bool // a switch: --name alone means true
	List    bool // repeatable; values may also be comma-separated
}

// EnvName is the environment variable that sets p.
func (p Param) EnvName() string {
	return "EKSBOOT_" + strings.ToUpper(strings.ReplaceAll(p.Name, "-", "_"))
}

// Names of the inputs, so code never spells a flag twice.
const (
	FlagClusterName      = "cluster-name"
	FlagEndpoint         = "apiserver-endpoint"
	FlagCA               = "b64-cluster-ca"
	FlagServiceCIDR      = "service-ipv4-cidr"
	FlagServiceIPv6CIDR  = "service-ipv6-cidr"
	FlagDNSClusterIP     = "dns-cluster-ip"
	FlagIPFamily         = "ip-family"
	FlagTarget           = "target"
	FlagRegion           = "region"
	FlagArgsFile         = "args-file"
	FlagKubeletExtraArgs = "kubelet-extra-args"
	FlagNodeLabels       = "node-labels"
	FlagTaints           = "register-with-taints"
	FlagConfig           = "config"
	FlagIMDSEndpoint     = "imds-endpoint"
	FlagRequire          = "require"
	FlagOptional         = "optional"
	FlagECRAccount       = "ecr-account"
	FlagResolver         = "resolver"
	FlagTimeout          = "timeout"
	FlagWait             = "wait"
	FlagFailOn           = "fail-on"
	FlagExec             = "exec"
	FlagOutput           = "output"
	FlagConsole          = "console"
	FlagKubeProxyArgs    = "kube-proxy-extra-args"
	FlagExcludedSNAT     = "excluded-snat-cidrs"
	FlagBootstrapImage   = "bootstrap-container"
	FlagHTTPSProxy       = "https-proxy"
	FlagNoProxy          = "no-proxy"
)

// Params lists every input eksboot knows. Commands pick the ones they take.
var Params = []Param{
	{Name: FlagClusterName, Usage: "the EKS cluster's name", Example: "prod-eu"},
	{Name: FlagEndpoint, Usage: "the cluster's API server endpoint, https://HOST as describe-cluster prints it", Example: "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"},
	{Name: FlagCA, Usage: "base64 of the cluster's CA bundle (certificateAuthority.data of describe-cluster)", Example: "LS0tLS1CRUdJTi..."},
	{Name: FlagServiceCIDR, Alias: "service-cidr", Usage: "the cluster's service IPv4 CIDR (kubernetesNetworkConfig.serviceIpv4Cidr)", Example: "10.100.0.0/16"},
	{Name: FlagServiceIPv6CIDR, Usage: "the cluster's service IPv6 CIDR, for IPv6 clusters", Example: "fd30:1c53:5f8a::/108"},
	{Name: FlagDNSClusterIP, Usage: "the cluster DNS IP; default: service CIDR base + 10", Example: "10.100.0.10"},
	{Name: FlagIPFamily, Usage: "ipv4 or ipv6; default: the family of the service CIDR given, else ipv4", Example: "ipv4"},
	{Name: FlagTarget, Usage: "node platform: auto, al2, al2023, windows, bottlerocket", Example: "al2023"},
	{Name: FlagRegion, Usage: "AWS region; default: IMDS, else parsed from the endpoint host", Example: "eu-west-1"},
	{Name: FlagArgsFile, Usage: "where the bootstrap arguments go; - is stdout", Example: "/etc/eksboot/bootstrap.args"},
	{Name: FlagKubeletExtraArgs, Usage: "extra kubelet flags, passed through safely quoted", Example: "--max-pods=58"},
	{Name: FlagNodeLabels, Usage: "node labels, key=value,...; repeatable", Example: "team=data,tier=batch", List: true},
	{Name: FlagTaints, Usage: "node taints, key=value:Effect,...; repeatable", Example: "dedicated=gpu:NoSchedule", List: true},
	{Name: FlagConfig, Usage: "a YAML config file (our flag names as keys, or a NodeConfig), or imds://user-data", Example: "imds://user-data"},
	{Name: FlagIMDSEndpoint, Usage: "IMDS base URL", Example: "http://[fd00:ec2::254]"},
	{Name: FlagRequire, Usage: "endpoints or checks whose failure fails the verdict (eksboot endpoints lists them); repeatable", Example: "ssm,logs", List: true},
	{Name: FlagOptional, Usage: "endpoints or checks whose failure only warns (eksboot endpoints lists them); repeatable", Example: "sts", List: true},
	{Name: FlagECRAccount, Usage: "extra ECR registry accounts to probe; repeatable", Example: "123456789012", List: true},
	{Name: FlagResolver, Usage: "the VPC resolver, IP[:PORT]; default AmazonProvidedDNS (primary VPC CIDR base + 2)", Example: "10.0.0.2"},
	{Name: FlagTimeout, Usage: "one probe's time limit", Example: "2s"},
	{Name: FlagWait, Usage: "re-probe what failed until it passes or this much time has gone", Example: "3m"},
	{Name: FlagFailOn, Usage: "which results fail the verdict: required, any, never", Example: "any"},
	{Name: FlagExec, Usage: "after writing, hand over to the platform's bootstrap if the verdict allows", Example: "", Bool: true},
	{Name: FlagOutput, Usage: "text or json; default text on a terminal, else json", Example: "json"},
	{Name: FlagKubeProxyArgs, Usage: "Windows: extra kube-proxy flags, for Start-EKSBootstrap.ps1's -KubeProxyExtraArgs", Example: "--v=2"},
	{Name: FlagExcludedSNAT, Usage: "Windows: IPv4 CIDRs pod traffic to which is not SNATed, for Start-EKSBootstrap.ps1's -ExcludedSnatCIDRs; repeatable", Example: "10.10.0.0/16,192.168.0.0/16", List: true},
	{Name: FlagBootstrapImage, Usage: "Bottlerocket: the eksboot image, by digest, to run as an essential bootstrap container", Example: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eksboot@sha256:<64 hex>"},
	{Name: FlagHTTPSProxy, Usage: "the HTTPS proxy kubelet, containerd and nodeadm use (HTTPS_PROXY), when not read from the node", Example: "http://proxy.internal:3128"},
	{Name: FlagNoProxy, Usage: "the hosts, domains and CIDRs they reach directly (NO_PROXY), with --https-proxy; repeatable", Example: ".eks.amazonaws.com,10.0.0.0/16,169.254.169.254", List: true},
	{Name: FlagConsole, Usage: "the serial console device for diagnostics; default /dev/console (Linux), COM1 (Windows); none disables", Example: "/dev/ttyS0"},
}

// ParamByName returns the Param called name (or aliased so).
func ParamByName(name string) (Param, bool) {
	for _, p := range Params {
		if p.Name == name || (p.Alias != "" && p.Alias == name) {
			return p, true
		}
	}
	return Param{}, false
}

// Values holds raw input values by param name, as one source gave them.
type Values map[string][]string

// Get returns the last value of name, or "".
func (v Values) Get(name string) string {
	vals := v[name]
	if len(vals) == 0 {
		return ""
	}
	return vals[len(vals)-1]
}

// Has reports whether name was given at all.
func (v Values) Has(name string) bool {
	_, ok := v[name]
	return ok
}

// List returns every value of name, comma-separated items split out and
// blanks dropped.
func (v Values) List(name string) []string {
	var out []string
	for _, val := range v[name] {
		for _, item := range strings.Split(val, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// Merge returns the values of sources in order of precedence: for each
// name, the first source that has it wins whole.
func Merge(sources ...Values) Values {
	out := Values{}
	for _, src := range sources {
		for name, vals := range src {
			if !out.Has(name) {
				out[name] = vals
			}
		}
	}
	return out
}

// FromEnv reads the EKSBOOT_ variables of params through getenv.
func FromEnv(params []Param, getenv func(string) string) (Values, Origins) {
	out, origins := Values{}, Origins{}
	for _, p := range params {
		for _, name := range p.envNames() {
			if val := getenv(name); val != "" {
				out[p.Name], origins[p.Name] = []string{val}, Origin{Name: name}
				break
			}
		}
	}
	return out, origins
}

// envNames are the variables that set p, its own name's first: a flag's
// alias has its variable too, as its config key does.
func (p Param) envNames() []string {
	names := []string{p.EnvName()}
	if p.Alias != "" {
		names = append(names, Param{Name: p.Alias}.EnvName())
	}
	return names
}

// Origin is where an input's value came from, named as the user gave it.
type Origin struct {
	// Name: the flag as typed (--service-cidr), the environment variable,
	// the config key or NodeConfig field with its file.
	Name string
	// UserData: the value came from the instance's user data, which no
	// output may quote.
	UserData bool
}

// Origins are the inputs' origins, by param name.
type Origins map[string]Origin

// quotedValue is a value as %q prints it.
var quotedValue = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// Attribute names in an input error the origin of the value at fault, and
// strips the quoted value when it came from user data.
func (o Origins) Attribute(err error) error {
	var ie *InputError
	if !errors.As(err, &ie) {
		return err
	}
	if org, ok := o[ie.Flag]; ok {
		ie.Source = org.Name
		if org.UserData {
			ie.Problem = quotedValue.ReplaceAllString(ie.Problem, "the value")
		}
	}
	return err
}

// Typed names the flags as the user typed them (an alias, say), by param
// name; flags outrank every other source, so they are the origin.
func (o Origins) Typed(names map[string]string) {
	for n, typed := range names {
		o[n] = Origin{Name: typed}
	}
}

// originsOf names every value of v as coming from src.
func originsOf(v Values, name func(Param) string) Origins {
	out := Origins{}
	for n := range v {
		if p, ok := ParamByName(n); ok {
			out[n] = Origin{Name: name(p)}
		}
	}
	return out
}
