package bootstrap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// IMDSCallTimeout bounds each IMDS call.
const IMDSCallTimeout = time.Second

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

// IMDS reads instance metadata with IMDSv2: one session token for the run,
// no fallback to IMDSv1, each call within IMDSCallTimeout.
type IMDS struct {
	client   *imds.Client
	endpoint string
}

// Endpoint is the base URL asked ("" for the default), without user info.
func (m *IMDS) Endpoint() string { return m.endpoint }

// ParseIMDSEndpoint checks --imds-endpoint: an http(s) base URL with a
// host and nothing after it. User info is dropped, here and so from every
// output.
func ParseIMDSEndpoint(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", inputErrorf(FlagIMDSEndpoint, "%q is not an IMDS base URL such as http://169.254.169.254 or http://[fd00:ec2::254]", clip(userInfo.ReplaceAllString(s, "//")))
	}
	u.User, u.Path = nil, ""
	return u.String(), nil
}

var userInfo = regexp.MustCompile(`//[^/?#]*@`)

// NewIMDS returns an IMDS client; endpoint "" means the default
// (http://169.254.169.254).
func NewIMDS(endpoint string) *IMDS {
	return &IMDS{endpoint: endpoint, client: imds.New(imds.Options{
		HTTPClient:     cappedClient{imdsHTTP},
		Endpoint:       endpoint,
		EnableFallback: aws.FalseTernary,
		Retryer:        aws.NopRetryer{},
	})}
}

func (m *IMDS) get(ctx context.Context, path string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, IMDSCallTimeout)
	defer cancel()
	out, err := m.client.GetMetadata(ctx, &imds.GetMetadataInput{Path: path})
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
	DialContext:            (&net.Dialer{Timeout: IMDSCallTimeout}).DialContext,
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
	b, err := readAtMost(r, limit)
	if errors.Is(err, errTooLarge) {
		err = fmt.Errorf("the answer is larger than %d KiB", limit>>10)
	}
	return b, err
}

// UserData returns the instance's user data.
func (m *IMDS) UserData(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, IMDSCallTimeout)
	defer cancel()
	out, err := m.client.GetUserData(ctx, &imds.GetUserDataInput{})
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
func (m *IMDS) Facts(ctx context.Context) (Facts, error) {
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
func (m *IMDS) identityDocument(ctx context.Context) (Facts, error) {
	var f Facts
	ctx, cancel := context.WithTimeout(ctx, IMDSCallTimeout)
	defer cancel()
	out, err := m.client.GetDynamicData(ctx, &imds.GetDynamicDataInput{Path: "instance-identity/document"})
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
