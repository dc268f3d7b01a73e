package inputs

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var clusterNamePattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]*$`)

// ParseClusterName checks EKS's naming rule: 1-100 characters, starting
// alphanumeric, then alphanumerics, '-' and '_'.
func ParseClusterName(s string) (string, error) {
	switch {
	case s == "":
		return "", Errorf(FlagClusterName, "is required (the name shown by aws eks list-clusters)")
	case len(s) > 100:
		return "", Errorf(FlagClusterName, "is %d characters; EKS allows at most 100", len(s))
	case !clusterNamePattern.MatchString(s):
		return "", Errorf(FlagClusterName, "%q is not an EKS cluster name: it must start with a letter or digit and hold only letters, digits, '-' and '_'", s)
	}
	return s, nil
}

// ParseEndpoint checks an API server endpoint of the form https://HOST[:443]
// and returns it canonical (https://HOST, no port or slash) with the host alone.
func ParseEndpoint(s string) (canonical, host string, err error) {
	if s == "" {
		return "", "", Errorf(FlagEndpoint, "is required (endpoint of aws eks describe-cluster)")
	}
	u, perr := url.Parse(s)
	switch {
	case perr != nil:
		return "", "", Errorf(FlagEndpoint, "%q is not a URL", clip(s))
	case u.Scheme != "https":
		return "", "", Errorf(FlagEndpoint, "%q must start with https://", clip(s))
	case u.Opaque != "" || u.Hostname() == "":
		return "", "", Errorf(FlagEndpoint, "%q has no host", clip(s))
	case u.User != nil:
		return "", "", Errorf(FlagEndpoint, "%q must not carry user info", clip(s))
	case u.Path != "" && u.Path != "/":
		return "", "", Errorf(FlagEndpoint, "%q must have no path", clip(s))
	case u.RawQuery != "" || u.ForceQuery:
		return "", "", Errorf(FlagEndpoint, "%q must have no query", clip(s))
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "", "", Errorf(FlagEndpoint, "%q must have no fragment", clip(s))
	case u.Port() != "" && u.Port() != "443":
		return "", "", Errorf(FlagEndpoint, "%q: the port must be 443, where EKS serves the API", clip(s))
	}
	host = u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return "", "", Errorf(FlagEndpoint, "%q names an IPv6 zone; the API server's address has none", clip(s))
		}
		if a.Is6() {
			return "https://[" + host + "]", host, nil
		}
		return "https://" + host, host, nil
	}
	if !validHostName(host) {
		return "", "", Errorf(FlagEndpoint, "%q: the host is not a DNS name (labels of letters, digits and '-', none empty, 253 characters at most)", clip(s))
	}
	return "https://" + host, host, nil
}

var hostLabelPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// validHostName is a DNS host name: what describe-cluster returns, and
// nothing a shell, a URL or a resolver would read differently.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if !hostLabelPattern.MatchString(label) {
			return false
		}
	}
	return true
}

// ParseCA decodes --b64-cluster-ca: base64 of one or more PEM certificates,
// at least one of them a CA. A CA outside its validity period is a warning,
// since clocks on a booting node can be wrong.
func ParseCA(b64 string, now time.Time) (certs []*x509.Certificate, warnings []string, err error) {
	compact := strings.Join(strings.Fields(b64), "")
	if compact == "" {
		return nil, nil, Errorf(FlagCA, "is required (certificateAuthority.data of aws eks describe-cluster)")
	}
	der, decErr := base64.StdEncoding.DecodeString(compact)
	if decErr != nil {
		return nil, nil, Errorf(FlagCA, "is not valid base64: %v", decErr)
	}
	rest := der
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, nil, Errorf(FlagCA, "holds a PEM %q block; only certificates belong in the CA bundle", block.Type)
		}
		cert, perr := x509.ParseCertificate(block.Bytes)
		if perr != nil {
			return nil, nil, Errorf(FlagCA, "certificate %d does not parse: %v", len(certs)+1, perr)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, nil, Errorf(FlagCA, "decodes to no PEM certificate; pass the base64 of the PEM text, as describe-cluster returns it")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, nil, Errorf(FlagCA, "has data after the last PEM certificate")
	}
	haveCA := false
	for _, c := range certs {
		if !c.IsCA {
			continue
		}
		haveCA = true
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			warnings = append(warnings, fmt.Sprintf("--%s: CA %q is valid only from %s to %s, and the node's clock says %s",
				FlagCA, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
	}
	if !haveCA {
		return nil, nil, Errorf(FlagCA, "holds no CA certificate (none has basicConstraints CA:TRUE)")
	}
	return certs, warnings, nil
}

var (
	regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	// ID.sk1.REGION.eks.amazonaws.com, .com.cn in China.
	endpointRegionPattern = regexp.MustCompile(`\.([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.eks\.amazonaws\.com(?:\.cn)?$`)
	// ID.sk1.eks-cluster.REGION.api.aws, the dual-stack form of IPv6 clusters.
	dualStackRegionPattern = regexp.MustCompile(`\.eks-cluster\.([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.api\.aws$`)
)

// RegionFromEndpointHost parses the region out of an EKS endpoint host name,
// or returns "".
func RegionFromEndpointHost(host string) string {
	for _, re := range []*regexp.Regexp{endpointRegionPattern, dualStackRegionPattern} {
		if m := re.FindStringSubmatch(host); m != nil {
			return m[1]
		}
	}
	return ""
}

// ParseRegion checks an AWS region name.
func ParseRegion(s string) (string, error) {
	if !regionPattern.MatchString(s) {
		return "", Errorf(FlagRegion, "%q is not an AWS region name such as eu-west-1", s)
	}
	return s, nil
}

// ParseIMDSEndpoint checks --imds-endpoint: an http(s) base URL with a
// host and nothing after it. User info is dropped, here and so from every
// output.
func ParseIMDSEndpoint(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", Errorf(FlagIMDSEndpoint, "%q is not an IMDS base URL such as http://169.254.169.254 or http://[fd00:ec2::254]", clip(userInfo.ReplaceAllString(s, "//")))
	}
	u.User, u.Path = nil, ""
	return u.String(), nil
}

var userInfo = regexp.MustCompile(`//[^/?#]*@`)
