//go:build !linux

package probes

import "net/netip"

// routeTo is known only on Linux, through netlink.
func routeTo(netip.Addr) string { return "" }
