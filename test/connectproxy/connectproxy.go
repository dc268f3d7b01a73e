// Package connectproxy is an HTTPS proxy on loopback for tests: it answers
// CONNECT as squid does, opening a tunnel, refusing a host with a status
// (403, 407, 502), or intercepting TLS with a certificate from a CA of its
// own (a TLS-inspecting proxy), and logs what it was asked.
package connectproxy

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eksboot/eksboot/test/testpki"
)

// Proxy is one proxy; set its fields before the first client connects.
type Proxy struct {
	// Addr is where it listens (HOST:PORT).
	Addr string
	// Upstream is the address a tunnel to target (HOST:PORT) dials; nil
	// dials target itself.
	Upstream func(target string) string
	// Refuse answers CONNECT to a host (its name, no port) with a status;
	// "*" refuses every host.
	Refuse map[string]int
	// Inspect, when set, makes the proxy terminate TLS in the tunnel with a
	// leaf for the target from this CA, as a TLS-inspecting proxy does.
	Inspect *testpki.CA
	// TLS, when set, makes it an https:// proxy: clients speak TLS to it
	// first.
	TLS *tls.Certificate

	mu  sync.Mutex
	log []Request
}

// Request is one CONNECT the proxy was asked.
type Request struct {
	Target string // HOST:PORT of the request line
	Host   string // its Host header
	// Auth is the Proxy-Authorization header it carried, "" for none.
	Auth   string
	Status int // what the proxy answered
}

// Start serves p on addr ("127.0.0.1:0" for any port) until the test ends.
func Start(t testing.TB, addr string, p *Proxy) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.Addr = l.Addr().String()
	if p.TLS != nil {
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{*p.TLS}})
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { p.serve(c) })
		}
	}()
	return p
}

// Log is every CONNECT asked so far.
func (p *Proxy) Log() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.log...)
}

func (p *Proxy) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	rec := Request{Target: req.RequestURI, Host: req.Host, Auth: req.Header.Get("Proxy-Authorization")}
	answer := func(status int, extra string) {
		rec.Status = status
		p.mu.Lock()
		p.log = append(p.log, rec)
		p.mu.Unlock()
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\n%sContent-Length: 0\r\n\r\n", status, http.StatusText(status), extra)
	}
	if req.Method != http.MethodConnect {
		answer(http.StatusMethodNotAllowed, "")
		return
	}
	host, _, _ := strings.Cut(req.RequestURI, ":")
	status, refused := p.Refuse[host]
	if !refused {
		status, refused = p.Refuse["*"]
	}
	if refused {
		extra := ""
		if status == http.StatusProxyAuthRequired {
			extra = "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
		}
		answer(status, extra)
		return
	}
	target := req.RequestURI
	if p.Upstream != nil {
		target = p.Upstream(target)
	}
	up, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		answer(http.StatusBadGateway, "")
		return
	}
	defer up.Close()
	answer(http.StatusOK, "")
	c.SetDeadline(time.Time{})
	var client net.Conn = c
	if p.Inspect != nil {
		leaf, err := p.Inspect.Leaf([]string{host})
		if err != nil {
			return
		}
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{leaf}})
		if tc.Handshake() != nil { // the client did not trust it: the finding
			return
		}
		client = tc
		up = tls.Client(up, &tls.Config{InsecureSkipVerify: true}) // an inspecting proxy's own trust, not the test's concern
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, client); done <- struct{}{} }()
	go func() { io.Copy(client, up); done <- struct{}{} }()
	<-done
}
