// Package imds reads what the instance metadata service tells of this
// instance: where it is, its network, its role and credentials, its user
// data; IMDSv2 only, every call and every answer bounded.
package imds

import (
	"cmp"
	"context"
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

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2imds "github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// CallTimeout bounds each IMDS call.
const CallTimeout = time.Second

// Bounds on IMDS answers: 64 KiB for a fact; user data, which EC2 caps at
// 16 KiB, with room for an encoding wrapped around it.
const (
	maxIMDSBytes     = 64 << 10
	maxUserDataBytes = 32 << 10
)

// Facts are what IMDS tells about this instance. Zero values mean unknown.
type Facts struct {
	Region           string
	AvailabilityZone string
	AccountID        string
	InstanceID       string
	InstanceType     string
	MAC              string
	LocalIPv4        netip.Addr
	VPCCIDRs         []netip.Prefix // IPv4 first, the primary CIDR leading
	VPCIPv6CIDRs     []netip.Prefix
	SubnetCIDR       netip.Prefix
	SecurityGroupIDs []string
	Domain           string // the partition's DNS suffix, e.g. amazonaws.com
	LocalHostname    string // the private DNS name the node registers as
	Identity         Identity
	// Where the node is, for the summary and the fleet report.
	AMIID, AvailabilityZoneID, VPCID, SubnetID string
}

// Client reads instance metadata with IMDSv2: one session token for the run,
// no fallback to IMDSv1, each call within CallTimeout.
type Client struct {
	client   *ec2imds.Client
	endpoint string
	// Now is the node's clock, which credentials' Expiration is read
	// against; nil means time.Now.
	Now func() time.Time
}

func (m *Client) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Endpoint is the base URL asked ("" for the default), without user info.
func (m *Client) Endpoint() string { return m.endpoint }

// New returns an IMDS client; endpoint "" means the default
// (http://169.254.169.254).
func New(endpoint string) *Client {
	return &Client{endpoint: endpoint, client: ec2imds.New(ec2imds.Options{
		HTTPClient:     cappedClient{imdsHTTP},
		Endpoint:       endpoint,
		EnableFallback: aws.FalseTernary,
		Retryer:        aws.NopRetryer{},
	})}
}

func (m *Client) get(ctx context.Context, path string) (string, error) {
	growStack()
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	out, err := m.client.GetMetadata(ctx, &ec2imds.GetMetadataInput{Path: path})
	if err != nil {
		return "", fmt.Errorf("IMDS %s: %w", path, err)
	}
	b, err := readCapped(out.Content, maxIMDSBytes)
	if err != nil {
		return "", fmt.Errorf("IMDS %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// imdsHTTP talks to IMDS: never through a proxy, never following a
// redirect (IMDS does not redirect; whatever does is not IMDS), headers
// bounded.
var imdsHTTP = &http.Client{
	Transport: &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: CallTimeout}).DialContext,
		MaxResponseHeaderBytes: 16 << 10,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// DefaultEndpoint is IMDS's address on every instance (IPv4).
const DefaultEndpoint = "http://169.254.169.254"

// AnswersV1 asks one plain IMDSv1 GET, no token, within timeout: whether
// IMDS answers it tells a failed IMDSv2 token call (a PUT hop limit of 1)
// from an IMDS that is not there. Only this question may skip IMDSv2.
func (m *Client) AnswersV1(ctx context.Context, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	base := cmp.Or(m.endpoint, DefaultEndpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/latest/meta-data/instance-id", nil)
	if err != nil {
		return false
	}
	resp, err := imdsHTTP.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, err = readCapped(io.NopCloser(resp.Body), maxIMDSBytes)
	return err == nil && resp.StatusCode == http.StatusOK
}

// cappedClient bounds every IMDS answer where it is read: the SDK's IMDS
// client reads a whole body into memory before handing it over.
type cappedClient struct{ c *http.Client }

func (c cappedClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.c.Do(r)
	if err == nil {
		resp.Body = &cappedBody{ReadCloser: resp.Body, left: maxIMDSBytes + 1}
	}
	return resp, err
}

// cappedBody fails a read past its allowance rather than keep going.
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("the answer is larger than %d KiB", maxIMDSBytes>>10)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// readCapped reads all of an IMDS answer, and fails rather than keep more
// than limit.
func readCapped(r io.ReadCloser, limit int64) ([]byte, error) {
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, fmt.Errorf("the answer is larger than %d KiB", limit>>10)
	}
	return b, err
}

// UserData returns the instance's user data.
func (m *Client) UserData(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	out, err := m.client.GetUserData(ctx, &ec2imds.GetUserDataInput{})
	if err != nil {
		return nil, fmt.Errorf("IMDS user-data: %w", err)
	}
	b, err := readCapped(out.Content, maxUserDataBytes)
	if err != nil {
		return nil, fmt.Errorf("IMDS user-data: %w", err)
	}
	return b, nil
}

// Facts reads what eksboot needs to know about the instance. Every read
// that needs no other answer is asked at once (the SDK's client takes the
// session token once, the others waiting for it): the identity document,
// the MAC, the instance profile and its role, the instance's own paths;
// then, as soon as each is known, the interface's paths (by MAC) and the
// role's credentials. Paths that an instance may lack (IPv6 CIDRs) are
// left empty; the error reports the identity document's failure, else the
// MAC's, else the other paths'.
func (m *Client) Facts(ctx context.Context) (Facts, error) {
	var f Facts
	var docErr, macErr error
	plain := map[string]*string{
		"services/domain":                new(string),
		"local-hostname":                 new(string),
		"placement/availability-zone-id": new(string),
	}
	ifacePaths := []string{"vpc-ipv4-cidr-blocks", "vpc-ipv6-cidr-blocks", "subnet-ipv4-cidr-block", "security-group-ids", "vpc-id", "subnet-id"}
	iface := make(map[string]*string, len(ifacePaths))
	for _, p := range ifacePaths {
		iface[p] = new(string)
	}
	var mu sync.Mutex
	var errs []error
	read := func(path string, dst *string) {
		val, err := m.get(ctx, path)
		if err != nil && !isNotFound(err) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		*dst = val
	}
	var wg sync.WaitGroup
	wg.Go(func() { docErr = m.identityDocument(ctx, &f) })
	wg.Go(func() { f.Identity = m.identity(ctx) })
	wg.Go(func() {
		if f.MAC, macErr = m.get(ctx, "mac"); macErr != nil {
			return
		}
		var ifaces sync.WaitGroup
		for p, dst := range iface {
			ifaces.Go(func() { read("network/interfaces/macs/"+f.MAC+"/"+p, dst) })
		}
		ifaces.Wait()
	})
	for path, dst := range plain {
		wg.Go(func() { read(path, dst) })
	}
	wg.Wait()
	if docErr != nil {
		return f, docErr
	}
	if macErr != nil {
		return f, macErr
	}
	f.VPCCIDRs = parsePrefixes(*iface["vpc-ipv4-cidr-blocks"])
	f.VPCIPv6CIDRs = parsePrefixes(*iface["vpc-ipv6-cidr-blocks"])
	if p := parsePrefixes(*iface["subnet-ipv4-cidr-block"]); len(p) > 0 {
		f.SubnetCIDR = p[0]
	}
	f.SecurityGroupIDs = strings.Fields(*iface["security-group-ids"])
	f.VPCID, f.SubnetID = *iface["vpc-id"], *iface["subnet-id"]
	f.Domain = *plain["services/domain"]
	f.LocalHostname = *plain["local-hostname"]
	f.AvailabilityZoneID = *plain["placement/availability-zone-id"]
	return f, errors.Join(errs...)
}

// identityDocument reads the instance identity document as dynamic data
// rather than through the SDK's document call, which would decode an
// answer of any size.
func (m *Client) identityDocument(ctx context.Context, f *Facts) error {
	growStack()
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	out, err := m.client.GetDynamicData(ctx, &ec2imds.GetDynamicDataInput{Path: "instance-identity/document"})
	if err != nil {
		return fmt.Errorf("IMDS instance identity document: %w", err)
	}
	raw, err := readCapped(out.Content, maxIMDSBytes)
	var doc struct {
		Region, AvailabilityZone, InstanceID, InstanceType, PrivateIP string
		AccountID                                                     string `json:"accountId"`
		ImageID                                                       string `json:"imageId"` // the AMI: no GET of ami-id
	}
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		return fmt.Errorf("IMDS instance identity document: %w", err)
	}
	f.Region, f.AvailabilityZone, f.AccountID = doc.Region, doc.AvailabilityZone, doc.AccountID
	f.InstanceID, f.InstanceType, f.AMIID = doc.InstanceID, doc.InstanceType, doc.ImageID
	f.LocalIPv4, _ = netip.ParseAddr(doc.PrivateIP)
	return nil
}

func isNotFound(err error) bool {
	var re interface{ HTTPStatusCode() int }
	return errors.As(err, &re) && re.HTTPStatusCode() == 404
}

func parsePrefixes(s string) []netip.Prefix {
	var out []netip.Prefix
	for _, field := range strings.Fields(s) {
		if p, err := netip.ParsePrefix(field); err == nil {
			out = append(out, p)
		}
	}
	return out
}
