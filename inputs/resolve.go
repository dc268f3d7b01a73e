package inputs

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/report"
)

// Config is the validated, derived input of one run: everything the
// renderers and probes need, in typed form.
type Config struct {
	Target           Target
	ClusterName      string
	Endpoint         string // https://host
	EndpointHost     string
	CA               string // base64, white space removed
	CACerts          []*x509.Certificate
	Network          ServiceNetwork
	Region           string
	KubeletExtraArgs string
	// Windows only: Start-EKSBootstrap.ps1's -KubeProxyExtraArgs and
	// -ExcludedSnatCIDRs.
	KubeProxyExtraArgs string
	ExcludedSNAT       []netip.Prefix
	// Bottlerocket only: the eksboot image to run as a bootstrap container.
	BootstrapImage string
	// ContainerSettings are the container's own probe settings (--wait,
	// --timeout, ...), by flag name, for its user data.
	ContainerSettings map[string]string
	// AWSRoots verify AWS endpoints' certificates: the host's trust store
	// in a Bottlerocket bootstrap container, else nil (the system's).
	AWSRoots   *x509.CertPool
	NodeLabels []Label
	Taints     []Taint
	// ClusterDNS is the user data's clusterDNS list, every entry, when the
	// cluster DNS IP came from it; the drop-in restates it unchanged.
	ClusterDNS []string
	// AsRead are the user data's spec.cluster values as nodeadm read them,
	// each "" unless the user data gave it and no flag overrode it.
	AsRead ClusterAsRead
	// NodeadmRefuses is what nodeadm refuses in the user data's NodeConfig,
	// "field: reason" each; any fails the whole user data for nodeadm.
	NodeadmRefuses []string
	// NodeNameFromInstanceID: the NodeConfig turns on nodeadm's
	// InstanceIdNodeName gate, so the node registers as its instance id.
	NodeNameFromInstanceID bool
	// OutpostClusterID is spec.cluster.id of a local cluster on Outposts,
	// which nodeadm's kubeconfig names in its token in place of the name.
	OutpostClusterID string
	ArgsFile         string
	// Proxies are the HTTPS proxy settings of the node's agents.
	Proxies Proxies
	// ProxyUnusable are proxy settings read from the node that its agent
	// cannot use at all, each "what, where, why": every request it makes
	// would fail (a failed check, not an input error).
	ProxyUnusable []string
	Warnings      []Warning
}

// Warning is something about the inputs that works but is worth a look,
// with a stable code as the probes' results have.
// ClusterAsRead is spec.cluster as nodeadm read it from the user data.
type ClusterAsRead struct{ Name, Endpoint, CA, CIDR string }

type Warning struct {
	Code    report.Code
	Message string
}

// InstanceFacts fetches IMDS facts on first use, once per run.
type InstanceFacts struct {
	mu    sync.Mutex
	done  bool
	fetch func() (*imds.Facts, error)
	facts *imds.Facts
	err   error
}

// NewInstanceFacts reads facts from md under ctx when first asked; md nil
// means no IMDS at all.
func NewInstanceFacts(ctx context.Context, md *imds.Client) *InstanceFacts {
	return &InstanceFacts{fetch: func() (*imds.Facts, error) {
		if md == nil {
			return nil, fmt.Errorf("IMDS not available")
		}
		f, err := md.Facts(ctx)
		return &f, err
	}}
}

// KnownFacts wraps facts already in hand (tests, a second pass).
func KnownFacts(f *imds.Facts) *InstanceFacts {
	return &InstanceFacts{fetch: func() (*imds.Facts, error) { return f, nil }}
}

// Get fetches the facts the first time and returns the same answer after.
func (i *InstanceFacts) Get() (*imds.Facts, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.done {
		i.facts, i.err = i.fetch()
		i.done = true
	}
	return i.facts, i.err
}

// Fetched returns the facts if a Get has fetched them already, else nil.
func (i *InstanceFacts) Fetched() *imds.Facts {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.done || i.err != nil {
		return nil
	}
	return i.facts
}

// Resolve validates v and derives the rest. It asks facts for IMDS only
// when a needed value was neither given nor derivable. writes says the
// arguments will be written: only then must the target be known and the
// service network complete; a probe goes on with a neutral Linux judgement.
func Resolve(v Values, h Host, facts *InstanceFacts, now time.Time, writes bool) (*Config, error) {
	c := &Config{}
	err := c.parseCluster(v, now)
	if err != nil {
		return nil, err
	}
	if c.Target, err = ParseTarget(v.Get(FlagTarget), h); err != nil {
		if writes || !targetIsAuto(v.Get(FlagTarget)) {
			return nil, err
		}
		c.Target = undetected()
	}
	if c.NodeLabels, err = ParseLabels(v.List(FlagNodeLabels)); err != nil {
		return nil, err
	}
	c.NodeadmRefuses = NodeadmRefusals(v)
	// A value the user data states and no flag overrides is restated as
	// nodeadm read it: the drop-in is merged over it and must not change it.
	asGiven := func(flag string) string {
		raw := strings.TrimSpace(v.Get(asRead(flag))) // as the input was read from it, to compare; returned as written
		if raw != "" && (v.Get(flag) == raw || flag == FlagServiceCIDR && v.Get(FlagServiceIPv6CIDR) == raw) {
			return v[asRead(flag)][0]
		}
		return ""
	}
	c.AsRead = ClusterAsRead{Name: asGiven(FlagClusterName), Endpoint: asGiven(FlagEndpoint), CA: asGiven(FlagCA), CIDR: asGiven(FlagServiceCIDR)}
	c.NodeNameFromInstanceID = v.Get(nodeNameFromInstanceID) == "true"
	if v.Get(outpost) == "true" {
		c.OutpostClusterID = v.Get(outpostClusterID)
	}
	if err := c.StateProxies(v); err != nil {
		return nil, err
	}
	if place := c.Platform().ProxyPlace; writes && place != "" && c.Proxies.ByAgent != nil {
		c.Warnings = append(c.Warnings, Warning{Code: report.ProxyInconsistent, Message: fmt.Sprintf(
			"--%s: eksboot probes through this proxy, but on %s nothing it writes gives it to kubelet and containerd; set it in %s", FlagHTTPSProxy, c.Target, place)})
	}
	if c.KubeletExtraArgs, err = ParseExtraArgs(v.Get(FlagKubeletExtraArgs), c.Platform()); err != nil {
		return nil, err
	}
	// Kubelet keeps only the last --register-with-taints, so the drop-in
	// states the union: the user data's, ours, then those in the extra args.
	taints := append(v.List(userDataTaints), v.List(FlagTaints)...)
	if c.Platform().Nodeadm {
		if extra, found, rest := lastTaintFlag(strings.Fields(c.KubeletExtraArgs)); found {
			taints = append(taints, (Values{"": {extra}}).List("")...)
			c.KubeletExtraArgs = strings.Join(rest, " ")
		}
	}
	if c.Taints, err = ParseTaints(taints); err != nil {
		return nil, err
	}
	if err := c.parseWindowsOnly(v); err != nil {
		return nil, err
	}
	if err := c.parseBottlerocketOnly(v); err != nil {
		return nil, err
	}
	if c.AWSRoots, err = bottlerocketRoots(); err != nil {
		return nil, err
	}
	if !c.Platform().KubeletCommandLine && strings.TrimSpace(c.KubeletExtraArgs) != "" {
		return nil, Errorf(FlagKubeletExtraArgs, "Bottlerocket has no kubelet command line; set its settings.kubernetes keys in user data instead")
	}
	dnsList := v[userDataClusterDNS]
	fromNodeConfig := len(dnsList) > 0 && v.Get(FlagDNSClusterIP) == dnsList[0] // not overridden by --dns-cluster-ip
	if c.Network, err = ParseNetwork(NetworkInputs{
		IPFamily:     strings.ToLower(v.Get(FlagIPFamily)),
		ServiceCIDR:  v.Get(FlagServiceCIDR),
		ServiceIPv6:  v.Get(FlagServiceIPv6CIDR),
		DNSClusterIP: v.Get(FlagDNSClusterIP),
		// nodeadm checks clusterDNS against nothing: NodeLocal DNSCache's
		// 169.254.20.10 is normal there.
		DNSAnyAddress: fromNodeConfig,
	}); err != nil {
		return nil, err
	}
	if fromNodeConfig {
		c.ClusterDNS = dnsList
	}
	if c.Platform().IPv4Only && c.Network.Family == IPv6 {
		return nil, Errorf(FlagIPFamily, "EKS %s nodes support only ipv4", c.Target)
	}
	if err := c.completeNetwork(facts); err != nil && writes {
		return nil, err
	}
	imdsRegion := func() string {
		if f := facts.Fetched(); f != nil {
			return f.Region
		}
		return ""
	}
	if c.Region, err = ResolveRegion(v.Get(FlagRegion), imdsRegion, c.EndpointHost); err != nil {
		return nil, err
	}
	if c.ArgsFile, err = parseArgsFile(v); err != nil {
		return nil, err
	}
	if c.ArgsFile == "" {
		c.ArgsFile = c.Platform().ArgsFile()
	}
	return c, nil
}

// parseArgsFile reads --args-file: "" for the platform's default. The file
// is replaced (a temp file renamed over it), so what is there already must
// be a regular file: a device, a FIFO or a symlink would be replaced too.
func parseArgsFile(v Values) (string, error) {
	path := v.Get(FlagArgsFile)
	switch {
	case !v.Has(FlagArgsFile):
		return "", nil
	case strings.TrimSpace(path) == "":
		return "", Errorf(FlagArgsFile, "is empty; name the file to write, or %s for stdout", StdoutPath)
	case path == StdoutPath:
		return path, nil
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return "", Errorf(FlagArgsFile, "%q is not a regular file (%s): eksboot replaces the file it writes; name a file, or %s for stdout", path, fi.Mode().Type(), StdoutPath)
	}
	return path, nil
}

// parseCluster reads what names the cluster: its name, its endpoint and
// its CA, whose validity at now may warn.
func (c *Config) parseCluster(v Values, now time.Time) error {
	var err error
	if c.ClusterName, err = ParseClusterName(v.Get(FlagClusterName)); err != nil {
		return err
	}
	if c.Endpoint, c.EndpointHost, err = ParseEndpoint(strings.TrimSpace(v.Get(FlagEndpoint))); err != nil {
		return err
	}
	var warnings []string
	if c.CACerts, warnings, err = ParseCA(v.Get(FlagCA), now); err != nil {
		return err
	}
	c.CA = strings.Join(strings.Fields(v.Get(FlagCA)), "")
	for _, w := range warnings {
		c.Warnings = append(c.Warnings, Warning{report.CAValidity, w})
	}
	return nil
}

// parseWindowsOnly reads the inputs only Start-EKSBootstrap.ps1 takes.
func (c *Config) parseWindowsOnly(v Values) error {
	proxy, cidrs := v.Get(FlagKubeProxyArgs), v.List(FlagExcludedSNAT)
	if !c.Platform().WindowsParams && (proxy != "" || len(cidrs) > 0) {
		flag := FlagKubeProxyArgs
		if proxy == "" {
			flag = FlagExcludedSNAT
		}
		return Errorf(flag, "is for Windows nodes (Start-EKSBootstrap.ps1); --%s %s has no such parameter", FlagTarget, c.Target)
	}
	if i := strings.IndexFunc(proxy, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return Errorf(FlagKubeProxyArgs, "holds a control character (%U at byte %d); pass the flags on one line", rune(proxy[i]), i)
	}
	// kube-proxy's flags reach its Windows service's command line as
	// kubelet's do, where the same characters split or unquote.
	if p := c.Platform(); p.Windows {
		if i := strings.IndexAny(proxy, p.Rereads); i >= 0 {
			return Errorf(FlagKubeProxyArgs, "holds %q at byte %d, which kube-proxy's service command line reads as quoting; pass the flags without %s", proxy[i:i+1], i, spelled(p.Rereads))
		}
	}
	c.KubeProxyExtraArgs = proxy
	for _, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return Errorf(FlagExcludedSNAT, "%q is not an IPv4 CIDR such as 10.10.0.0/16", clip(s))
		}
		c.ExcludedSNAT = append(c.ExcludedSNAT, p.Masked())
	}
	return nil
}

// completeNetwork falls back to bootstrap.sh's VPC guess, the one fact that
// needs IMDS, and insists on a service CIDR where the target needs one.
func (c *Config) completeNetwork(facts *InstanceFacts) error {
	n := &c.Network
	needCIDR := c.Platform().NeedsServiceCIDR
	if n.DNSIP.IsValid() && (n.CIDR.IsValid() || !needCIDR) {
		return nil
	}
	f, err := facts.Get()
	if f != nil && len(f.VPCCIDRs) > 0 {
		if warning := n.CompleteFromVPC(f.VPCCIDRs); warning != "" {
			c.Warnings = append(c.Warnings, Warning{report.DNSIPGuessed, warning})
		}
	}
	switch {
	case !n.DNSIP.IsValid():
		return Errorf(FlagServiceCIDR, "not given, and the VPC CIDRs to guess it from are unknown (%v); pass --%s", err, FlagServiceCIDR)
	case needCIDR && !n.CIDR.IsValid():
		return Errorf(FlagServiceCIDR, "is required for --%s %s, and --%s %s does not tell it; pass the cluster's service CIDR", FlagTarget, c.Target, FlagDNSClusterIP, n.DNSIP)
	}
	return nil
}

// RegionUnknown is the input error of a command that needs the region
// when ResolveRegion found none.
func RegionUnknown() *InputError {
	return Errorf(FlagRegion, "unknown: IMDS did not answer and the endpoint host does not name it; pass --region")
}

// ResolveRegion is the region by SPEC §3's precedence, the one place that
// decides it: given (flag, environment, config), then IMDS (imdsRegion says
// what IMDS gave; callers choose whether it may be asked), then the
// endpoint host; "" when none tells.
func ResolveRegion(given string, imdsRegion func() string, endpointHost string) (string, error) {
	if given != "" {
		r, err := ParseRegion(given)
		// An EKS endpoint names its region; nodes join a cluster of their own region.
		if from := RegionFromEndpointHost(endpointHost); err == nil && from != "" && from != r {
			return "", Errorf(FlagRegion, "is %s, but the API server's endpoint %s is in %s: give the cluster's region, or the endpoint of a cluster in %s", r, endpointHost, from, r)
		}
		return r, err
	}
	if r := imdsRegion(); r != "" {
		return r, nil
	}
	return RegionFromEndpointHost(endpointHost), nil
}
