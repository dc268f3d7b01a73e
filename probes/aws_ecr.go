package probes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eksboot/eksboot/report"
)

// Media types containerd accepts for a manifest, lists first.
var manifestAccept = strings.Join([]string{
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
}, ", ")

// layerRange is what the layer download asks for: enough to prove the
// bucket answers, not the layer.
const layerRange = "bytes=0-1023"

var ecrPullCheck = Check{Name: "ecr-pull", Required: true, Needs: []string{"ecr-auth"},
	Why: "containerd pulls eks/pause from the region's EKS image account: the manifest through ecr.dkr, the layers from the S3 bucket prod-REGION-starport-layer-bucket",
	// The registries' and the layer bucket's handshakes need no token:
	// they are made while ecr-auth asks for it.
	Opens: func(p Plan) []string {
		ap := p.AWS
		if ap == nil {
			return nil
		}
		hosts := []string{registryHost(ap, EKSImageAccount(ap.Region)), layerHost(ap)}
		for _, account := range ap.ECRAccounts {
			hosts = append(hosts, registryHost(ap, account))
		}
		return hosts
	},
	Run: func(ctx context.Context, p Plan, f *Findings) []report.Result {
		return awsCall(ctx, p, "ecr.dkr", actionBatchGetImage, func(ap *AWSPlan, c *http.Client) []report.Result {
			out := pull(ctx, ap, c, f.ECRToken)
			for _, account := range ap.ECRAccounts {
				out = append(out, registryPing(ctx, ap, c, f.ECRToken, account))
			}
			return out
		})
	}}

// pull asks for the pause image's manifest as containerd does, then the
// first bytes of its first layer, following the registry's one redirect
// to S3 with no Authorization.
func pull(ctx context.Context, ap *AWSPlan, c *http.Client, token string) []report.Result {
	host := registryHost(ap, EKSImageAccount(ap.Region))
	r := awsResult("ecr.dkr", host, actionBatchGetImage)
	start := time.Now()
	auth, ok := basicAuth(token)
	if !ok {
		r.Status, r.Msg = report.Skip, "ecr.dkr: the pull is not tried: ecr-auth got no registry token"
		return []report.Result{r}
	}
	get := func(path, accept string) (awsAnswer, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+path, nil)
		if err != nil {
			return awsAnswer{}, err
		}
		req.Header.Set("Authorization", auth)
		if accept != "" {
			req.Header.Set("Accept", accept)
		} else {
			req.Header.Set("Range", layerRange)
		}
		return send(c, req)
	}
	fail := func(a awsAnswer, err error, what string) []report.Result {
		r.Duration = time.Since(start)
		switch {
		case errors.Is(err, errNotReached):
			return []report.Result{notReached(r, err)}
		case err != nil:
			r.Status, r.Code, r.Msg = report.Fail, report.AWSError, fmt.Sprintf("ecr.dkr: %s got no answer: %v", what, err)
		default:
			code, e := judgeAWS(a, report.ImagePullDenied)
			r.Status, r.Code, r.Msg = report.Fail, code, fmt.Sprintf("ecr.dkr: %s was refused: %s", what, e.describe(a.status))
		}
		return []report.Result{r}
	}
	image := pauseRepository + ":" + pauseTag
	a, err := get("/v2/"+pauseRepository+"/manifests/"+pauseTag, manifestAccept)
	if err != nil || a.status != http.StatusOK {
		return fail(a, err, "the manifest of "+image)
	}
	m, err := parseManifest(a.body)
	if err == nil && len(m.Manifests) > 0 {
		d := m.pick(ap.Arch)
		if d == "" {
			r.Status, r.Code, r.Msg = report.Fail, report.AWSError, "ecr.dkr: the manifest list of "+image+" has no linux/"+archOr(ap.Arch)
			return []report.Result{r}
		}
		if a, err = get("/v2/"+pauseRepository+"/manifests/"+d, manifestAccept); err != nil || a.status != http.StatusOK {
			return fail(a, err, "the manifest "+d)
		}
		m, err = parseManifest(a.body)
	}
	if err != nil || len(m.Layers) == 0 {
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, "ecr.dkr: the manifest of "+image+" is not one containerd could pull"
		return []report.Result{r}
	}
	layer := m.Layers[0].Digest
	a, err = get("/v2/"+pauseRepository+"/blobs/"+layer, "")
	switch {
	case err != nil:
		return fail(a, err, "the layer "+layer)
	case a.status == http.StatusOK || a.status == http.StatusPartialContent:
		r.Duration, r.Msg = time.Since(start), "ecr.dkr: "+image+" pulled: its manifest and its first layer answered from the registry itself"
		return []report.Result{r}
	case a.status != http.StatusTemporaryRedirect && a.status != http.StatusFound && a.status != http.StatusSeeOther:
		return fail(a, nil, "the layer "+layer)
	}
	r.Duration, r.Msg = time.Since(start), fmt.Sprintf("ecr.dkr: the manifest of %s answered, and its layer redirects to S3", image)
	return []report.Result{r, layerDownload(ctx, ap, c, a.header.Get("Location"))}
}

// registryPing asks an --ecr-account registry GET /v2/ with the node's
// registry token, as containerd's first request to a registry: it proves
// the registry answers the node and takes the token; which repositories
// the role may pull from there is the registry's policy, not asked.
func registryPing(ctx context.Context, ap *AWSPlan, c *http.Client, token, account string) (r report.Result) {
	host := registryHost(ap, account)
	r = awsResult("ecr.dkr", host, actionGetAuthToken)
	start := time.Now()
	defer func() { r.Duration = time.Since(start) }()
	auth, ok := basicAuth(token)
	if !ok {
		r.Status, r.Msg = report.Skip, "ecr.dkr: "+host+" is not asked: ecr-auth got no registry token"
		return r
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/v2/", nil)
	if err != nil {
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, "ecr.dkr: "+err.Error()
		return r
	}
	req.Header.Set("Authorization", auth)
	a, err := send(c, req)
	switch {
	case errors.Is(err, errNotReached):
		return notReached(r, err)
	case err != nil:
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, fmt.Sprintf("ecr.dkr: the registry %s got no answer: %v", host, err)
	case a.status == http.StatusOK:
		r.Msg = fmt.Sprintf("ecr.dkr: the registry %s takes the node's token", host)
	default:
		code, e := judgeAWS(a, report.ImagePullDenied)
		r.Status, r.Code, r.Msg = report.Fail, code, fmt.Sprintf("ecr.dkr: the registry %s refused the node's token: %s", host, e.describe(a.status))
	}
	return r
}

// layerDownload follows the registry's redirect to the presigned S3 URL,
// sending no Authorization: the query is the credential (and a secret).
func layerDownload(ctx context.Context, ap *AWSPlan, c *http.Client, location string) (r report.Result) {
	bucket := layerBucket(ap.Region)
	r = awsResult("s3", "", actionGetObject)
	start := time.Now()
	defer func() { r.Duration = time.Since(start) }()
	u, err := url.Parse(location)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, "s3: the registry redirected the layer to something not an https URL"
		return r
	}
	if why := notLayerURL(ap, u); why != "" {
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, "s3: the registry redirected the layer to "+why+", not to "+bucket+"'s S3 host as ECR does"
		return r
	}
	r.Host = u.Hostname()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, "s3: "+redactURL(err).Error()
		return r
	}
	req.Header.Set("Range", layerRange)
	a, err := send(c, req)
	var refused *proxyError
	switch {
	case errors.As(err, &refused) && refused.code != report.ProxyRefused:
		return notReached(r, err) // the s3 endpoint's own tunnel finds the proxy so
	case errors.As(err, &refused):
		// The proxy judges each host: the bucket's is not the one the s3
		// endpoint's check tunnels to, so its refusal is this hop's finding.
		r.Kind, r.Status, r.Code = report.KindProxy, report.Fail, refused.code
		r.Msg = fmt.Sprintf("s3: the layer's download from %s did not get through: %s", bucket, refused.msg)
	case err != nil:
		r.Status, r.Code = report.Fail, report.LayerBucketDenied
		r.Msg = fmt.Sprintf("s3: the layer's download from %s never came: %v", bucket, err)
	case a.status == http.StatusOK || a.status == http.StatusPartialContent:
		r.Msg = fmt.Sprintf("s3: the layer's first bytes came from %s", bucket)
	default:
		code, e := judgeAWS(a, report.LayerBucketDenied)
		if code == report.AWSError && a.status == http.StatusForbidden {
			code = report.LayerBucketDenied
		}
		r.Status, r.Code = report.Fail, code
		r.Msg = fmt.Sprintf("s3: the layer's download from %s was refused: %s", bucket, e.describe(a.status))
	}
	return r
}

// notLayerURL says what is wrong with a layer redirect that ECR would not
// send: a host other than the layer bucket's virtual host on S3 in the
// node's partition (BUCKET.s3.REGION.DOMAIN, or another S3 form of it), or
// credentials of its own, which Go would send as an Authorization header.
func notLayerURL(ap *AWSPlan, u *url.URL) string {
	if u.User != nil {
		return "a URL with credentials of its own"
	}
	host := strings.ToLower(u.Hostname())
	rest, ok := strings.CutPrefix(host, layerBucket(ap.Region)+".")
	if !ok || !strings.HasPrefix(rest, "s3") || !strings.HasSuffix(rest, "."+domainOf(ap)) {
		return CleanServerString(host)
	}
	return ""
}

// layerBucket is the S3 bucket ECR keeps a region's layers in (ECR user
// guide, "Amazon ECR interface VPC endpoints": the gateway endpoint's
// policy must allow it).
func layerBucket(region string) string { return "prod-" + region + "-starport-layer-bucket" }

// layerHost is the layer bucket's virtual host in the region, where ECR's
// redirects send a layer's download.
func layerHost(ap *AWSPlan) string {
	return layerBucket(ap.Region) + ".s3." + ap.Region + "." + domainOf(ap)
}

// registryHost is an account's registry in the node's region.
func registryHost(ap *AWSPlan, account string) string {
	return account + ".dkr.ecr." + ap.Region + "." + domainOf(ap)
}

type manifest struct {
	Manifests []struct {
		Digest   string `json:"digest"`
		Platform struct {
			OS           string `json:"os"`
			Architecture string `json:"architecture"`
		} `json:"platform"`
	} `json:"manifests"`
	Layers []struct {
		Digest string `json:"digest"`
	} `json:"layers"`
}

func parseManifest(b []byte) (manifest, error) {
	var m manifest
	err := json.Unmarshal(b, &m)
	for _, d := range m.Manifests {
		if !validDigest(d.Digest) {
			return manifest{}, fmt.Errorf("bad digest")
		}
	}
	for _, l := range m.Layers {
		if !validDigest(l.Digest) {
			return manifest{}, fmt.Errorf("bad digest")
		}
	}
	return m, err
}

// validDigest keeps what goes into a path to what a digest may be.
func validDigest(d string) bool {
	alg, hex, ok := strings.Cut(d, ":")
	return ok && alg == "sha256" && len(hex) == 64 && strings.Trim(hex, "0123456789abcdef") == ""
}

func (m manifest) pick(arch string) string {
	for _, d := range m.Manifests {
		if d.Platform.OS == "linux" && d.Platform.Architecture == archOr(arch) {
			return d.Digest
		}
	}
	return ""
}

func archOr(a string) string {
	if a == "" {
		return "amd64"
	}
	return a
}
