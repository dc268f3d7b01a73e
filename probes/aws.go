package probes

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/eksboot/eksboot/report"
)

// AWSPlan is what the calls of the node's agents need: who signs them and
// for which instance and region.
type AWSPlan struct {
	Region, Domain string
	InstanceID     string
	ECRAccounts    []string // --ecr-account registries, asked GET /v2/ with the token
	// Credentials are the node role's from IMDS (IdentityPlan's); nil
	// skips every call, and NoCredentials says why.
	Credentials   *aws.Credentials
	NoCredentials string
	// Arch is the platform's architecture in OCI's words (amd64, arm64):
	// the manifest list entry containerd would pick.
	Arch string
	// Roots verify AWS endpoints' certificates; nil is the system's.
	Roots *x509.CertPool
	// SkipEC2 says why this platform's agents make no DescribeInstances
	// call; "" means they do.
	SkipEC2 string
	// Dial is the seam tests use to stand in for the network; nil dials.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// maxAWSBody caps what is read of any AWS answer: the calls' answers are a
// few KiB, a manifest at most tens.
const maxAWSBody = 256 << 10

// awsAnswer is one AWS response, read whole up to the cap.
type awsAnswer struct {
	status int
	header http.Header
	body   []byte
}

// errNotReached marks a call whose connect failed: the endpoint's own TCP
// check reports that.
var errNotReached = errors.New("not reached")

// awsClient is an HTTP client for one check's calls that follows no
// redirect (the one hop the ECR pull needs is made by hand). It keeps one
// connection per host between the check's calls, so the pull's registry
// requests share one TLS handshake; awsCall closes it when the check ends.
// A connection the runner opened early for the check (Check.Opens) is
// taken before any is dialed.
func awsClient(ctx context.Context, p Plan) *http.Client {
	dial, early := awsDialTLS(p), earlyFrom(ctx)
	return &http.Client{
		Timeout: p.Timeout,
		Transport: &http.Transport{
			Proxy:               nil, // the path is awsDialTLS's: refusals are judged as the endpoint's
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     p.Timeout,
			DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if ec, ok := early.take(ctx, addr); ok {
					return ec.conn, ec.err
				}
				return dial(ctx, network, addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// send sends req and reads the answer; a request whose connect never
// succeeded fails with errNotReached. A connection kept from an earlier
// call of the check was reached.
func send(c *http.Client, req *http.Request) (awsAnswer, error) {
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			if err == nil {
				connected.Store(true)
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				connected.Store(true)
			}
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := c.Do(req)
	if err != nil {
		// Only a failed connect is the endpoint's own finding: its check
		// does not speak TLS to AWS directly, so a TLS failure is this
		// call's. Through a proxy the endpoint's check finds both.
		if !connected.Load() || errors.Is(err, errNotReached) {
			return awsAnswer{}, fmt.Errorf("%w: %w", errNotReached, redactURL(err))
		}
		return awsAnswer{}, redactURL(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAWSBody))
	if err != nil {
		return awsAnswer{}, redactURL(err)
	}
	return awsAnswer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// redactURL drops the query of any URL an error quotes: a presigned URL's
// query is a credential.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, cutQuery(ue.URL), ue.Err)
	}
	return err
}

func cutQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// awsDialTLS is how the calls reach a host: by its endpoint's path
// (directly, or through a CONNECT tunnel of the proxy the agent uses, as
// Plan.viaFor says), then TLS verified with the AWS roots as the agents
// verify AWS. A tunnel that did not open is the endpoint's own proxy
// finding, so the call was not reached (errNotReached); so is TLS through
// it that failed as it must have failed for the endpoint's own TLS check
// through the same tunnel (tunnelTLSFound).
func awsDialTLS(p Plan) func(ctx context.Context, network, addr string) (net.Conn, error) {
	ap, timeout := p.AWS, p.Timeout
	dial := ap.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		proxy := p.viaFor(host)
		var c net.Conn
		var err error
		switch {
		case proxy == nil:
			c, err = dial(ctx, network, addr)
		case proxySupported(proxy) != "":
			return nil, tunnelFailed{errors.New(proxySupported(proxy))}
		default:
			c, err = openTunnel(ctx, dial, proxy, addr, ap.Roots, timeout)
			if err != nil {
				return nil, tunnelFailed{err}
			}
		}
		if err != nil {
			return nil, err
		}
		tc, err := verifiedTLS(ctx, c, host, ap.Roots, timeout)
		if err != nil && proxy != nil && p.tunnelTLSFound(host, err) {
			return nil, tunnelFailed{err}
		}
		return tc, err
	}
}

// tunnelTLSFound says whether TLS to host through the proxy failed as the
// endpoint's own TLS check through the tunnel to that host must have
// failed too: a certificate that does not verify (the proxy's own, or
// another), or an answer that is not TLS on a host an endpoint checks. A
// stall or a reset can be this call's alone, and stays its finding; so
// does a non-TLS answer on a host no endpoint checks (the layer bucket's).
func (p Plan) tunnelTLSFound(host string, err error) bool {
	if tlsThroughCode(err) == report.ProxyInterceptsTLS { // any failed verification: it saw a certificate
		return true
	}
	var notTLS tls.RecordHeaderError
	return errors.As(err, &notTLS) && slices.ContainsFunc(p.Endpoints, func(e Endpoint) bool {
		return e.Kind != Cluster && e.Via != nil && e.Host == host
	})
}

// signQuery signs a form POST of AWS's Query protocol (EC2, STS) with the
// SDK's signer.
func signQuery(ctx context.Context, creds aws.Credentials, host, service, region, form string, now time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+host+"/", strings.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return req, sign(ctx, creds, req, []byte(form), service, region, now)
}

func sign(ctx context.Context, creds aws.Credentials, req *http.Request, body []byte, service, region string, now time.Time) error {
	h := sha256.Sum256(body)
	return v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(h[:]), service, region, now.UTC())
}

// awsResult is a result of one call; hint is filled by the check.
func awsResult(endpoint, host, action string) report.Result {
	return report.Result{Kind: report.KindAWS, Endpoint: endpoint, Host: host, Action: action, Status: report.Pass, Code: report.OK}
}

// notReached is the skip of a call the endpoint's TCP or TLS already
// failed.
func notReached(r report.Result, err error) report.Result {
	r.Status, r.Code = report.Skip, report.OK
	r.Msg = fmt.Sprintf("%s: %s not asked: the endpoint was not reached (%v); its own results say why", r.Endpoint, r.Action, err)
	return r
}
