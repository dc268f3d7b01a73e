package awssim

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// passwordPrefix begins every ECR password handed out, so that tests can
// look for any of them in an output (ECR's are base64 JSON, as these).
const passwordPrefix = "eyJwYXlsb2FkIjoi"

// Secrets are strings no output may carry: the start of every ECR password
// and of its authorization token, ECR's presigning secret and key, and a
// presigned URL's signature.
func Secrets() []string {
	return []string{passwordPrefix, base64.StdEncoding.EncodeToString([]byte("AWS:" + passwordPrefix)[:18]),
		ecrCreds.SecretAccessKey, ecrCreds.SessionToken, "X-Amz-Signature=", ecrCreds.AccessKeyID}
}

const requestID = "a1b2c3d4-0000-4000-8000-eksbootsim00"

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return b
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// refusal is a service's answer to a request it cannot authenticate.
type refusal struct {
	status    int
	code, msg string
}

// Each service's refusals, in its own words.
var (
	ec2Refusals = map[authError]refusal{
		authUnknownKey:   {http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials"},
		authBadSignature: {http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials"},
		authExpired:      {http.StatusBadRequest, "RequestExpired", "Request has expired."},
	}
	stsRefusals = map[authError]refusal{
		authUnknownKey:   {http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."},
		authExpired:      {http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired"},
		authBadSignature: {http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."},
	}
	ecrRefusals = map[authError]refusal{
		authUnknownKey:   {http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."},
		authExpired:      {http.StatusBadRequest, "ExpiredTokenException", "The security token included in the request is expired"},
		authBadSignature: {http.StatusBadRequest, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."},
	}
)

// authenticate verifies r's SigV4 signature for service; a request it
// cannot authenticate gets the service's refusal through fail.
func (a *AWS) authenticate(r *http.Request, body []byte, service string, refusals map[authError]refusal, fail func(status int, code, msg string)) bool {
	e := a.verifyHeader(r, body, service)
	if e == authOK {
		return true
	}
	f := refusals[e]
	fail(f.status, f.code, f.msg)
	return false
}

// ec2 answers DescribeInstances (Query API, 2016-11-15).
func (a *AWS) ec2(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`, code, xmlText(msg), requestID)
	}
	if !a.authenticate(r, body, "ec2", ec2Refusals, fail) {
		return
	}
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != "DescribeInstances" {
		fail(http.StatusBadRequest, "InvalidAction", "The action "+form.Get("Action")+" is not valid for this web service.")
		return
	}
	if why := a.authorize("ec2", "ec2:DescribeInstances", "*"); why != "" {
		fail(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. "+a.deniedMessage("ec2:DescribeInstances", "*", why))
		return
	}
	id := form.Get("InstanceId.1")
	name, ok := a.Instances[id]
	if a.Instances == nil {
		name, ok = a.PrivateDNSName, id == a.Session
	}
	if !ok {
		fail(http.StatusBadRequest, "InvalidInstanceID.NotFound", "The instance ID '"+id+"' does not exist")
		return
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>%s</requestId><reservationSet><item><reservationId>r-0eksbootsim</reservationId><ownerId>%s</ownerId><instancesSet><item><instanceId>%s</instanceId><privateDnsName>%s</privateDnsName><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`,
		requestID, a.Account, xmlText(id), xmlText(name))
}

// sts answers GetCallerIdentity (Query API, 2011-06-15).
func (a *AWS) sts(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, code, xmlText(msg), requestID)
	}
	if !a.authenticate(r, body, "sts", stsRefusals, fail) {
		return
	}
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != "GetCallerIdentity" {
		fail(http.StatusBadRequest, "InvalidAction", "Could not find operation "+form.Get("Action"))
		return
	}
	// GetCallerIdentity needs no permission: only an explicit deny (an
	// endpoint policy's, an SCP's) refuses it.
	if why := a.authorize("sts", "sts:GetCallerIdentity", "*"); why != "" && !strings.Contains(why, "identity-based") {
		fail(http.StatusForbidden, "AccessDenied", a.deniedMessage("sts:GetCallerIdentity", a.ARN(), why))
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AROAEKSBOOTSIMULATED:%s</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		xmlText(a.ARN()), xmlText(a.Session), a.Account, requestID)
}

// ecrAPI answers GetAuthorizationToken (JSON 1.1).
func (a *AWS) ecrAPI(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", code+":")
		w.Header().Set("X-Amzn-Requestid", requestID)
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	}
	if !a.authenticate(r, body, "ecr", ecrRefusals, fail) {
		return
	}
	if r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken" {
		fail(http.StatusBadRequest, "UnknownOperationException", "")
		return
	}
	if why := a.authorize("ecr.api", "ecr:GetAuthorizationToken", "*"); why != "" {
		fail(http.StatusBadRequest, "AccessDeniedException", a.deniedMessage("ecr:GetAuthorizationToken", "*", why))
		return
	}
	raw := make([]byte, 24)
	rand.Read(raw)
	password := passwordPrefix + hex.EncodeToString(raw)
	a.mu.Lock()
	if a.tokens == nil {
		a.tokens = map[string]bool{}
	}
	a.tokens[password] = true
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(map[string]any{"authorizationData": []map[string]any{{
		"authorizationToken": base64.StdEncoding.EncodeToString([]byte("AWS:" + password)),
		"expiresAt":          float64(a.now().Add(12 * 3600e9).Unix()),
		"proxyEndpoint":      "https://" + a.Account + ".dkr.ecr." + a.Region + ".amazonaws.com",
	}}})
}

// registry answers the registry v2 API for eks/pause:3.5, with Basic auth
// of an ECR token, and its blob as a 307 to a presigned S3 URL.
func (a *AWS) registry(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
		if status == http.StatusUnauthorized {
			w.Header().Set("Www-Authenticate", `Basic realm="https://`+r.Host+`/",service="ecr.amazonaws.com"`)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
	}
	user, password, ok := r.BasicAuth()
	a.mu.Lock()
	known := a.tokens[password]
	a.mu.Unlock()
	if !ok || user != "AWS" || !known {
		fail(http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	account, _, _ := strings.Cut(r.Host, ".dkr.ecr.")
	if r.URL.Path == "/v2/" || r.URL.Path == "/v2" {
		w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
		w.WriteHeader(http.StatusOK)
		return
	}
	name, kind, ref, ok := registryPath(r.URL.Path)
	if !ok {
		fail(http.StatusNotFound, "NOT_FOUND", "404 page not found")
		return
	}
	// As AWS does, the policies decide before the repository is looked
	// up: a caller refused learns nothing of what exists.
	repo := "arn:aws:ecr:" + a.Region + ":" + account + ":repository/" + name
	action := map[string]string{"manifests": "ecr:BatchGetImage", "blobs": "ecr:GetDownloadUrlForLayer", "tags": "ecr:ListImages"}[kind]
	why := a.authorize("ecr.dkr", action, repo)
	if why == "" && a.Repository != nil {
		if ok, _ := a.Repository.decide(action, repo); !ok {
			why = "because no resource-based policy allows the " + action + " action"
		}
	}
	if why != "" {
		fail(http.StatusForbidden, "DENIED", a.deniedMessage(action, repo, why))
		return
	}
	if name != pauseRepository || account != ImageAccount {
		fail(http.StatusNotFound, "NAME_UNKNOWN", "The repository with name '"+name+"' does not exist in the registry with id '"+account+"'")
		return
	}
	switch kind {
	case "tags":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"name": name, "tags": []string{pauseTag}})
	case "manifests":
		body, media := pause.manifests[ref], mediaManifest
		if ref == pauseTag || ref == pause.indexDigest {
			body, media = pause.index, mediaIndex
		}
		if body == nil {
			fail(http.StatusNotFound, "MANIFEST_UNKNOWN", "Requested image not found")
			return
		}
		w.Header().Set("Content-Type", media)
		w.Header().Set("Docker-Content-Digest", digest(body))
		w.Write(body)
	case "blobs":
		if pause.blobs[ref] == nil {
			fail(http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
			return
		}
		w.Header().Set("Location", a.presign(ImageAccount+"/"+strings.TrimPrefix(ref, "sha256:")))
		w.WriteHeader(http.StatusTemporaryRedirect)
	}
}

// registryPath splits a registry v2 path, /v2/NAME/manifests/REF,
// /v2/NAME/blobs/DIGEST or /v2/NAME/tags/list (a name may hold slashes).
func registryPath(p string) (name, kind, ref string, ok bool) {
	p, ok = strings.CutPrefix(p, "/v2/")
	if !ok {
		return "", "", "", false
	}
	if n, found := strings.CutSuffix(p, "/tags/list"); found {
		return n, "tags", "", n != ""
	}
	for _, k := range []string{"manifests", "blobs"} {
		if i := strings.LastIndex(p, "/"+k+"/"); i > 0 {
			return p[:i], k, p[i+len(k)+2:], p[i+len(k)+2:] != ""
		}
	}
	return "", "", "", false
}

// s3 answers a presigned GET of the layer bucket, as far as the gateway
// endpoint's policy lets the request through.
func (a *AWS) s3(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message><RequestId>EKSBOOTSIM0000</RequestId><HostId>c2ltdWxhdGVk</HostId></Error>`, code, xmlText(msg))
	}
	if status, code, msg := a.verifyPresigned(r); status != 0 {
		fail(status, code, msg)
		return
	}
	// The bucket is AWS's, not the caller's account: S3 says no more than
	// "Access Denied" across accounts.
	object := "arn:aws:s3:::" + LayerBucket(a.Region) + r.URL.Path
	ep := a.Endpoints["s3"]
	if ep == nil {
		ep = AllowAll
	}
	if ok, _ := ep.decide("s3:GetObject", object); !ok {
		fail(http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	blob := pause.blobs["sha256:"+strings.TrimPrefix(r.URL.Path, "/"+ImageAccount+"/")]
	if blob == nil {
		fail(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	// S3 answers one range (206 and Content-Range), ignores a Range it
	// cannot use (several ranges, bad syntax) and refuses one past the
	// end with its InvalidRange error.
	if first, ok := singleRange(r.Header.Get("Range")); !ok {
		r.Header.Del("Range")
	} else if first >= int64(len(blob)) {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(blob)))
		fail(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
		return
	}
	sum := md5.Sum(blob)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Accept-Ranges", "bytes")
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(blob))
}

// singleRange reads a Range header of one byte range, bytes=A-B, A- or
// -N: its first byte (0 for a suffix), and false for anything else.
func singleRange(h string) (int64, bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	from, to, dash := strings.Cut(spec, "-")
	if !ok || !dash || strings.Contains(spec, ",") {
		return 0, false
	}
	if from == "" {
		n, err := strconv.ParseInt(to, 10, 64)
		return 0, err == nil && n > 0
	}
	a, err := strconv.ParseInt(from, 10, 64)
	if err != nil || a < 0 {
		return 0, false
	}
	if to != "" {
		if b, err := strconv.ParseInt(to, 10, 64); err != nil || b < a {
			return 0, false
		}
	}
	return a, true
}
