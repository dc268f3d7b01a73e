package bootstrap

import (
	"encoding/base64"
	"fmt"
	"maps"
	"strings"

	"github.com/eksboot/eksboot/inputs"
	"go.yaml.in/yaml/v3"
)

// BootstrapContainerName is the name under settings.bootstrap-containers;
// the unit that runs it is bootstrap-containers@eksboot.service.
const BootstrapContainerName = "eksboot"

// renderBootstrapContainer is the [settings.bootstrap-containers.eksboot]
// table: mode "always" so every boot is checked, not only the first, and
// essential so a failed verdict stops the boot before kubelet.
func renderBootstrapContainer(c *inputs.Config) (string, error) {
	ud, err := containerUserData(c)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n[settings.bootstrap-containers.%s]\n", BootstrapContainerName)
	fmt.Fprintf(&b, "source = %s\n", TOMLQuote(c.BootstrapImage))
	b.WriteString("mode = \"always\"\n")
	b.WriteString("essential = true\n")
	fmt.Fprintf(&b, "user-data = %s\n", TOMLQuote(base64.StdEncoding.EncodeToString(ud)))
	return b.String(), nil
}

// containerUserData is eksboot's own config for the container, in the form
// --config reads (flag names as keys). It repeats the cluster inputs so the
// container needs nothing else to probe with.
func containerUserData(c *inputs.Config) ([]byte, error) {
	m := map[string]string{
		inputs.FlagTarget:      string(c.Target),
		inputs.FlagClusterName: c.ClusterName,
		inputs.FlagEndpoint:    c.Endpoint,
		inputs.FlagCA:          c.CA,
	}
	if c.Network.DNSIP.IsValid() {
		m[inputs.FlagDNSClusterIP] = c.Network.DNSIP.String()
	}
	if c.Network.CIDR.IsValid() {
		flag := inputs.FlagServiceCIDR
		if c.Network.Family == inputs.IPv6 {
			flag = inputs.FlagServiceIPv6CIDR
		}
		m[flag] = c.Network.CIDR.String()
	}
	if c.Network.Family != "" {
		m[inputs.FlagIPFamily] = c.Network.Family
	}
	if c.Region != "" {
		m[inputs.FlagRegion] = c.Region
	}
	maps.Copy(m, c.ContainerSettings)
	return yaml.Marshal(m)
}

// renderBottlerocketAll is the settings TOML, with the bootstrap container
// when an image is given.
func renderBottlerocketAll(c *inputs.Config) ([]byte, error) {
	out := renderBottlerocket(c)
	if c.BootstrapImage == "" {
		return []byte(out), nil
	}
	bc, err := renderBootstrapContainer(c)
	if err != nil {
		return nil, err
	}
	return []byte(out + bc), nil
}
