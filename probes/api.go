package probes

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/eksboot/eksboot/report"
)

// Bounds on what the API server may send back.
const (
	maxAPIBodyBytes   = 64 << 10
	maxAPIHeaderBytes = 32 << 10
	// maxServerString caps a string the server chose (a version, a user
	// name) before it reaches any output.
	maxServerString = 100
	// maxServerName caps a user or group name for display: room for
	// system:node: and a whole node name (a DNS name, 253 bytes at most).
	maxServerName = 300
)

// handshake runs TLS over conn with SNI host, verified against roots.
func handshake(ctx context.Context, conn net.Conn, host string, roots *x509.CertPool, timeout time.Duration) (*tls.Conn, report.Code, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tc := tls.Client(conn, apiTLSConfig(host, roots))
	err := tc.HandshakeContext(ctx)
	if err == nil {
		return tc, report.OK, nil
	}
	conn.Close()
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var ne net.Error
	switch {
	case errors.As(err, &unknown):
		return nil, report.TLSUnknownCA, err
	case errors.As(err, &hostErr):
		return nil, report.TLSHostname, err
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return nil, report.TLSTimeout, errors.New("handshake did not finish in time")
	}
	return nil, report.TLSError, err
}

func apiTLSConfig(host string, roots *x509.CertPool) *tls.Config {
	return &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
}

// apiClient talks HTTP/1.1 to one verified address of the API server: the
// first request reuses the connection the TLS check made, later ones dial
// the same address again should the server close it. No proxy, bounded
// headers and bodies, each request within timeout.
type apiClient struct {
	addr    netip.AddrPort
	host    string
	client  *http.Client
	timeout time.Duration
	now     func() time.Time // the node's clock, for when an answer came
}

func newAPIClient(first *tls.Conn, addr netip.AddrPort, host string, roots *x509.CertPool, timeout time.Duration, now func() time.Time) *apiClient {
	var once sync.Once
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var reuse net.Conn
		once.Do(func() { reuse = first })
		if reuse != nil {
			return reuse, nil
		}
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr.String())
		if err != nil {
			return nil, err
		}
		tc := tls.Client(c, apiTLSConfig(host, roots))
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, err
		}
		return tc, nil
	}
	tr := &http.Transport{
		DialTLSContext:         dial,
		MaxResponseHeaderBytes: maxAPIHeaderBytes,
		DisableCompression:     true,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{}, // HTTP/1.1 only
	}
	// A redirect is never followed: Go would re-send the token to the same
	// host's subdomains, in clear over http://, and the verdict would come
	// from whatever answered there.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &apiClient{addr: addr, host: host, client: &http.Client{Transport: tr, CheckRedirect: noRedirect}, timeout: timeout, now: now}
}

func (a *apiClient) close() { a.client.CloseIdleConnections() }

// apiAnswer is one bounded response.
type apiAnswer struct {
	status int
	body   []byte
	date   time.Time // the server's Date header; zero when absent
	at     time.Time // when the answer arrived, by the node's clock
}

// do sends one request; token "" means anonymous. The token travels only in
// the Authorization header and never appears in an error.
func (a *apiClient) do(ctx context.Context, method, path, token string, body []byte) (apiAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, "https://"+a.host+path, rd)
	if err != nil {
		return apiAnswer{}, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "eksboot")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) { // *url.Error repeats the URL; the cause is enough
			err = ue.Unwrap()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("no answer in time")
		}
		return apiAnswer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return apiAnswer{}, &redirectError{method: method, path: path, status: resp.StatusCode, location: CleanServerString(cutQuery(resp.Header.Get("Location")))} // a query may carry a credential
	}
	ans := apiAnswer{status: resp.StatusCode, at: a.now()}
	ans.body, err = io.ReadAll(io.LimitReader(resp.Body, maxAPIBodyBytes))
	if err != nil {
		return ans, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		ans.date = d
	}
	return ans, nil
}

// redirectError is a 3xx from the API server, which no request follows:
// the kube-apiserver never redirects these paths, so something else
// answered.
type redirectError struct {
	method, path string
	status       int
	location     string
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("%s %s answered %d, a redirect to %s, which eksboot does not follow (the API server does not redirect; something in the path answered for it)", e.method, e.path, e.status, cmp.Or(e.location, "-"))
}

// healthPaths answer anonymous requests on every EKS version: since
// Kubernetes 1.32 EKS lets anonymous requests reach only these.
var healthPaths = []string{"/readyz", "/livez", "/healthz"}

// healthGrace is how long /readyz is given alone before the other health
// paths are asked: far more than a healthy server takes, far less than a
// timeout.
const healthGrace = 50 * time.Millisecond

// health asks the health endpoints anonymously: /readyz first, and the
// others when it has not answered 200 within healthGrace (at once when it
// answered otherwise), since when etcd is down /readyz answers 500 after
// seconds while the others answer at once, and what each said, and when,
// is the finding. A healthy server is asked /readyz alone, over the
// connection the TLS check made: each other path would open one more. A
// 200 from any passes. The first answer with a Date (in healthPaths order)
// is for the clock check.
func (a *apiClient) health(ctx context.Context) (path string, first apiAnswer, err error) {
	type answer struct {
		ans  apiAnswer
		err  error
		took time.Duration
	}
	answers := make([]answer, len(healthPaths))
	start := time.Now()
	ask := func(i int) {
		ans, err := a.do(ctx, http.MethodGet, healthPaths[i], "", nil)
		answers[i] = answer{ans, err, time.Since(start)}
	}
	var wg sync.WaitGroup
	ready := make(chan struct{})
	wg.Go(func() { defer close(ready); ask(0) })
	readyOK := false
	select {
	case <-ready:
		readyOK = answers[0].err == nil && answers[0].ans.status == http.StatusOK
	case <-time.After(healthGrace):
	}
	if !readyOK {
		for i := 1; i < len(healthPaths); i++ {
			wg.Go(func() { ask(i) })
		}
	}
	wg.Wait()
	for _, h := range answers {
		if h.err == nil && !h.ans.date.IsZero() {
			first = h.ans
			break
		}
	}
	for _, h := range answers {
		var redirect *redirectError
		if errors.As(h.err, &redirect) { // not the API server answering, whatever the others said
			return redirect.path, first, h.err
		}
	}
	said := make([]string, len(answers))
	for i, h := range answers {
		if h.err == nil && h.ans.status == http.StatusOK {
			return healthPaths[i], first, nil
		}
		if h.err != nil {
			said[i] = fmt.Sprintf("%v (after %s)", h.err, roundMS(h.took))
		} else {
			said[i] = fmt.Sprintf("GET %s answered %d after %s", healthPaths[i], h.ans.status, roundMS(h.took))
		}
	}
	return healthPaths[0], first, fmt.Errorf("no health endpoint answered 200: %s", strings.Join(said, "; "))
}

// serverVersion asks GET /version with the node's token, then anonymously
// (clusters before 1.32 allow that); "" when neither answers.
func (a *apiClient) serverVersion(ctx context.Context, token string) (string, error) {
	var lastErr error
	tokens := []string{""}
	if token != "" {
		tokens = []string{token, ""}
	}
	for _, t := range tokens {
		ans, err := a.do(ctx, http.MethodGet, "/version", t, nil)
		if err != nil {
			return "", err
		}
		var v struct {
			GitVersion string `json:"gitVersion"`
		}
		if ans.status == http.StatusOK && json.Unmarshal(ans.body, &v) == nil && v.GitVersion != "" {
			return CleanServerString(v.GitVersion), nil
		}
		lastErr = fmt.Errorf("GET /version answered %d", ans.status)
	}
	if token == "" {
		return "", fmt.Errorf("%w to an anonymous request (EKS 1.32 and later answer /version only to a token)", lastErr)
	}
	return "", fmt.Errorf("%w to the node's token and to an anonymous request", lastErr)
}

// CleanServerString drops control characters from a string the server
// chose and cuts it to a sane length, so it cannot steer a terminal or
// crowd the console.
func CleanServerString(s string) string {
	return cutRunes(dropControl(s), maxServerString)
}

// dropControl drops control characters (and undecodable bytes) from s.
func dropControl(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
}

// cutRunes cuts s to at most limit bytes, at a rune boundary.
func cutRunes(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ServiceIPFromCertificate finds the kubernetes service ClusterIP among the
// API server certificate's IP SANs: the SAN outside the VPC CIDRs (and not
// loopback) that is the first address after a range's base.
func ServiceIPFromCertificate(cert *x509.Certificate, vpcCIDRs []netip.Prefix) (netip.Addr, bool) {
	for _, ip := range cert.IPAddresses {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		a = a.Unmap()
		if a.IsLoopback() || a.IsUnspecified() || inAny(a, vpcCIDRs) {
			continue
		}
		b := a.AsSlice()
		if b[len(b)-1] == 1 {
			return a, true
		}
	}
	return netip.Addr{}, false
}

func inAny(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
