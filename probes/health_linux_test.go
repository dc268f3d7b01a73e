package probes

import (
	"net/http"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/loopvpc"
)

// TestHealthAsksEveryEndpointAtOnce: with etcd down, /readyz answers
// late or 500 while /livez and /healthz answer at once; the api result
// says what each answered, rather than "no answer in time" alone.
func TestHealthAsksEveryEndpointAtOnce(t *testing.T) {
	w := newWorld(t, true)
	w.both("api", "127.0.1.22")
	loopvpc.ServeAPI(t, "127.0.1.22", w.ca.ServerCert(t, []string{apiHost}, "10.100.0.1"), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			<-r.Context().Done() // until eksboot gives up on it
		case "/livez", "/healthz":
			http.Error(rw, "[-]etcd failed: reason withheld", http.StatusInternalServerError)
		default:
			w.api.ServeHTTP(rw, r)
		}
	}))
	r := find(t, w.run(t), "api", report.KindAPI, report.APIHTTPError)
	for _, want := range []string{"GET /readyz: no answer in time", "GET /livez answered 500", "GET /healthz answered 500"} {
		if !strings.Contains(r.Msg, want) {
			t.Errorf("%q lacks %q", r.Msg, want)
		}
	}
}
