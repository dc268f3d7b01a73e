// Package imds reads what the instance metadata service tells of this
// instance: where it is, its network, its role and credentials, its user
// data; IMDSv2 only, every call and every answer bounded.
package imds

import (
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

// imdsHTTP talks to IMDS: never through a proxy, headers bounded.
var imdsHTTP = &http.Client{Transport: &http.Transport{
	Proxy:                  nil,
	DialContext:            (&net.Dialer{Timeout: CallTimeout}).DialContext,
	MaxResponseHeaderBytes: 16 << 10,
}}

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

// Facts reads what eksboot needs to know about the instance. The identity
// document comes first (it also takes the session token); the per-interface
// paths follow at once. Paths that an instance may lack (IPv6 CIDRs) are
// left empty; the error reports the first path that failed otherwise.
func (m *Client) Facts(ctx context.Context) (Facts, error) {
	f, err := m.identityDocument(ctx)
	if err != nil {
		return f, err
	}
	if f.MAC, err = m.get(ctx, "mac"); err != nil {
		return f, err
	}
	iface := "network/interfaces/macs/" + f.MAC + "/"
	paths := map[string]*string{
		iface + "vpc-ipv4-cidr-blocks":   new(string),
		iface + "vpc-ipv6-cidr-blocks":   new(string),
		iface + "subnet-ipv4-cidr-block": new(string),
		iface + "security-group-ids":     new(string),
		"services/domain":                new(string),
		"local-hostname":                 new(string),
		"ami-id":                         new(string),
		"placement/availability-zone-id": new(string),
		iface + "vpc-id":                 new(string),
		iface + "subnet-id":              new(string),
	}
	errs := make([]error, 0, len(paths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Go(func() { f.Identity = m.identity(ctx) })
	for path, dst := range paths {
		wg.Go(func() {
			val, err := m.get(ctx, path)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && !isNotFound(err) {
				errs = append(errs, err)
			}
			*dst = val
		})
	}
	wg.Wait()
	f.VPCCIDRs = parsePrefixes(*paths[iface+"vpc-ipv4-cidr-blocks"])
	f.VPCIPv6CIDRs = parsePrefixes(*paths[iface+"vpc-ipv6-cidr-blocks"])
	if p := parsePrefixes(*paths[iface+"subnet-ipv4-cidr-block"]); len(p) > 0 {
		f.SubnetCIDR = p[0]
	}
	f.SecurityGroupIDs = strings.Fields(*paths[iface+"security-group-ids"])
	f.Domain = *paths["services/domain"]
	f.LocalHostname = *paths["local-hostname"]
	f.AMIID, f.AvailabilityZoneID = *paths["ami-id"], *paths["placement/availability-zone-id"]
	f.VPCID, f.SubnetID = *paths[iface+"vpc-id"], *paths[iface+"subnet-id"]
	return f, errors.Join(errs...)
}

// identityDocument reads the instance identity document as dynamic data
// rather than through the SDK's document call, which would decode an
// answer of any size.
func (m *Client) identityDocument(ctx context.Context) (Facts, error) {
	var f Facts
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	out, err := m.client.GetDynamicData(ctx, &ec2imds.GetDynamicDataInput{Path: "instance-identity/document"})
	if err != nil {
		return f, fmt.Errorf("IMDS instance identity document: %w", err)
	}
	raw, err := readCapped(out.Content, maxIMDSBytes)
	var doc struct {
		Region, AvailabilityZone, InstanceID, InstanceType, PrivateIP string
		AccountID                                                     string `json:"accountId"`
	}
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		return f, fmt.Errorf("IMDS instance identity document: %w", err)
	}
	f.Region, f.AvailabilityZone, f.AccountID = doc.Region, doc.AvailabilityZone, doc.AccountID
	f.InstanceID, f.InstanceType = doc.InstanceID, doc.InstanceType
	f.LocalIPv4, _ = netip.ParseAddr(doc.PrivateIP)
	return f, nil
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
