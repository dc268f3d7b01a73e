package probes

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/loopvpc"
	"github.com/eksboot/eksboot/test/netns"
)

// TestNoRedirectIsFollowed: an API server (its TLS verified) that points a
// request at a plain-HTTP subdomain of its own host would get the node's
// token re-sent there in clear, since Go keeps Authorization for the same
// host and its subdomains, and the verdict would come from that server's
// JSON. No request to the API server follows a redirect: a 3xx is an
// api_http_error that says where it pointed.
func TestNoRedirectIsFollowed(t *testing.T) {
	// The plain server answers what the real one would, to anyone.
	zone := loopvpc.NewZone()
	zone.Set("sub."+apiHost, "127.0.1.20")
	loopvpc.StartDNS(t, netns.NodeResolver+":53", zone)
	var mu sync.Mutex
	var heard []string
	plain := &http.Server{Addr: "127.0.1.20:8080", Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		heard = append(heard, fmt.Sprintf("%s %s with a token: %t", r.Method, r.URL.Path, r.Header.Get("Authorization") != ""))
		mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/selfsubjectreviews"):
			rw.WriteHeader(http.StatusCreated)
			rw.Write([]byte(`{"status":{"userInfo":{"username":"system:node:ip-10-0-1-10.eu-west-1.compute.internal","groups":["system:nodes"]}}}`))
		case r.URL.Path == "/version":
			rw.Write([]byte(`{"gitVersion":"v1.33.5-eks-3025e55"}`))
		default:
			rw.Write([]byte("ok"))
		}
	})}
	go plain.ListenAndServe()
	t.Cleanup(func() { plain.Close() })

	for _, tc := range []struct {
		name, path string // the path the API server redirects
		check      string
	}{
		{"review", "/apis/authentication.k8s.io/v1/selfsubjectreviews", report.KindAuth},
		{"version", "/version", report.KindAPI},
		{"health", "/readyz", report.KindAPI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			heard = nil
			mu.Unlock()
			w := newWorld(t, true)
			w.both("api", "127.0.1.19")
			target := "http://sub." + apiHost + ":8080" + tc.path
			loopvpc.ServeAPI(t, "127.0.1.19", w.ca.ServerCert(t, []string{apiHost}, "10.100.0.1"), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if r.URL.Path == tc.path { // the query may carry what was asked with: never quoted
					http.Redirect(rw, r, target+"?token="+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), http.StatusTemporaryRedirect)
					return
				}
				w.api.ServeHTTP(rw, r)
			}))
			rep := w.run(t)
			mu.Lock()
			defer mu.Unlock()
			if len(heard) > 0 {
				t.Fatalf("the redirect was followed: %q\n%s", heard, dump(rep.Results))
			}
			var got *report.Result
			for i, r := range rep.Results {
				if r.Kind == tc.check && r.Code == report.APIHTTPError {
					got = &rep.Results[i]
				}
			}
			if got == nil || got.Status != report.Fail || !strings.Contains(got.Msg, "307") || !strings.Contains(got.Msg, target[:min(len(target), 80)]) || strings.Contains(got.Msg, "?t") {
				t.Fatalf("want a failed %s api_http_error naming the 307 to %s:\n%s", tc.check, target, dump(rep.Results))
			}
			for _, r := range rep.Results {
				if strings.Contains(r.Msg+r.Hint, "k8s-aws-v1.") {
					t.Fatalf("the token in the output: %s", r.Msg)
				}
			}
		})
	}
}
