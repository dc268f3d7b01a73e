package probes

import (
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// NodeNameservers are the DNS servers of the node's network adapters that
// are up.
func NodeNameservers() ([]netip.AddrPort, error) {
	size := uint32(15 << 10)
	var buf []byte
	for range 3 {
		buf = make([]byte, size)
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST, 0,
			(*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])), &size)
		if err == nil {
			break
		}
		if !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			return nil, err
		}
	}
	var out []netip.AddrPort
	for aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])); aa != nil; aa = aa.Next {
		if aa.OperStatus != windows.IfOperStatusUp {
			continue
		}
		for dns := aa.FirstDnsServerAddress; dns != nil; dns = dns.Next {
			sa, err := dns.Address.Sockaddr.Sockaddr()
			if err != nil {
				continue
			}
			var a netip.Addr
			switch v := sa.(type) {
			case *syscall.SockaddrInet4:
				a = netip.AddrFrom4(v.Addr)
			case *syscall.SockaddrInet6:
				a = netip.AddrFrom16(v.Addr)
			}
			// fec0:0:0:ffff::1-3 are Windows' placeholder site-local resolvers.
			if a.IsValid() && !(a.Is6() && a.As16()[0] == 0xfe && a.As16()[1] == 0xc0) {
				if ap := netip.AddrPortFrom(a, 53); !slices.Contains(out, ap) {
					out = append(out, ap)
				}
			}
		}
	}
	return out, nil
}
