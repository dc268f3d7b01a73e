package imds

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// barrierIMDS speaks IMDSv2 and answers the paths of each round only once
// every path of that round is being asked at the same time: an IMDS read
// that asks one after another waits out each call's timeout and fails.
func barrierIMDS(t *testing.T, answers map[string]string, rounds ...[]string) string {
	t.Helper()
	var mu sync.Mutex
	type barrier struct {
		want    int
		arrived map[string]bool
		all     chan struct{}
	}
	byPath := map[string]*barrier{}
	for _, round := range rounds {
		b := &barrier{want: len(round), arrived: map[string]bool{}, all: make(chan struct{})}
		for _, p := range round {
			byPath[p] = b
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			w.Write([]byte("token"))
			return
		}
		path := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/latest/meta-data/"), "/latest/dynamic/")
		if b := byPath[path]; b != nil {
			mu.Lock()
			if !b.arrived[path] {
				b.arrived[path] = true
				if len(b.arrived) == b.want {
					close(b.all)
				}
			}
			mu.Unlock()
			select {
			case <-b.all:
			case <-r.Context().Done():
				return
			}
		}
		a, ok := answers[path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(a))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestFactsAreReadConcurrently: once the session token is there, what
// does not depend on another answer is asked at once (the identity
// document, the MAC, the instance profile and its role); then what needs
// the MAC or the role's name (the interface's paths, the credentials).
func TestFactsAreReadConcurrently(t *testing.T) {
	iface := "network/interfaces/macs/0e:11:22:33:44:55/"
	answers := map[string]string{
		"instance-identity/document":    `{"region":"eu-west-1","accountId":"111122223333","instanceId":"i-1","privateIp":"10.0.1.10"}`,
		"mac":                           "0e:11:22:33:44:55",
		"iam/info":                      `{"Code":"Success","InstanceProfileArn":"arn:aws:iam::111122223333:instance-profile/node"}`,
		"iam/security-credentials/":     "node",
		"iam/security-credentials/node": `{"Code":"Success","AccessKeyId":"ASIA1","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}`,
		iface + "vpc-ipv4-cidr-blocks":  "10.0.0.0/16",
		"local-hostname":                "ip-10-0-1-10.eu-west-1.compute.internal",
	}
	url := barrierIMDS(t, answers,
		[]string{"instance-identity/document", "mac", "iam/info", "iam/security-credentials/", "local-hostname"},
		[]string{"iam/security-credentials/node", iface + "vpc-ipv4-cidr-blocks"})
	f, err := New(url).Facts(context.Background())
	if err != nil || f.Identity.Credentials == nil || len(f.VPCCIDRs) != 1 || f.LocalHostname == "" || f.Region != "eu-west-1" {
		t.Fatalf("%+v %v", f, err)
	}
}
