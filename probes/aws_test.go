package probes

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// AWS's own error bodies, as each protocol carries them.
func TestJudgeAWS(t *testing.T) {
	ec2 := func(code, msg string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error></Errors><RequestID>r</RequestID></Response>`
	}
	sts := func(code, msg string) string {
		return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>` + code + `</Code><Message>` + msg + `</Message></Error><RequestId>r</RequestId></ErrorResponse>`
	}
	ecr := func(code, msg string) string { return `{"__type":"` + code + `","message":"` + msg + `"}` }
	s3 := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>r</RequestId><HostId>h</HostId></Error>`
	const who = "User: arn:aws:sts::111122223333:assumed-role/node/i-1 is not authorized to perform: "
	for _, c := range []struct {
		name   string
		status int
		body   string
		deny   report.Code
		want   report.Code
	}{
		{"ec2 endpoint policy", 403, ec2("UnauthorizedOperation", who+"ec2:DescribeInstances because no VPC endpoint policy allows the ec2:DescribeInstances action"), report.IAMDenied, report.EndpointPolicyDenied},
		{"ec2 identity", 403, ec2("UnauthorizedOperation", who+"ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action"), report.IAMDenied, report.IAMDenied},
		{"ec2 names none", 403, ec2("UnauthorizedOperation", "You are not authorized to perform this operation."), report.IAMDenied, report.IAMDenied},
		{"ec2 auth failure", 401, ec2("AuthFailure", "AWS was not able to validate the provided access credentials"), report.IAMDenied, report.CredentialsInvalid},
		{"ec2 5xx", 503, ec2("Unavailable", "The server is overloaded"), report.IAMDenied, report.AWSError},
		{"ecr scp", 400, ecr("AccessDeniedException", who+"ecr:GetAuthorizationToken with an explicit deny in a service control policy"), report.IAMDenied, report.SCPDenied},
		{"ecr boundary", 400, ecr("AccessDeniedException", who+"ecr:GetAuthorizationToken because no permissions boundary allows the ecr:GetAuthorizationToken action"), report.IAMDenied, report.SCPDenied},
		{"ecr explicit endpoint deny", 400, ecr("AccessDeniedException", who+"ecr:GetAuthorizationToken with an explicit deny in a VPC endpoint policy"), report.IAMDenied, report.EndpointPolicyDenied},
		{"ecr coral type", 400, ecr("com.amazon.coral.service#UnrecognizedClientException", "The security token included in the request is invalid."), report.IAMDenied, report.CredentialsInvalid},
		{"sts expired", 403, sts("ExpiredToken", "The security token included in the request is expired"), report.IAMDenied, report.CredentialsInvalid},
		{"sts endpoint policy", 403, sts("AccessDenied", who+"sts:GetCallerIdentity because no VPC endpoint policy allows the sts:GetCallerIdentity action"), report.IAMDenied, report.EndpointPolicyDenied},
		{"registry denied", 403, `{"errors":[{"code":"DENIED","message":"Your authorization token has expired. Reauthenticate and try again."}]}`, report.ImagePullDenied, report.ImagePullDenied},
		{"registry 401 bare", 401, ``, report.ImagePullDenied, report.CredentialsInvalid},
		{"another server's 401", 401, `<html><head><title>401 Authorization Required</title></head></html>`, report.IAMDenied, report.AWSError},
		{"bare 401 on the layer", 401, ``, report.LayerBucketDenied, report.AWSError},
		{"the presigned URL's signature", 403, strings.Replace(s3, "AccessDenied", "SignatureDoesNotMatch", 1), report.LayerBucketDenied, report.LayerBucketDenied},
		{"the presigned URL's token", 400, strings.Replace(s3, "AccessDenied", "ExpiredToken", 1), report.LayerBucketDenied, report.LayerBucketDenied},
		{"ecr type with a namespace", 400, ecr("AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/", who+"ecr:GetAuthorizationToken because no VPC endpoint policy allows the ecr:GetAuthorizationToken action"), report.IAMDenied, report.EndpointPolicyDenied},
		{"ecr coral type with a namespace", 400, ecr("com.amazon.coral.service#ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/", "The security token included in the request is expired"), report.IAMDenied, report.CredentialsInvalid},
		{"s3 bare", 403, s3, report.LayerBucketDenied, report.LayerBucketDenied},
		{"s3 endpoint policy", 403, strings.Replace(s3, "Access Denied", who+"s3:GetObject on resource: \"arn:aws:s3:::prod-us-west-2-starport-layer-bucket/x\" because no VPC endpoint policy allows the s3:GetObject action", 1), report.LayerBucketDenied, report.LayerBucketDenied},
		{"not aws", 502, `<html>bad gateway</html>`, report.IAMDenied, report.AWSError},
	} {
		got, _ := judgeAWS(awsAnswer{status: c.status, header: http.Header{}, body: []byte(c.body)}, c.deny)
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// fakeAWS is every endpoint the calls reach, on one TLS server: each
// request must be signed for its service by the node's key (the S3 layer
// request presigned, with no Authorization at all).
type fakeAWS struct {
	t        *testing.T
	srv      *httptest.Server
	s3Status int    // the layer bucket's answer
	ec2Deny  string // an EC2 error body, if DescribeInstances is refused
	// cutManifest: the registry answers the manifest by digest with half
	// a status line and hangs up.
	cutManifest bool
	// tokenWaitsFor: GetAuthorizationToken answers only once a TLS
	// handshake for each of these hosts has begun (tokenLate if it gave
	// up waiting).
	tokenWaitsFor []string
	tokenLate     bool
	// badCertFor gets a certificate for another name.
	badCertFor string
	// answer, if set, answers in AWS's place when it says it did.
	answer  func(w http.ResponseWriter, r *http.Request, host string) bool
	mu      sync.Mutex
	clients map[string]map[string]bool // by host: the connections requests came on
	hellos  map[string]bool            // the names TLS handshakes began for
}

// waitForHellos waits up to a second for a handshake for each host.
func (f *fakeAWS) waitForHellos(hosts []string) bool {
	for range 100 {
		f.mu.Lock()
		seen := 0
		for _, h := range hosts {
			if f.hellos[h] {
				seen++
			}
		}
		f.mu.Unlock()
		if seen == len(hosts) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

const (
	fakeKey, fakeSecret, fakeSession = "ASIAFAKEKEY", "fake-secret-key", "fake-session-token"
	ecrPassword                      = "ecr-password-secret"
	presignedQuery                   = "X-Amz-Signature=presigned-secret"
	fakeRegistry                     = "602401143452.dkr.ecr.us-west-2.amazonaws.com"
	fakeBucket                       = "prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com"
)

var (
	pauseDigest = "sha256:" + strings.Repeat("a", 64)
	layerDigest = "sha256:" + strings.Repeat("b", 64)
)

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	f.mu.Lock()
	if f.clients == nil {
		f.clients = map[string]map[string]bool{}
	}
	if f.clients[host] == nil {
		f.clients[host] = map[string]bool{}
	}
	f.clients[host][r.RemoteAddr] = true
	f.mu.Unlock()
	if f.answer != nil && f.answer(w, r, host) {
		return
	}
	signedFor := func(service string) bool {
		a := r.Header.Get("Authorization")
		ok := strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential="+fakeKey+"/") && strings.Contains(a, "/us-west-2/"+service+"/aws4_request") &&
			r.Header.Get("X-Amz-Security-Token") == fakeSession
		if !ok {
			w.WriteHeader(403)
			fmt.Fprint(w, `<Response><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error></Errors></Response>`)
		}
		return ok
	}
	switch {
	case host == "ec2.us-west-2.amazonaws.com":
		if !signedFor("ec2") {
			return
		}
		r.ParseForm()
		if f.ec2Deny != "" {
			w.WriteHeader(403)
			fmt.Fprint(w, f.ec2Deny)
			return
		}
		fmt.Fprintf(w, `<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>%s</instanceId><privateDnsName>ip-10-0-0-5.us-west-2.compute.internal</privateDnsName></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`, r.PostForm.Get("InstanceId.1"))
	case host == "sts.us-west-2.amazonaws.com":
		if signedFor("sts") {
			fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/node/i-1</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`)
		}
	case host == "api.ecr.us-west-2.amazonaws.com":
		if len(f.tokenWaitsFor) > 0 && !f.waitForHellos(f.tokenWaitsFor) {
			f.mu.Lock()
			f.tokenLate = true
			f.mu.Unlock()
		}
		if signedFor("ecr") {
			tok := base64.StdEncoding.EncodeToString([]byte("AWS:" + ecrPassword))
			json.NewEncoder(w).Encode(map[string]any{"authorizationData": []map[string]any{{"authorizationToken": tok}}})
		}
	case host == fakeRegistry:
		if r.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("AWS:"+ecrPassword)) {
			w.WriteHeader(401)
			return
		}
		switch r.URL.Path {
		case "/v2/eks/pause/manifests/3.5":
			fmt.Fprintf(w, `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"digest":"%s","platform":{"os":"linux","architecture":"amd64"}}]}`, pauseDigest)
		case "/v2/eks/pause/manifests/" + pauseDigest:
			if f.cutManifest {
				c, buf, _ := w.(http.Hijacker).Hijack()
				buf.WriteString("HTTP/1.1 2")
				buf.Flush()
				c.Close()
				return
			}
			fmt.Fprintf(w, `{"schemaVersion":2,"layers":[{"digest":"%s"}]}`, layerDigest)
		case "/v2/eks/pause/blobs/" + layerDigest:
			w.Header().Set("Location", "https://"+fakeBucket+"/x/y?"+presignedQuery)
			w.WriteHeader(http.StatusTemporaryRedirect)
		default:
			w.WriteHeader(404)
		}
	case host == fakeBucket:
		if r.Header.Get("Authorization") != "" || r.URL.RawQuery != presignedQuery || r.Header.Get("Range") == "" {
			f.t.Errorf("the layer request carries Authorization %q, query %q, range %q", r.Header.Get("Authorization"), r.URL.RawQuery, r.Header.Get("Range"))
		}
		if f.s3Status != 0 {
			w.WriteHeader(f.s3Status)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
			return
		}
		w.WriteHeader(http.StatusPartialContent)
		w.Write([]byte("layer bytes"))
	default:
		f.t.Errorf("unexpected host %s", host)
	}
}

func newFakeAWS(t *testing.T) (*fakeAWS, Plan) {
	f := &fakeAWS{t: t}
	f.srv = httptest.NewUnstartedServer(f)
	cert, roots := awsCert(t)
	other, _ := awsCert(t)
	f.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.hellos == nil {
			f.hellos = map[string]bool{}
		}
		f.hellos[hello.ServerName] = true
		if hello.ServerName == f.badCertFor {
			return &tls.Config{Certificates: []tls.Certificate{other}}, nil
		}
		return nil, nil
	}}
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	addr := f.srv.Listener.Addr().String()
	creds := aws.Credentials{AccessKeyID: fakeKey, SecretAccessKey: fakeSecret, SessionToken: fakeSession}
	p := Plan{Timeout: 5 * time.Second, Facts: hints.NodeFacts{RoleARN: "arn:aws:iam::111122223333:role/node"},
		AWS: &AWSPlan{Region: "us-west-2", InstanceID: "i-1", Credentials: &creds, Roots: roots,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}}
	return f, p
}

// awsCert is a certificate for AWS's names, and the pool that trusts it.
func awsCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"*.us-west-2.amazonaws.com", "*.dkr.ecr.us-west-2.amazonaws.com", "*.s3.us-west-2.amazonaws.com", "api.ecr.us-west-2.amazonaws.com"},
		IsCA:     true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// runAWS runs the four calls as the runner would: ecr-pull after ecr-auth.
func runAWS(t *testing.T, p Plan) []report.Result {
	var out []report.Result
	f := &Findings{}
	for _, c := range AWSChecks {
		out = append(out, c.Run(context.Background(), p, f)...)
	}
	noSecrets(t, out)
	return out
}

// noSecrets fails t if a result shows a key, the session token, the ECR
// password or token, or a presigned query.
func noSecrets(t *testing.T, rs []report.Result) {
	t.Helper()
	for _, r := range rs {
		line := fmt.Sprintf("%+v", r)
		for _, s := range []string{fakeSecret, fakeSession, ecrPassword, base64.StdEncoding.EncodeToString([]byte("AWS:" + ecrPassword)), presignedQuery} {
			if strings.Contains(line, s) {
				t.Errorf("a result shows a secret: %s", line)
			}
		}
	}
}

func codes(rs []report.Result) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Endpoint+"/"+r.Action+"="+string(r.Status)+":"+string(r.Code))
	}
	return strings.Join(s, " ")
}

func TestAWSCallsHealthy(t *testing.T) {
	_, p := newFakeAWS(t)
	got := codes(runAWS(t, p))
	want := "ec2/ec2:DescribeInstances=pass:ok ecr.api/ecr:GetAuthorizationToken=pass:ok ecr.dkr/ecr:BatchGetImage=pass:ok s3/s3:GetObject=pass:ok sts/sts:GetCallerIdentity=pass:ok"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAWSCallsLayerBucketDenied(t *testing.T) {
	f, p := newFakeAWS(t)
	f.s3Status = 403
	rs := runAWS(t, p)
	var s3 report.Result
	for _, r := range rs {
		if r.Endpoint == "s3" {
			s3 = r
		}
	}
	if s3.Code != report.LayerBucketDenied || !strings.Contains(s3.Hint, "arn:aws:s3:::prod-us-west-2-starport-layer-bucket/*") {
		t.Errorf("s3: %+v", s3)
	}
}

func TestAWSCallsEC2EndpointPolicy(t *testing.T) {
	f, p := newFakeAWS(t)
	p.Endpoints = []Endpoint{{Name: "ec2", Service: "com.amazonaws.us-west-2.ec2"}}
	f.ec2Deny = `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>User: arn:aws:sts::111122223333:assumed-role/node/i-1 is not authorized to perform: ec2:DescribeInstances because no VPC endpoint policy allows the ec2:DescribeInstances action</Message></Error></Errors></Response>`
	r := runAWS(t, p)[0]
	if r.Code != report.EndpointPolicyDenied || !strings.Contains(r.Hint, "com.amazonaws.us-west-2.ec2") || !strings.Contains(r.Hint, "ec2:DescribeInstances") {
		t.Errorf("ec2: %+v", r)
	}
}

func TestAWSCallsWrongKeyIsCredentials(t *testing.T) {
	_, p := newFakeAWS(t)
	bad := *p.AWS.Credentials
	bad.AccessKeyID = "ASIAOTHER"
	p.AWS.Credentials = &bad
	rs := runAWS(t, p)
	if rs[0].Code != report.CredentialsInvalid {
		t.Errorf("ec2: %+v", rs[0])
	}
	if codes(rs[2:3]) != "ecr.dkr/ecr:BatchGetImage=skip:ok" {
		t.Errorf("ecr-pull after a failed ecr-auth: %s", codes(rs))
	}
}

func TestAWSCallNotReachedIsSkipped(t *testing.T) {
	_, p := newFakeAWS(t)
	p.AWS.Dial = func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused")}
	}
	for _, r := range runAWS(t, p) {
		if r.Status != report.Skip {
			t.Errorf("%+v", r)
		}
	}
}

func TestAWSCallsSTSAnswersForAnotherRole(t *testing.T) {
	_, p := newFakeAWS(t)
	p.Facts.RoleARN = "arn:aws:iam::111122223333:role/other"
	rs := runAWS(t, p)
	if r := rs[len(rs)-1]; r.Code != report.AWSError || !strings.Contains(r.Msg, "not a session of the node role") {
		t.Errorf("sts: %+v", r)
	}
}

// The pull's three registry requests share one connection: one TLS
// handshake, not three.
func TestAWSCallsPullKeepsOneConnection(t *testing.T) {
	f, p := newFakeAWS(t)
	if got := codes(runAWS(t, p)); !strings.Contains(got, "ecr.dkr/ecr:BatchGetImage=pass:ok s3/s3:GetObject=pass:ok") {
		t.Fatalf("the pull did not pass: %s", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.clients[fakeRegistry]); n != 1 {
		t.Errorf("the registry's requests came on %d connections, want 1", n)
	}
}

// A request that fails on the connection an earlier call of the check
// opened was sent to a reached endpoint: the call's failure, not a skip.
func TestAWSCallFailingOnKeptConnectionFails(t *testing.T) {
	f, p := newFakeAWS(t)
	f.cutManifest = true
	for _, r := range runAWS(t, p) {
		if r.Endpoint == "ecr.dkr" && (r.Status != report.Fail || r.Code != report.AWSError || !strings.Contains(r.Msg, "got no answer")) {
			t.Errorf("ecr.dkr: %s %s %s", r.Status, r.Code, r.Msg)
		}
	}
}

// runChecks runs the four calls through the runner, as a run does.
func runChecks(t *testing.T, p Plan) map[string]report.Result {
	p.Checks = AWSChecks
	rs := (&Runner{}).Run(context.Background(), p).Results
	noSecrets(t, rs)
	return byEndpoint(rs)
}

// The pull's handshakes with the registry and the layer bucket are made
// while ecr-auth asks for the token, and the pull then uses those
// connections: one dial, and one connection, to each host.
func TestAWSCallsPullOpensItsConnectionsDuringECRAuth(t *testing.T) {
	f, p := newFakeAWS(t)
	f.tokenWaitsFor = []string{fakeRegistry, fakeBucket}
	var mu sync.Mutex
	dials := map[string]int{}
	dial := p.AWS.Dial
	p.AWS.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dials[addr]++
		mu.Unlock()
		return dial(ctx, network, addr)
	}
	rs := runChecks(t, p)
	for _, e := range []string{"ecr.api", "ecr.dkr", "s3"} {
		if rs[e].Status != report.Pass {
			t.Errorf("%s: %+v", e, rs[e])
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokenLate {
		t.Error("the token was asked for before the pull's handshakes began")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range f.tokenWaitsFor {
		if n := len(f.clients[h]); n != 1 || dials[h+":443"] != 1 {
			t.Errorf("%s: %d dials, requests on %d connections; want 1 and 1", h, dials[h+":443"], n)
		}
	}
}

// A connection opened early is judged as one the call dialed: TLS that
// does not verify is the call's failure, a refused connect a skip (the
// endpoint's own check says it).
func TestAWSCallsEarlyConnectionsJudgedAsDialed(t *testing.T) {
	f, p := newFakeAWS(t)
	f.badCertFor = fakeRegistry
	if r := runChecks(t, p)["ecr.dkr"]; r.Status != report.Fail || r.Code != report.AWSError || !strings.Contains(r.Msg, "got no answer") {
		t.Errorf("TLS failure on the early connection: %s %s %s", r.Status, r.Code, r.Msg)
	}

	_, p = newFakeAWS(t)
	dial := p.AWS.Dial
	p.AWS.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == fakeRegistry+":443" {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused")}
		}
		return dial(ctx, network, addr)
	}
	if r := runChecks(t, p)["ecr.dkr"]; r.Status != report.Skip || !strings.Contains(r.Msg, "not reached") {
		t.Errorf("refused early connection: %s %s %s", r.Status, r.Code, r.Msg)
	}

	// A registry that takes the connection, slowly, and then never
	// answers the ClientHello: the pull gives up before the early
	// handshake does, and has reached the registry all the same.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 8)
	t.Cleanup(func() {
		silent.Close()
		for len(accepted) > 0 {
			(<-accepted).Close()
		}
	})
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			accepted <- c // held open, and silent
		}
	}()
	_, p = newFakeAWS(t)
	p.Timeout = 300 * time.Millisecond
	dial = p.AWS.Dial
	p.AWS.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == fakeRegistry+":443" {
			time.Sleep(100 * time.Millisecond)
			return (&net.Dialer{}).DialContext(ctx, network, silent.Addr().String())
		}
		return dial(ctx, network, addr)
	}
	if r := runChecks(t, p)["ecr.dkr"]; r.Status != report.Fail || r.Code != report.AWSError {
		t.Errorf("a handshake that stalls on the early connection: %s %s %s", r.Status, r.Code, r.Msg)
	}
}

// Connections opened for a pull that never runs (ecr-auth got no token)
// are closed, and one whose handshake failed is let be.
func TestAWSCallsEarlyConnectionsUnusedAreClosed(t *testing.T) {
	f, p := newFakeAWS(t)
	f.badCertFor = fakeBucket
	bad := *p.AWS.Credentials
	bad.AccessKeyID = "ASIAOTHER"
	p.AWS.Credentials = &bad
	var open atomic.Int32
	dial := p.AWS.Dial
	p.AWS.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil {
			open.Add(1)
			c = &countedConn{Conn: c, open: &open}
		}
		return c, err
	}
	if r := runChecks(t, p)["ecr.dkr"]; r.Status != report.Skip {
		t.Fatalf("the pull ran without a token: %+v", r)
	}
	for i := 0; open.Load() != 0 && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := open.Load(); n != 0 {
		t.Errorf("%d connections left open", n)
	}
}

type countedConn struct {
	net.Conn
	open *atomic.Int32
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

func byEndpoint(rs []report.Result) map[string]report.Result {
	m := map[string]report.Result{}
	for _, r := range rs {
		m[r.Endpoint] = r
	}
	return m
}

// CloudFormation names roles up to 64 characters (eksctl's node roles
// often are): the session's ARN is compared whole, not as the message
// quotes it.
func TestAWSCallsSTSLongRoleName(t *testing.T) {
	f, p := newFakeAWS(t)
	role := "eksctl-prod-cluster-nodegroup-ng-1-NodeInstanceRole-AbCdEf123456"
	p.Facts.RoleARN = "arn:aws:iam::111122223333:role/" + role
	f.answer = func(w http.ResponseWriter, r *http.Request, host string) bool {
		if host != "sts.us-west-2.amazonaws.com" {
			return false
		}
		fmt.Fprintf(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/%s/i-0123456789abcdef0</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`, role)
		return true
	}
	if r := byEndpoint(runAWS(t, p))["sts"]; r.Status != report.Pass {
		t.Errorf("sts: %s %s: %s", r.Status, r.Code, r.Msg)
	}
}

// A 200 whose token is not base64 of AWS:PASSWORD is not a registry
// credential: ecr-auth fails, rather than passing with a pull skipped.
func TestAWSCallsECRTokenNotARegistryCredential(t *testing.T) {
	f, p := newFakeAWS(t)
	f.answer = func(w http.ResponseWriter, r *http.Request, host string) bool {
		if host != "api.ecr.us-west-2.amazonaws.com" {
			return false
		}
		fmt.Fprint(w, `{"authorizationData":[{"authorizationToken":"not-a-registry-token"}]}`)
		return true
	}
	m := byEndpoint(runAWS(t, p))
	if r := m["ecr.api"]; r.Status != report.Fail || r.Code != report.AWSError {
		t.Errorf("ecr.api: %s %s: %s", r.Status, r.Code, r.Msg)
	}
	if r := m["ecr.dkr"]; r.Status != report.Skip {
		t.Errorf("ecr.dkr: %s %s: %s", r.Status, r.Code, r.Msg)
	}
}

// The layer URL is signed by ECR, not with the node's credentials: S3
// refusing its signature or token is the bucket's refusal of the download,
// not the role's credentials.
func TestAWSCallsLayerURLAuthErrorsAreTheBuckets(t *testing.T) {
	for _, code := range []string{"SignatureDoesNotMatch", "ExpiredToken", "InvalidAccessKeyId", "InvalidToken"} {
		f, p := newFakeAWS(t)
		f.answer = func(w http.ResponseWriter, r *http.Request, host string) bool {
			if host != fakeBucket {
				return false
			}
			w.WriteHeader(403)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>x</Message></Error>`, code)
			return true
		}
		if r := byEndpoint(runAWS(t, p))["s3"]; r.Code != report.LayerBucketDenied {
			t.Errorf("S3 %s on the layer URL: %s (%s)", code, r.Code, r.Msg)
		}
	}
}

// AWS's SignatureDoesNotMatch goes on to quote the canonical request,
// whose headers hold the session token: only its first line is shown.
func TestAWSCallsSignatureMismatchShowsNoSessionToken(t *testing.T) {
	f, p := newFakeAWS(t)
	f.answer = func(w http.ResponseWriter, r *http.Request, host string) bool {
		if host != "sts.us-west-2.amazonaws.com" {
			return false
		}
		w.WriteHeader(403)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.

The Canonical String for this request should have been
'POST
/

host:%s
x-amz-security-token:%s'</Message></Error></ErrorResponse>`, host, r.Header.Get("X-Amz-Security-Token"))
		return true
	}
	r := byEndpoint(runAWS(t, p))["sts"] // runAWS fails the test on the session token
	if r.Code != report.CredentialsInvalid || !strings.Contains(r.Msg, "does not match the signature you provided") {
		t.Errorf("sts: %s: %s", r.Code, r.Msg)
	}
}

func TestAWSMessageCutAtARune(t *testing.T) {
	s := awsError{Code: "AccessDenied", Message: strings.Repeat("a", maxAWSMessage-1) + "é and more"}.describe(403)
	if !utf8.ValidString(s) || !strings.HasSuffix(s, "a…") {
		t.Errorf("describe ends %q", s[len(s)-8:])
	}
}

// The one redirect followed goes to the layer bucket's S3 host, and
// carries no credentials of the Location's own.
func TestAWSCallsLayerRedirectOnlyToTheBucket(t *testing.T) {
	for _, location := range []string{
		"https://sts.us-west-2.amazonaws.com/x?" + presignedQuery,
		"https://" + fakeBucket + ".example.com/x?" + presignedQuery,
		"https://AKIAEVIL:pw@" + fakeBucket + "/x?" + presignedQuery,
	} {
		f, p := newFakeAWS(t)
		var followed atomic.Bool
		f.answer = func(w http.ResponseWriter, r *http.Request, host string) bool {
			switch {
			case host == fakeRegistry && strings.Contains(r.URL.Path, "/blobs/"):
				w.Header().Set("Location", location)
				w.WriteHeader(http.StatusTemporaryRedirect)
			case r.Method == http.MethodGet && host != fakeRegistry:
				followed.Store(true)
				w.WriteHeader(http.StatusPartialContent)
			default:
				return false
			}
			return true
		}
		r := byEndpoint(runAWS(t, p))["s3"]
		if r.Status != report.Fail || r.Code != report.AWSError || followed.Load() || strings.Contains(r.Msg, "pw") {
			t.Errorf("%s: followed %v; %s %s: %s", location, followed.Load(), r.Status, r.Code, r.Msg)
		}
	}
}

// Under --wait, each round judges what it heard: a refused GetAuthorizationToken
// leaves the pull without an earlier round's token (skipped, as ecr-auth
// failed), and sts-api's refusal of a round that then takes the
// credentials is forgotten.
func TestAWSCallsEachRoundItsOwnFindings(t *testing.T) {
	f, p := newFakeAWS(t)
	var auths, sts atomic.Int32
	f.answer = func(w http.ResponseWriter, r *http.Request, host string) bool {
		switch {
		case host == "api.ecr.us-west-2.amazonaws.com" && auths.Add(1) > 1:
			w.WriteHeader(500)
			fmt.Fprint(w, `{"__type":"ServerException","message":"internal"}`)
		case host == "sts.us-west-2.amazonaws.com" && sts.Add(1) == 1:
			w.WriteHeader(403)
			fmt.Fprint(w, `<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>`)
		default:
			return false
		}
		return true
	}
	found := &Findings{}
	for round := range 2 {
		for _, c := range AWSChecks {
			if round == 1 && c.Name == ecrPullCheck.Name && found.ECRToken == "" {
				continue // the runner skips a check whose need failed
			}
			c.Run(t.Context(), p, found)
		}
	}
	if found.ECRToken != "" || found.CredentialsRefused != "" {
		t.Errorf("after the second round: token kept %v, refusal %q", found.ECRToken != "", found.CredentialsRefused)
	}
}

// Through a proxy, TLS that failed as the endpoint's own check through the
// tunnel must have failed is that check's finding; a stall may be the
// call's alone.
func TestTunnelTLSFoundOnlyWhatTheEndpointSees(t *testing.T) {
	p := Plan{Endpoints: []Endpoint{{Name: "sts", Host: "sts.us-west-2.amazonaws.com", Via: &url.URL{Scheme: "http", Host: "proxy:3128"}}}}
	notTLS := fmt.Errorf("handshake: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"})
	for _, c := range []struct {
		host string
		err  error
		want bool
	}{
		{"sts.us-west-2.amazonaws.com", notTLS, true},
		{fakeBucket, notTLS, false},
		{"sts.us-west-2.amazonaws.com", context.DeadlineExceeded, false},
		{"sts.us-west-2.amazonaws.com", &tls.CertificateVerificationError{UnverifiedCertificates: []*x509.Certificate{{}}, Err: x509.UnknownAuthorityError{}}, true},
	} {
		if got := p.tunnelTLSFound(c.host, c.err); got != c.want {
			t.Errorf("%s, %v: %v, want %v", c.host, c.err, got, c.want)
		}
	}
}
