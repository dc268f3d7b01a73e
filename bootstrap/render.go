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
	switch c.Target {
	case inputs.TargetAL2:
		return []byte(ShellJoin(AL2Args(c)) + "\n"), nil
	case inputs.TargetAL2023:
		return renderNodeConfig(c)
	case inputs.TargetWindows:
		return []byte(renderWindows(c) + "\n"), nil
	case inputs.TargetBottlerocket:
		return renderBottlerocketAll(c)
	}
	return nil, fmt.Errorf("no renderer for target %q", c.Target)
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

// WindowsArgv is the parameters as powershell.exe -File takes them: one
// argv element per parameter, -Name:value, so a value that starts with a
// dash (--max-pods=20) binds to its parameter rather than reading as one.
func WindowsArgv(c *inputs.Config) []string {
	var argv []string
	for _, p := range WindowsArgs(c) {
		argv = append(argv, p.Name+":"+strings.Join(p.Values, ","))
	}
	return argv
}

// The node.eks.aws/v1alpha1 NodeConfig fields eksboot sets, named as in
// nodeadm's api/v1alpha1 types.
type nodeConfig struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Spec       nodeConfigSpec `yaml:"spec"`
}

type nodeConfigSpec struct {
	Cluster clusterDetails `yaml:"cluster"`
	Kubelet kubeletOptions `yaml:"kubelet"`
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
				Name:                 c.ClusterName,
				APIServerEndpoint:    c.Endpoint,
				CertificateAuthority: c.CA,
				CIDR:                 c.Network.CIDR.String(),
			},
			Kubelet: kubeletOptions{
				Config: kubeletConfig{ClusterDNS: []string{c.Network.DNSIP.String()}},
				Flags:  c.KubeletFlags(),
			},
		},
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
	return b.String()
}
