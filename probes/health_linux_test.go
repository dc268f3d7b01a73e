package probes

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/eksboot/eksboot/report"
	"github.com/eksboot/eksboot/test/loopvpc"
)

// TestHealthAsksEveryEndpointAtOnce: with etcd down, /readyz answers
// late or 500 while /livez and /healthz answer at once; once /readyz has
// not answered 200 in its grace they are asked too, and the api result
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

// A /readyz that answers 200 is the only health request: the others would
// each cost a TLS handshake of their own, the first connection being busy.
// One that answers otherwise has the others asked, and a 200 from any
// passes.
func TestHealthAsksOthersOnlyWhenReadyzFails(t *testing.T) {
	for _, c := range []struct {
		readyz     int
		msg, asked string
	}{
		{http.StatusOK, "GET /readyz answered 200", "/readyz"},
		{http.StatusInternalServerError, "GET /livez answered 200", "/healthz /livez /readyz"},
	} {
		t.Run(c.asked, func(t *testing.T) {
			w := newWorld(t, true)
			w.both("api", "127.0.1.23")
			var mu sync.Mutex
			var asked []string
			loopvpc.ServeAPI(t, "127.0.1.23", w.ca.ServerCert(t, []string{apiHost}, "10.100.0.1"), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if slices.Contains(healthPaths, r.URL.Path) {
					mu.Lock()
					asked = append(asked, r.URL.Path)
					mu.Unlock()
				}
				if r.URL.Path == "/readyz" && c.readyz != http.StatusOK {
					http.Error(rw, "[-]etcd failed: reason withheld", c.readyz)
					return
				}
				w.api.ServeHTTP(rw, r)
			}))
			r := find(t, w.run(t), "api", report.KindAPI, report.OK)
			if !strings.Contains(r.Msg, c.msg) {
				t.Errorf("%q lacks %q", r.Msg, c.msg)
			}
			mu.Lock()
			defer mu.Unlock()
			slices.Sort(asked)
			if got := strings.Join(asked, " "); got != c.asked {
				t.Errorf("asked %s, want %s", got, c.asked)
			}
		})
	}
}
