//go:build !windows

package probes

import "net/netip"

// ResolvConfPath is the node's resolver configuration.
const ResolvConfPath = "/etc/resolv.conf"

// NodeNameservers are the DNS servers the node's own lookups go to.
func NodeNameservers() ([]netip.AddrPort, error) {
	return ResolvConfNameservers(ResolvConfPath)
}
