package hints

import (
	"fmt"
	"net"
	"strings"

	"github.com/eksboot/eksboot/report"
)

// proxyHint says how to fix what the path through the node's HTTPS proxy
// found (SPEC §5); "" for the rest. r.Via names the proxy, r.Host the
// endpoint's host.
func proxyHint(r report.Result, e Endpoint, f NodeFacts) string {
	proxy, through := strings.CutPrefix(r.Via, "proxy ")
	if !through {
		return ""
	}
	bypass := fmt.Sprintf("create the interface VPC endpoint %s with \"Enable private DNS name\" on and add %s to NO_PROXY", e.Service, r.Host)
	if e.Gateway {
		bypass = fmt.Sprintf("add %s to NO_PROXY and reach it through the S3 gateway endpoint %s (associated with the route table of %s)", r.Host, e.Service, f.subnet())
	}
	switch r.Code {
	case report.ProxyUnreachable:
		host, port, _ := net.SplitHostPort(proxy)
		if strings.Contains(r.Msg, "has no address through") {
			return fmt.Sprintf("the node cannot resolve the proxy's name %s: give HTTPS_PROXY the proxy's full name or its address, or make the name resolve from the node (a Route 53 private hosted zone associated with the VPC, or the DHCP options' domain-name for a short name, with the VPC's DNS resolution on)", host)
		}
		return fmt.Sprintf("nothing answered at the proxy %s: check HTTPS_PROXY names the proxy's address and port, the proxy is running and listening on %s, the route table of %s routes to it, the proxy's security group allows inbound TCP %s from %s or %s, and their outbound rules and network ACLs allow it",
			proxy, port, f.subnet(), port, f.subnet(), f.groups())
	case report.ProxyRefused:
		if strings.Contains(r.Msg, " 407 ") {
			return fmt.Sprintf("the proxy %s wants credentials: put them in the proxy URL of HTTPS_PROXY (http://USER:PASSWORD@%s; kubelet and containerd send no others), allow the node's address on the proxy without them, or %s", proxy, proxy, bypass)
		}
		return fmt.Sprintf("the proxy %s refuses %s: allow CONNECT to %s:443 on the proxy (for squid, an acl with dstdomain %s and http_access allow for it, port 443 among the SSL ports), or %s", proxy, r.Host, r.Host, awsDomainOf(r.Host), bypass)
	case report.ProxyCarriesAPI:
		return fmt.Sprintf("add %s to NO_PROXY (and no_proxy) wherever HTTPS_PROXY is set for kubelet (the NodeConfig's spec.instance.environment, the kubelet unit's drop-in, /etc/environment, or Bottlerocket's settings.network.no-proxy): a VPC CIDR in NO_PROXY does not cover a host name, since Go's proxy rules match a CIDR only against a URL whose host is an address", NoProxyEntry(r.Host))
	case report.ProxyInterceptsTLS:
		return fmt.Sprintf("the proxy %s answers TLS for %s with its own certificate (TLS inspection), which kubelet and containerd do not trust: exempt %s from inspection on the proxy (for squid's ssl_bump, splice it), or %s", proxy, r.Host, awsDomainOf(r.Host), bypass)
	case report.TLSTimeout, report.TLSError:
		return fmt.Sprintf("the proxy %s opened the tunnel to %s but TLS through it did not finish: look at the proxy's log for %s, or %s", proxy, r.Host, r.Host, bypass)
	}
	return ""
}

// awsDomainOf is the domain a proxy rule for host names: the partition's
// AWS domain when host is under it.
func awsDomainOf(host string) string {
	for _, d := range []string{".amazonaws.com.cn", ".amazonaws.com", ".api.aws"} {
		if strings.HasSuffix(host, d) {
			return d
		}
	}
	return host
}

// NoProxyEntry is the NO_PROXY entry that keeps host direct: the suffix
// every EKS cluster endpoint shares, or the host itself.
func NoProxyEntry(host string) string {
	for _, suffix := range []string{".eks.amazonaws.com", ".eks.amazonaws.com.cn"} {
		if strings.HasSuffix(host, suffix) {
			return suffix
		}
	}
	return host
}
