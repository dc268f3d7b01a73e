package probes

import (
	"net"
	"net/netip"
	"strings"

	"github.com/vishvananda/netlink"
)

// routeTo says which way the kernel would send packets to a: the output
// interface, source address and gateway, as `ip route get` does.
func routeTo(a netip.Addr) string {
	routes, err := netlink.RouteGet(net.IP(a.AsSlice()))
	if err != nil || len(routes) == 0 {
		return ""
	}
	r := routes[0]
	var parts []string
	if r.Gw != nil {
		parts = append(parts, "via "+r.Gw.String())
	}
	if link, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
		parts = append(parts, "dev "+link.Attrs().Name)
	}
	if r.Src != nil {
		parts = append(parts, "src "+r.Src.String())
	}
	return strings.Join(parts, " ")
}
