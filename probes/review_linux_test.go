package probes

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/loopvpc"
)

// TestReviewFallsBackAsServersAnswer: SelfSubjectReview v1 is served from
// Kubernetes 1.28, v1beta1 on 1.27 (and answers 404 on current servers),
// neither before; GET /api answers 200 to any authenticated user. The
// identity check finds the node on each, asking only what it must.
func TestReviewFallsBackAsServersAnswer(t *testing.T) {
	const v1, v1beta1 = "/apis/authentication.k8s.io/v1/selfsubjectreviews", "/apis/authentication.k8s.io/v1beta1/selfsubjectreviews"
	for _, tc := range []struct {
		version string
		asked   []string
		user    bool // the review says who
	}{
		{"v1.33.5-eks-3025e55", []string{v1}, true},
		{"v1.27.16-eks-2f46c53", []string{v1, v1beta1}, true},
		{"v1.26.15-eks-59bf375", []string{v1, v1beta1, "/api"}, false},
	} {
		t.Run(tc.version, func(t *testing.T) {
			w := newWorld(t, true)
			w.api.Version = tc.version
			var mu sync.Mutex
			var asked []string
			w.both("api", "127.0.1.23")
			loopvpc.ServeAPI(t, "127.0.1.23", w.ca.ServerCert(t, []string{apiHost}, "10.100.0.1"), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost || r.URL.Path == "/api" {
					mu.Lock()
					asked = append(asked, r.URL.Path)
					mu.Unlock()
				}
				w.api.ServeHTTP(rw, r)
			}))
			rep := w.run(t)
			r := find(t, rep, "", report.KindAuth, report.OK)
			if !slices.Equal(asked, tc.asked) || (rep.User != nil) != tc.user {
				t.Fatalf("asked %q, user %+v: %s", asked, rep.User, r.Msg)
			}
			if !tc.user && !strings.Contains(r.Msg, "GET /api") {
				t.Fatalf("%s", r.Msg)
			}
		})
	}
}

// TestReviewAsTheAuthenticatorFillsIt: the review carries what
// aws-iam-authenticator puts in the user's extra (the session's ARN, the
// role's, the access key ID); none of it reaches an output.
func TestReviewAsTheAuthenticatorFillsIt(t *testing.T) {
	w := newWorld(t, true)
	rep := w.run(t)
	find(t, rep, "", report.KindAuth, report.OK)
	key := imdsmock.Default().Credentials.AccessKeyID
	for _, r := range rep.Results {
		if strings.Contains(r.Msg+r.Hint, key) || strings.Contains(r.Msg, "assumed-role") {
			t.Fatalf("the review's extra in the output: %s", r.Msg)
		}
	}
}
