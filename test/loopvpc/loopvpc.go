// Package loopvpc stands up the parts of a private VPC on loopback for
// tests: DNS servers answering from a zone, an API server with TLS from a
// test CA, and plain TCP listeners for the other endpoints.
package loopvpc

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eksboot/eksboot/test/testpki"
	"github.com/miekg/dns"
)

// Zone is what a test DNS server answers: addresses by name, or an rcode,
// or silence.
type Zone struct {
	mu     sync.Mutex
	addrs  map[string][]string
	cnames map[string]string
	rcodes map[string]int
	silent map[string]bool
}

// NewZone returns an empty zone.
func NewZone() *Zone {
	return &Zone{addrs: map[string][]string{}, cnames: map[string]string{}, rcodes: map[string]int{}, silent: map[string]bool{}}
}

// Set points name at addrs.
func (z *Zone) Set(name string, addrs ...string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.addrs[dns.Fqdn(name)] = addrs
}

// Rcode makes name answer with rc.
func (z *Zone) Rcode(name string, rc int) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.rcodes[dns.Fqdn(name)] = rc
}

// Silence makes name go unanswered.
func (z *Zone) Silence(name string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.silent[dns.Fqdn(name)] = true
}

// CNAME makes name an alias of target, and name only that.
func (z *Zone) CNAME(name, target string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	delete(z.addrs, dns.Fqdn(name))
	z.cnames[dns.Fqdn(name)] = dns.Fqdn(target)
}

// ServeDNS answers from the zone.
func (z *Zone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	z.mu.Lock()
	defer z.mu.Unlock()
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	if z.silent[name] {
		return
	}
	resp := new(dns.Msg)
	resp.SetReply(req)
	if rc, ok := z.rcodes[name]; ok {
		resp.Rcode = rc
		w.WriteMsg(resp)
		return
	}
	if target, ok := z.cnames[name]; ok {
		resp.Answer = append(resp.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: target})
		name = target
	}
	addrs, ok := z.addrs[name]
	if !ok {
		if _, isCNAME := z.cnames[strings.ToLower(q.Name)]; !isCNAME {
			resp.Rcode = dns.RcodeNameError
		}
	}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		hdr := dns.RR_Header{Name: name, Class: dns.ClassINET, Ttl: 60}
		switch {
		case ip.To4() != nil && q.Qtype == dns.TypeA:
			hdr.Rrtype = dns.TypeA
			resp.Answer = append(resp.Answer, &dns.A{Hdr: hdr, A: ip})
		case ip.To4() == nil && q.Qtype == dns.TypeAAAA:
			hdr.Rrtype = dns.TypeAAAA
			resp.Answer = append(resp.Answer, &dns.AAAA{Hdr: hdr, AAAA: ip})
		}
	}
	w.WriteMsg(resp)
}

// StartDNS serves z on addr over UDP and TCP until the test ends.
func StartDNS(t testing.TB, addr string, z *Zone) netip.AddrPort {
	t.Helper()
	pc, err := listenPacketRetrying(addr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	udp := &dns.Server{PacketConn: pc, Handler: z}
	tcp := &dns.Server{Listener: l, Handler: z}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	// Shutdown does nothing to a server whose goroutine has not started
	// yet, so the sockets are closed here too: the next test binds them.
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown(); pc.Close(); l.Close() })
	return netip.MustParseAddrPort(pc.LocalAddr().String())
}

// listenPacketRetrying binds addr, waiting up to two seconds for it to be
// free: the previous test's resolver on the same fixed address has been
// seen to stay bound for a moment after its Close returned (under -race),
// and a test must not fail for that.
func listenPacketRetrying(addr string) (net.PacketConn, error) {
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		pc, err := net.ListenPacket("udp", addr)
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			return pc, err
		}
	}
}

// CA is the test PKI's CA, with test-failing helpers.
type CA struct{ *testpki.CA }

// NewCA makes a CA called cn.
func NewCA(t testing.TB, cn string) *CA {
	t.Helper()
	ca, err := testpki.NewCA(cn)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{ca}
}

// ServerCert issues a serving certificate for dnsNames and ips.
func (ca *CA) ServerCert(t testing.TB, dnsNames []string, ips ...string) tls.Certificate {
	t.Helper()
	cert, err := ca.Leaf(dnsNames, ips...)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// ListenTCP accepts and holds connections on addr:443 until the test ends.
func ListenTCP(t testing.TB, addr string) { ServeRaw(t, addr, "") }

// ServeAPI serves h on addr:443 with TLS from cert until the test ends.
func ServeAPI(t testing.TB, addr string, cert tls.Certificate, h http.Handler) {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "443"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	tl := tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}})
	go srv.Serve(tl)
	t.Cleanup(func() { srv.Close() })
}

// ServeRaw accepts on addr:443 and writes reply (nothing: hold silent).
func ServeRaw(t testing.TB, addr string, reply string) {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "443"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if reply != "" {
				c.Write([]byte(reply))
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
}
