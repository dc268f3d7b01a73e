package probes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// IdentityPlan is what the identity check needs: how the node signs its
// token, and what the cluster must answer for the kubelet to register.
type IdentityPlan struct {
	Cluster, Region, Domain string
	// Credentials sign the token; nil when IMDS gave none, and NoRole says
	// why. CredentialsInvalid says IMDS has credentials that cannot work
	// (a Code other than Success, an Expiration past): not a missing role.
	Credentials        *aws.Credentials
	NoRole             string
	CredentialsInvalid bool
	// Unknown, when set, says why the identity cannot be checked at all
	// (IMDS did not answer): a skip, not a failure of its own.
	Unknown  string
	NodeName string // IMDS local-hostname: the node object's name
	// NameFromEC2: the node registers as DescribeInstances' private DNS
	// name (nodeadm's, bootstrap.sh's and pluto's call), which replaces
	// NodeName once the ec2-api call has answered.
	NameFromEC2 bool
	Windows     bool
}

// authCheck asks the API server who the node's token makes it, as the
// kubelet will be, over the connection the api check verified.
var authCheck = Check{Name: CheckAuth, Required: true, Needs: []string{CheckAPI, "sts-api", "ec2-api"},
	Why: "the node's IAM role is mapped as a node: kubelet registers with it",
	Run: func(ctx context.Context, p Plan, f *Findings) []report.Result {
		ip := p.Identity
		if ip == nil {
			return nil
		}
		api, _ := p.endpoint("api")
		start := time.Now()
		r := report.Result{Kind: report.KindAuth, Host: api.Host, Status: report.Fail, Code: report.IAMNoRole, Msg: "auth: " + ip.NoRole}
		if ip.CredentialsInvalid {
			r.Code = report.CredentialsInvalid
		}
		switch {
		case f.API == nil && (ip.Unknown != "" || ip.Credentials != nil):
			// The role's own trouble needs no API server; a good role's
			// mapping does.
			r.Status, r.Code, r.Msg = report.Skip, report.OK, "auth: the node's identity is not checked: the API server did not answer over TLS (the api check says why)"
		case ip.Unknown != "":
			r.Status, r.Code, r.Msg = report.Skip, report.OK, "auth: the node's identity is not checked: "+ip.Unknown
		case ip.Credentials != nil:
			token, err := IdentityToken(ctx, *ip.Credentials, ip.Cluster, ip.Region, ip.Domain, p.clock())
			if err != nil {
				r.Code, r.Msg = report.TokenSigningFailed, "auth: signing the node's token failed: "+err.Error()
				break
			}
			f.Token = token
			ui, path, err := f.API.review(ctx, token)
			expect := *ip
			if ip.NameFromEC2 && f.PrivateDNSName != "" {
				expect.NodeName = f.PrivateDNSName
			}
			r = identityResult(&expect, ui, path, err)
			if expect.NodeName != ip.NodeName && r.Code == report.AuthNodeName {
				r.Msg += fmt.Sprintf(" (DescribeInstances' private DNS name; IMDS's local-hostname is %s)", cutRunes(dropControl(ip.NodeName), maxServerName))
			}
			f.User = displayUser(ui)
			r.Host = f.API.host
		}
		r.Duration = time.Since(start)
		if r.Status != report.Pass {
			r.Hint = hints.For(r, api.forHint(), p.Facts, false)
		}
		if r.Code == report.AuthUnmapped && f.CredentialsRefused != "" && p.AWS != nil {
			// STS refused the role's credentials: the token signed with
			// them cannot authenticate, whatever the cluster maps.
			r.Code = report.CredentialsInvalid
			r.Msg += "; but AWS refuses the role's credentials themselves (" + f.CredentialsRefused + ")"
			r.Hint = hints.ForAWSCall(r, hints.Endpoint{}, p.Facts, p.AWS.Region, layerBucket(p.AWS.Region))
		}
		if clock, ok := clockResult(f.Health); ok && clock.Code == report.ClockSkew && r.Code == report.AuthUnmapped {
			r.Hint = "first set the node's clock right (chrony with the Amazon Time Sync Service, 169.254.169.123): STS refuses a token signed by a clock that is minutes off, and the API server then answers 401 as for an unmapped role; if the clock is right, " + r.Hint
		}
		return []report.Result{r}
	}}

// clockCheck compares the node's clock with the Date of the API server's
// first health answer.
var clockCheck = Check{Name: report.KindClock, Required: true, Needs: []string{"api"},
	Why: "the node's clock agrees with the API server's: tokens and certificates depend on it",
	Run: func(_ context.Context, _ Plan, f *Findings) []report.Result {
		if f.API == nil {
			return nil
		}
		r, ok := clockResult(f.Health)
		if !ok {
			return nil
		}
		r.Host = f.API.host
		return []report.Result{r}
	}}

// Groups and names the EKS node authorizer expects.
const (
	nodeUserPrefix     = "system:node:"
	nodesGroup         = "system:nodes"
	kubeProxyWinGroup  = "eks:kube-proxy-windows"
	selfSubjectReviewV = `{"apiVersion":"authentication.k8s.io/%s","kind":"SelfSubjectReview"}`
)

// selfSubjectReviewVersions are tried newest first: v1 from 1.28, v1beta1
// on 1.27; older servers have none and GET /api says authenticated or not.
var selfSubjectReviewVersions = []string{"v1", "v1beta1"}

// errUnauthorized is a 401 to the node's token.
var errUnauthorized = errors.New("the API server answered 401 Unauthorized to the node's token")

// review asks the API server who the token's bearer is, in the server's
// own words: judge them whole, show them through displayUser. ui is nil
// when the server authenticated the token but has no SelfSubjectReview to
// say as whom.
func (a *apiClient) review(ctx context.Context, token string) (*report.UserInfo, string, error) {
	for _, v := range selfSubjectReviewVersions {
		path := "/apis/authentication.k8s.io/" + v + "/selfsubjectreviews"
		ans, err := a.do(ctx, http.MethodPost, path, token, fmt.Appendf(nil, selfSubjectReviewV, v))
		if err != nil {
			return nil, path, err
		}
		switch ans.status {
		case http.StatusUnauthorized:
			return nil, path, errUnauthorized
		case http.StatusNotFound:
			continue
		case http.StatusOK, http.StatusCreated:
			var r struct {
				Status struct {
					UserInfo report.UserInfo `json:"userInfo"`
				} `json:"status"`
			}
			if err := json.Unmarshal(ans.body, &r); err != nil || r.Status.UserInfo.Username == "" {
				return nil, path, fmt.Errorf("POST %s answered no user", path)
			}
			return &r.Status.UserInfo, path, nil
		default:
			return nil, path, fmt.Errorf("POST %s answered %d", path, ans.status)
		}
	}
	ans, err := a.do(ctx, http.MethodGet, "/api", token, nil)
	switch {
	case err != nil:
		return nil, "/api", err
	case ans.status == http.StatusUnauthorized:
		return nil, "/api", errUnauthorized
	case ans.status != http.StatusOK:
		return nil, "/api", fmt.Errorf("GET /api answered %d", ans.status)
	}
	return nil, "/api", nil
}

// displayUser is ui as outputs show it: no control characters, each name
// cut (whole runes) to what a node's username needs.
func displayUser(ui *report.UserInfo) *report.UserInfo {
	if ui == nil {
		return nil
	}
	d := &report.UserInfo{Username: cutRunes(dropControl(ui.Username), maxServerName)}
	for _, g := range ui.Groups {
		d.Groups = append(d.Groups, cutRunes(dropControl(g), maxServerName))
	}
	return d
}

// identityResult judges the review against what the kubelet needs: the
// server's names whole, as the node authorizer compares them.
func identityResult(ip *IdentityPlan, ui *report.UserInfo, path string, err error) report.Result {
	r := report.Result{Kind: report.KindAuth, Status: report.Pass, Code: report.OK}
	d := displayUser(ui)
	switch {
	case errors.Is(err, errUnauthorized):
		r.Status, r.Code = report.Fail, report.AuthUnmapped
		r.Msg = "auth: " + err.Error() + " (" + path + "): the cluster does not map the node's IAM role"
	case err != nil:
		r.Status, r.Code = report.Fail, report.APIHTTPError
		r.Msg = "auth: asking the API server who the node is failed: " + err.Error()
	case ui == nil:
		r.Msg = "auth: the API server accepts the node's token (GET /api; this server has no SelfSubjectReview to say as whom)"
	case !slices.Contains(ui.Groups, nodesGroup):
		r.Status, r.Code = report.Fail, report.AuthGroups
		r.Msg = fmt.Sprintf("auth: the node authenticates as %s, but its groups (%s) lack %s", d.Username, strings.Join(d.Groups, ", "), nodesGroup)
	case ip.NodeName != "" && ui.Username != nodeUserPrefix+ip.NodeName:
		r.Status, r.Code = report.Fail, report.AuthNodeName
		r.Msg = fmt.Sprintf("auth: the node authenticates as %s, but the kubelet registers as %s%s", d.Username, nodeUserPrefix, cutRunes(dropControl(ip.NodeName), maxServerName))
	case ip.Windows && !slices.Contains(ui.Groups, kubeProxyWinGroup):
		r.Status, r.Code = report.Warn, report.AuthWindowsGroup
		r.Msg = fmt.Sprintf("auth: the Windows node authenticates as %s, but its groups (%s) lack %s", d.Username, strings.Join(d.Groups, ", "), kubeProxyWinGroup)
	default:
		r.Msg = fmt.Sprintf("auth: the node authenticates as %s (groups %s)", d.Username, strings.Join(d.Groups, ", "))
	}
	return r
}

// Clock skew limits: tokens and certificates both depend on the clock.
const (
	clockWarnSkew = time.Minute
	clockFailSkew = 5 * time.Minute
)

// clockResult compares the node's clock with the API server's Date.
func clockResult(ans apiAnswer) (report.Result, bool) {
	if ans.date.IsZero() {
		return report.Result{}, false
	}
	// Date cuts the server's time to the second: it was half a second
	// later, on average.
	skew := ans.at.Sub(ans.date.Add(time.Second / 2)).Round(time.Second)
	abs := max(skew, -skew)
	r := report.Result{Kind: report.KindClock, Status: report.Pass, Code: report.OK, Msg: fmt.Sprintf("clock: the node's clock agrees with the API server's (within %s)", max(abs, time.Second))}
	way := "ahead of"
	if skew < 0 {
		way = "behind"
	}
	switch {
	case abs > clockFailSkew:
		r.Status, r.Code = report.Fail, report.ClockSkew
	case abs > clockWarnSkew:
		r.Status, r.Code = report.Warn, report.ClockSkew
	}
	if r.Code == report.ClockSkew {
		r.Msg = fmt.Sprintf("clock: the node's clock is %s %s the API server's", abs, way)
	}
	return r, true
}
