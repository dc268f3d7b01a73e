package probes

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
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
// via is each host's path (Plan.viaFor). A connection the runner opened
// early for the check (Check.Opens) is taken before any is dialed.
func awsClient(ctx context.Context, ap *AWSPlan, timeout time.Duration, via func(host string) *url.URL) *http.Client {
	dial, early := awsDialTLS(ap, timeout, via), earlyFrom(ctx)
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil, // the path is awsDialTLS's: refusals are judged as the endpoint's
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     timeout,
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
// (directly, or through a CONNECT tunnel of the proxy the agent uses), then
// TLS verified with ap.Roots as the agents verify AWS. A tunnel that did
// not open, or TLS through it that did not verify, is the endpoint's own
// proxy finding, so the call was not reached (errNotReached).
func awsDialTLS(ap *AWSPlan, timeout time.Duration, via func(host string) *url.URL) func(ctx context.Context, network, addr string) (net.Conn, error) {
	dial := ap.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		proxy := via(host)
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
		if err != nil && proxy != nil && tlsThroughCode(err) == report.ProxyInterceptsTLS {
			return nil, tunnelFailed{err}
		}
		return tc, err
	}
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
