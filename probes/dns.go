package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/eksboot/eksboot/report"
	"github.com/miekg/dns"
)

// Resolver is a DNS server the node may ask.
type Resolver struct {
	Role string         // "VPC resolver" or "node resolver"
	Addr netip.AddrPort // where it answers
}

func (r Resolver) String() string { return fmt.Sprintf("%s %s", r.Role, r.Addr.Addr()) }

// Resolver roles.
const (
	RoleVPC  = "VPC resolver"
	RoleNode = "node resolver"
)

// AmazonProvidedDNS is the VPC resolver: the primary VPC CIDR's base + 2.
func AmazonProvidedDNS(primaryVPC netip.Prefix) netip.AddrPort {
	a := primaryVPC.Masked().Addr().Next().Next()
	return netip.AddrPortFrom(a, 53)
}

// ResolvConfNameservers reads the nameserver lines of a resolv.conf.
func ResolvConfNameservers(path string) ([]netip.AddrPort, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []netip.AddrPort
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "nameserver" {
			if a, err := netip.ParseAddr(fields[1]); err == nil {
				ap := netip.AddrPortFrom(a.WithZone(""), 53)
				if !slices.Contains(out, ap) {
					out = append(out, ap)
				}
			}
		}
	}
	return out, nil
}

// maxCNAMEHops bounds CNAME chains the resolver left for us to follow.
const maxCNAMEHops = 8

// lookupResult is one resolver's answer for one host and type.
type lookupResult struct {
	addrs   []netip.Addr
	code    report.Code // OK, or a dns_* code
	err     error
	elapsed time.Duration
}

// lookup asks r for host's records of qtype (A or AAAA), with EDNS0, over
// TCP again when the UDP answer is truncated, following CNAMEs.
func lookup(ctx context.Context, r netip.AddrPort, host string, qtype uint16, timeout time.Duration) lookupResult {
	name := dns.Fqdn(host)
	for hop := 0; hop < maxCNAMEHops; hop++ {
		resp, err := exchange(ctx, r, name, qtype, timeout)
		if err != nil {
			code := report.DNSError // garbage, an oversize answer, TCP refused after truncation
			if errors.Is(err, errNoAnswer) {
				code = report.DNSTimeout
			}
			return lookupResult{code: code, err: err}
		}
		switch resp.Rcode {
		case dns.RcodeSuccess:
		case dns.RcodeNameError:
			return lookupResult{code: report.DNSNXDomain, err: errors.New("NXDOMAIN")}
		case dns.RcodeServerFailure:
			return lookupResult{code: report.DNSServFail, err: errors.New("SERVFAIL")}
		case dns.RcodeRefused:
			return lookupResult{code: report.DNSRefused, err: errors.New("REFUSED")}
		default:
			return lookupResult{code: report.DNSServFail, err: fmt.Errorf("rcode %s", dns.RcodeToString[resp.Rcode])}
		}
		addrs, next := answerAddrs(resp, name)
		if len(addrs) > 0 {
			return lookupResult{addrs: addrs, code: report.OK}
		}
		if next == "" {
			return lookupResult{code: report.DNSNoData, err: errors.New("no address records")}
		}
		name = next
	}
	return lookupResult{code: report.DNSServFail, err: errors.New("CNAME chain too long")}
}

func exchange(ctx context.Context, r netip.AddrPort, name string, qtype uint16, timeout time.Duration) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)
	c := &dns.Client{Net: "udp", Timeout: timeout}
	resp, _, err := c.ExchangeContext(ctx, m, r.String())
	if errors.Is(err, syscall.ECONNREFUSED) {
		return nil, errNoAnswer // no resolver on the address at all
	}
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, m, r.String())
	}
	if err != nil {
		return nil, describeNetErr(err)
	}
	return resp, nil
}

// answerAddrs collects the addresses at the end of name's CNAME chain in
// the answer section, or returns the chain's last name to ask for next.
func answerAddrs(resp *dns.Msg, name string) ([]netip.Addr, string) {
	target := strings.ToLower(name)
	for range maxCNAMEHops {
		found := false
		for _, rr := range resp.Answer {
			if c, ok := rr.(*dns.CNAME); ok && strings.ToLower(c.Hdr.Name) == target {
				target, found = strings.ToLower(c.Target), true
				break
			}
		}
		if !found {
			break
		}
	}
	var addrs []netip.Addr
	for _, rr := range resp.Answer {
		if strings.ToLower(rr.Header().Name) != target {
			continue
		}
		var ip net.IP
		switch v := rr.(type) {
		case *dns.A:
			ip = v.A
		case *dns.AAAA:
			ip = v.AAAA
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			addrs = append(addrs, a.Unmap())
		}
	}
	if len(addrs) == 0 && target != strings.ToLower(name) {
		return nil, target
	}
	return addrs, ""
}

// errNoAnswer is a resolver that said nothing in time.
var errNoAnswer = errors.New("no answer in time")

func describeNetErr(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return errNoAnswer
	}
	return fmt.Errorf("an unusable answer: %w", err)
}

// IsPrivate reports whether a is an address a VPC endpoint could have:
// inside a VPC CIDR, RFC 1918, or an IPv6 ULA.
func IsPrivate(a netip.Addr, vpcCIDRs []netip.Prefix) bool {
	for _, p := range vpcCIDRs {
		if p.Contains(a) {
			return true
		}
	}
	return a.IsPrivate()
}
