// Package bootstrap turns a Config into what each node platform's bootstrap
// reads (bootstrap.sh arguments, a nodeadm NodeConfig, Start-EKSBootstrap.ps1
// parameters, Bottlerocket settings), writes it atomically, and hands over.
package bootstrap

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/eksboot/eksboot/inputs"
	"go.yaml.in/yaml/v3"
)

// Render returns the bootstrap arguments of c's target, byte for byte what
// is printed or written.
func Render(c *inputs.Config) ([]byte, error) {
	f, ok := formats[c.Target]
	if !ok {
		return nil, fmt.Errorf("no renderer for target %q", c.Target)
	}
	return f.render(c)
}

// AL2Args is the argv for /etc/eks/bootstrap.sh, cluster name first.
func AL2Args(c *inputs.Config) []string {
	args := []string{
		c.ClusterName,
		"--apiserver-endpoint", c.Endpoint,
		"--b64-cluster-ca", c.CA,
		"--dns-cluster-ip", c.Network.DNSIP.String(),
	}
	if c.Network.Family == inputs.IPv6 {
		args = append(args, "--ip-family", inputs.IPv6)
		if c.Network.CIDR.IsValid() {
			args = append(args, "--service-ipv6-cidr", c.Network.CIDR.String())
		}
	}
	if extra := c.KubeletArgsLine(); extra != "" {
		args = append(args, "--kubelet-extra-args", extra)
	}
	return args
}

// WindowsParam is one parameter of Start-EKSBootstrap.ps1 and its value
// (several for an array parameter).
type WindowsParam struct {
	Name   string
	Values []string
}

// WindowsArgs are the parameters for Start-EKSBootstrap.ps1.
func WindowsArgs(c *inputs.Config) []WindowsParam {
	args := []WindowsParam{
		{"-EKSClusterName", []string{c.ClusterName}},
		{"-APIServerEndpoint", []string{c.Endpoint}},
		{"-Base64ClusterCA", []string{c.CA}},
		{"-ServiceCIDR", []string{c.Network.CIDR.String()}},
		{"-DNSClusterIP", []string{c.Network.DNSIP.String()}},
	}
	if extra := c.KubeletArgsLine(); extra != "" {
		args = append(args, WindowsParam{"-KubeletExtraArgs", []string{extra}})
	}
	if c.KubeProxyExtraArgs != "" {
		args = append(args, WindowsParam{"-KubeProxyExtraArgs", []string{strings.TrimSpace(c.KubeProxyExtraArgs)}})
	}
	if len(c.ExcludedSNAT) > 0 {
		cidrs := make([]string, len(c.ExcludedSNAT))
		for i, p := range c.ExcludedSNAT {
			cidrs[i] = p.String()
		}
		args = append(args, WindowsParam{"-ExcludedSnatCIDRs", cidrs})
	}
	return args
}

// renderWindows is the parameters as PowerShell reads them after
// & Start-EKSBootstrap.ps1: verbatim strings, an array as 'a','b'.
func renderWindows(c *inputs.Config) string {
	var parts []string
	for _, p := range WindowsArgs(c) {
		quoted := make([]string, len(p.Values))
		for i, v := range p.Values {
			quoted[i] = PowerShellQuote(v)
		}
		parts = append(parts, p.Name, strings.Join(quoted, ","))
	}
	return strings.Join(parts, " ")
}

// The node.eks.aws/v1alpha1 NodeConfig fields eksboot sets, named as in
// nodeadm's api/v1alpha1 types.
type nodeConfig struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Spec       nodeConfigSpec `yaml:"spec"`
}

type nodeConfigSpec struct {
	Cluster  clusterDetails   `yaml:"cluster"`
	Kubelet  kubeletOptions   `yaml:"kubelet"`
	Instance *instanceOptions `yaml:"instance,omitempty"`
}

// instanceOptions is spec.instance: environment maps "default" (every
// systemd unit, through DefaultEnvironment=, and nodeadm itself) or a
// unit's name to its variables (amazon-eks-ami nodeadm
// api/v1alpha1/nodeconfig_types.go EnvironmentOptions).
type instanceOptions struct {
	Environment map[string]map[string]string `yaml:"environment"`
}

type clusterDetails struct {
	Name                 string `yaml:"name"`
	APIServerEndpoint    string `yaml:"apiServerEndpoint"`
	CertificateAuthority string `yaml:"certificateAuthority"`
	CIDR                 string `yaml:"cidr"`
}

type kubeletOptions struct {
	Config kubeletConfig `yaml:"config"`
	Flags  []string      `yaml:"flags,omitempty"`
}

type kubeletConfig struct {
	ClusterDNS []string `yaml:"clusterDNS"`
}

func renderNodeConfig(c *inputs.Config) ([]byte, error) {
	doc := nodeConfig{
		APIVersion: inputs.NodeConfigAPIVersion,
		Kind:       inputs.NodeConfigKind,
		Spec: nodeConfigSpec{
			Cluster: clusterDetails{
				Name:                 or(c.AsRead.Name, c.ClusterName),
				APIServerEndpoint:    or(c.AsRead.Endpoint, c.Endpoint),
				CertificateAuthority: or(c.AsRead.CA, c.CA),
				CIDR:                 or(c.AsRead.CIDR, c.Network.CIDR.String()),
			},
			Kubelet: kubeletOptions{
				Config: kubeletConfig{ClusterDNS: clusterDNS(c)},
				Flags:  c.KubeletFlags(),
			},
		},
	}
	// The proxy the flags state, for every unit: nodeadm-run reads this
	// drop-in and writes it to systemd before it starts containerd and
	// kubelet. nodeadm-config reads the user data alone, so its own EC2
	// call takes the user data's setting.
	if p, ok := c.Proxies.Stated(); ok {
		env := map[string]string{"HTTPS_PROXY": p.HTTPSProxy}
		if p.NoProxy != "" {
			env["NO_PROXY"] = p.NoProxy
		}
		doc.Spec.Instance = &instanceOptions{Environment: map[string]map[string]string{"default": env}}
	}
	var buf bytes.Buffer
	buf.WriteString("# Written by eksboot for nodeadm; see /etc/eks/nodeadm.d/.\n---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func renderBottlerocket(c *inputs.Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[settings.kubernetes]\n")
	fmt.Fprintf(&b, "cluster-name = %s\n", TOMLQuote(c.ClusterName))
	fmt.Fprintf(&b, "api-server = %s\n", TOMLQuote(c.Endpoint))
	fmt.Fprintf(&b, "cluster-certificate = %s\n", TOMLQuote(c.CA))
	fmt.Fprintf(&b, "cluster-dns-ip = %s\n", TOMLQuote(c.Network.DNSIP.String()))
	if len(c.NodeLabels) > 0 {
		b.WriteString("\n[settings.kubernetes.node-labels]\n")
		for _, l := range c.NodeLabels {
			fmt.Fprintf(&b, "%s = %s\n", TOMLQuote(l.Key), TOMLQuote(l.Value))
		}
	}
	if len(c.Taints) > 0 {
		b.WriteString("\n[settings.kubernetes.node-taints]\n")
		var keys []string
		byKey := map[string][]string{}
		for _, t := range c.Taints {
			if _, seen := byKey[t.Key]; !seen {
				keys = append(keys, t.Key)
			}
			byKey[t.Key] = append(byKey[t.Key], TOMLQuote(t.Value+":"+t.Effect))
		}
		for _, k := range keys {
			fmt.Fprintf(&b, "%s = [%s]\n", TOMLQuote(k), strings.Join(byKey[k], ", "))
		}
	}
	if p, ok := c.Proxies.Stated(); ok { // kubelet, containerd and pluto read these (settings.network)
		fmt.Fprintf(&b, "\n[settings.network]\nhttps-proxy = %s\n", TOMLQuote(p.HTTPSProxy))
		if p.NoProxy != "" {
			quoted := strings.Split(p.NoProxy, ",")
			for i, e := range quoted {
				quoted[i] = TOMLQuote(e)
			}
			fmt.Fprintf(&b, "no-proxy = [%s]\n", strings.Join(quoted, ", "))
		}
	}
	return b.String()
}

// clusterDNS is the user data's own list when it gave one, every entry as
// nodeadm read it: the drop-in is merged over it and must not change it.
func clusterDNS(c *inputs.Config) []string {
	if len(c.ClusterDNS) > 0 {
		return c.ClusterDNS
	}
	return []string{c.Network.DNSIP.String()}
}

// or is the user data's value as nodeadm read it, when there is one.
func or(asRead, ours string) string {
	if asRead != "" {
		return asRead
	}
	return ours
}
