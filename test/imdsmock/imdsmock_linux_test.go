package imdsmock

import (
	"io"
	"net/http"
	"sync"
	"testing"
)

// Concurrent reads each get their own path's answer (Env). Without Env
// about one credentials read in 10,000 got iam/info's JSON on 2 cores.
func TestConcurrentReadsGetTheirOwnAnswers(t *testing.T) {
	endpoint := Start(t, Default())
	get := func(method, path string, header http.Header) string {
		req, err := http.NewRequest(method, endpoint+path, nil)
		if err != nil {
			t.Error(err)
			return ""
		}
		req.Header = header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	token := get(http.MethodPut, "/latest/api/token", http.Header{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": {"60"}})
	header := http.Header{"X-Aws-Ec2-Metadata-Token": {token}}
	paths := []string{"/latest/meta-data/iam/info", "/latest/meta-data/iam/security-credentials/eksboot-node"}
	want := map[string]string{}
	for _, p := range paths {
		want[p] = get(http.MethodGet, p, header)
	}
	wrong := 0
	var mu sync.Mutex
	for range 2000 {
		var wg sync.WaitGroup
		for range 4 {
			for _, p := range paths {
				wg.Go(func() {
					if got := get(http.MethodGet, p, header); got != want[p] {
						mu.Lock()
						wrong++
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
	}
	if wrong > 0 {
		t.Errorf("%d of %d concurrent reads got another path's answer", wrong, 2000*4*len(paths))
	}
}
