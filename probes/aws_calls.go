package probes

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// The actions the calls make, as IAM names them.
const (
	actionDescribeInstances = "ec2:DescribeInstances"
	actionGetAuthToken      = "ecr:GetAuthorizationToken"
	actionBatchGetImage     = "ecr:BatchGetImage"
	actionGetObject         = "s3:GetObject"
	actionGetCallerIdentity = "sts:GetCallerIdentity"
)

// pauseImage is the image the pull asks for: containerd's sandbox image on
// the EKS AMIs, eks/pause:3.5 in every region's EKS image account (AL2's
// and AL2023's sandbox_image; Windows' and Bottlerocket's agents pull from
// the same account).
const pauseRepository, pauseTag = "eks/pause", "3.5"

// AWSChecks are the calls of the node's agents through their endpoints.
var AWSChecks = []Check{ec2APICheck, ecrAuthCheck, ecrPullCheck, stsAPICheck}

// awsCall runs one call's check (the call of action through endpoint): it
// skips, saying why, when the node has no credentials to sign with, and
// fills the hint of what did not pass.
func awsCall(ctx context.Context, p Plan, endpoint, action string, run func(ap *AWSPlan, c *http.Client) []report.Result) []report.Result {
	ap := p.AWS
	if ap == nil { // a plan that makes no calls
		return nil
	}
	if ap.Credentials == nil {
		why := cmp.Or(ap.NoCredentials, "the node has no credentials to sign it with")
		r := report.Result{Kind: report.KindAWS, Endpoint: endpoint, Action: action, Status: report.Skip, Code: report.OK,
			Msg: fmt.Sprintf("%s: %s not asked: %s (the auth check says why)", endpoint, action, why)}
		return []report.Result{r}
	}
	c := awsClient(ctx, p)
	defer c.CloseIdleConnections()
	out := run(ap, c)
	for i, r := range out {
		r.Via = p.callVia(r)
		out[i] = r
		// A call through an endpoint --optional names weighs no more than
		// the endpoint.
		if slices.Contains(p.Selection.Optional, r.Endpoint) {
			r = OnFailure(r, false)
			out[i] = r
		}
		if r.Status != report.Pass && r.Status != report.Skip {
			e, _ := p.endpoint(r.Endpoint)
			out[i].Hint = hints.ForAWSCall(r, e.forHint(), p.Facts, ap.Region, layerBucket(ap.Region))
		}
	}
	return out
}

var ec2APICheck = Check{Name: "ec2-api", Required: true,
	Why: "ec2:DescribeInstances answers for this instance: nodeadm and Bottlerocket's pluto wait on it for the node's name; the VPC CNI calls it",
	Run: func(ctx context.Context, p Plan, f *Findings) []report.Result {
		return awsCall(ctx, p, "ec2", actionDescribeInstances, func(ap *AWSPlan, c *http.Client) []report.Result {
			host := "ec2." + ap.Region + "." + domainOf(ap)
			r := awsResult("ec2", host, actionDescribeInstances)
			if ap.SkipEC2 != "" {
				r.Status, r.Msg = report.Skip, "ec2: DescribeInstances not asked: "+ap.SkipEC2
				return []report.Result{r}
			}
			form := url.Values{"Action": {"DescribeInstances"}, "Version": {"2016-11-15"}, "InstanceId.1": {ap.InstanceID}}.Encode()
			return []report.Result{ask(c, r, func() (*http.Request, error) {
				return signQuery(ctx, *ap.Credentials, host, "ec2", ap.Region, form, p.clock())
			}, func(a awsAnswer) string {
				var x struct {
					Names []string `xml:"reservationSet>item>instancesSet>item>privateDnsName"`
				}
				if xml.Unmarshal(a.body, &x) != nil || len(x.Names) == 0 {
					return ""
				}
				f.PrivateDNSName = x.Names[0]
				return fmt.Sprintf("ec2: DescribeInstances answered for %s: its private DNS name is %s", ap.InstanceID, CleanServerString(x.Names[0]))
			})}
		})
	}}

var stsAPICheck = Check{Name: "sts-api", Required: true,
	Why: "sts:GetCallerIdentity answers: pods' IAM roles need STS, and it proves the role's credentials good",
	Run: func(ctx context.Context, p Plan, f *Findings) []report.Result {
		f.CredentialsRefused = "" // under --wait, only this round's refusal counts
		return awsCall(ctx, p, "sts", actionGetCallerIdentity, func(ap *AWSPlan, c *http.Client) []report.Result {
			host := STSHost(ap.Region, ap.Domain)
			r := awsResult("sts", host, actionGetCallerIdentity)
			var arn string // whole: the message quotes it cut short
			r = ask(c, r, func() (*http.Request, error) {
				return signQuery(ctx, *ap.Credentials, host, "sts", ap.Region, "Action=GetCallerIdentity&Version=2011-06-15", p.clock())
			}, func(a awsAnswer) string {
				var x struct {
					ARN string `xml:"GetCallerIdentityResult>Arn"`
				}
				if xml.Unmarshal(a.body, &x) != nil || x.ARN == "" {
					return ""
				}
				arn = x.ARN
				return "sts: GetCallerIdentity answered " + CleanServerString(x.ARN)
			})
			// The credentials must be the role's the token was signed
			// with: another identity means IMDS's role is not the one
			// the instance profile names.
			if role := roleName(p.Facts.RoleARN); r.Status == report.Pass && role != "" && !strings.Contains(arn, ":assumed-role/"+role+"/") {
				r.Status, r.Code = report.Fail, report.AWSError
				r.Msg += ", not a session of the node role " + p.Facts.RoleARN
			}
			if r.Code == report.CredentialsInvalid {
				f.CredentialsRefused = strings.TrimPrefix(r.Msg, "sts: ")
			}
			return []report.Result{r}
		})
	}}

var ecrAuthCheck = Check{Name: "ecr-auth", Required: true,
	Why: "ecr:GetAuthorizationToken answers: kubelet's ECR credential provider gets containerd's pull credentials from it",
	Run: func(ctx context.Context, p Plan, f *Findings) []report.Result {
		f.ECRToken = "" // under --wait, a token from an earlier round is not this round's answer
		return awsCall(ctx, p, "ecr.api", actionGetAuthToken, func(ap *AWSPlan, c *http.Client) []report.Result {
			host := "api.ecr." + ap.Region + "." + domainOf(ap)
			r := awsResult("ecr.api", host, actionGetAuthToken)
			return []report.Result{ask(c, r, func() (*http.Request, error) {
				body := []byte("{}")
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+host+"/", strings.NewReader(string(body)))
				if err != nil {
					return nil, err
				}
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")
				return req, sign(ctx, *ap.Credentials, req, body, "ecr", ap.Region, p.clock())
			}, func(a awsAnswer) string {
				var j struct {
					Data []struct {
						Token string `json:"authorizationToken"`
					} `json:"authorizationData"`
				}
				if json.Unmarshal(a.body, &j) != nil || len(j.Data) == 0 {
					return ""
				}
				if _, ok := basicAuth(j.Data[0].Token); !ok { // not base64 of AWS:PASSWORD: no registry takes it
					return ""
				}
				f.ECRToken = j.Data[0].Token
				return "ecr.api: GetAuthorizationToken answered with a registry token"
			})}
		})
	}}

// ask makes one call, timed, into r: build signs its request, send sends
// it, and the answer is judged: 200 with what ok recognizes passes; a
// refusal is judged by what AWS said, a policy's silence as the role's.
func ask(c *http.Client, r report.Result, build func() (*http.Request, error), ok func(awsAnswer) string) report.Result {
	start := time.Now()
	if req, err := build(); err != nil {
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, fmt.Sprintf("%s: signing %s failed: %v", r.Endpoint, r.Action[strings.IndexByte(r.Action, ':')+1:], err)
	} else {
		r = judge(c, req, r, ok)
	}
	r.Duration = time.Since(start)
	return r
}

func judge(c *http.Client, req *http.Request, r report.Result, ok func(awsAnswer) string) report.Result {
	a, err := send(c, req)
	switch {
	case errors.Is(err, errNotReached):
		return notReached(r, err)
	case err != nil:
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, fmt.Sprintf("%s: %s got no answer: %v", r.Endpoint, r.Action, err)
		return r
	case a.status == http.StatusOK:
		if msg := ok(a); msg != "" {
			r.Msg = msg
			return r
		}
		r.Status, r.Code, r.Msg = report.Fail, report.AWSError, fmt.Sprintf("%s: %s answered 200, but not as AWS does", r.Endpoint, r.Action)
		return r
	}
	code, e := judgeAWS(a, report.IAMDenied)
	r.Status, r.Code = report.Fail, code
	r.Msg = fmt.Sprintf("%s: %s was refused: %s", r.Endpoint, r.Action, e.describe(a.status))
	return r
}

func domainOf(ap *AWSPlan) string {
	if ap.Domain != "" {
		return ap.Domain
	}
	return DomainFor(ap.Region)
}

// basicAuth is the registry's Authorization from an ECR token, which is
// base64 of "AWS:PASSWORD" already.
func basicAuth(token string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil || !strings.HasPrefix(string(raw), "AWS:") {
		return "", false
	}
	return "Basic " + token, true
}

// roleName is the last part of a role ARN: arn:aws:iam::ACCOUNT:role/PATH/NAME.
func roleName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":role/")
	if !ok {
		return ""
	}
	return rest[strings.LastIndexByte(rest, '/')+1:]
}
