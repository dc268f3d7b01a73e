//go:build linux

package inputs

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// fakeBottlerocket is a Bottlerocket API server on a unix socket under a
// temporary root, answering GET /settings?prefix= with the Settings model's
// JSON shape, and recording PATCHes and commits as apiserver takes them.
type fakeBottlerocket struct {
	mu       sync.Mutex
	settings map[string]any // top-level: kubernetes, network, ...
	pending  map[string][]map[string]any
	commits  []string
	patched  []map[string]any
}

func startFakeBottlerocket(t *testing.T, settings map[string]any) *fakeBottlerocket {
	t.Helper()
	root, err := os.MkdirTemp("", "br")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	for _, d := range []string{brHostRoot, "run"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("unix", filepath.Join(root, brAPISock))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBottlerocket{settings: settings, pending: map[string][]map[string]any{}}
	srv := &http.Server{Handler: f}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	old := bottlerocketRoot
	bottlerocketRoot = root
	t.Cleanup(func() { bottlerocketRoot = old })
	return f
}

func (f *fakeBottlerocket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tx := r.URL.Query().Get("tx")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/settings":
		prefix := strings.TrimPrefix(r.URL.Query().Get("prefix"), "settings.")
		out := map[string]any{}
		if v, ok := f.settings[prefix]; ok {
			out[prefix] = v
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodPatch && r.URL.Path == "/settings" && tx != "":
		var p map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.pending[tx] = append(f.pending[tx], p)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/tx/commit_and_apply":
		f.patched = append(f.patched, f.pending[tx]...)
		delete(f.pending, tx)
		f.commits = append(f.commits, tx)
		w.Write([]byte(`["settings.kubernetes.cluster-dns-ip"]`))
	default:
		http.NotFound(w, r)
	}
}

func TestInBottlerocketContainer(t *testing.T) {
	old := bottlerocketRoot
	bottlerocketRoot = t.TempDir()
	if InBottlerocketContainer() {
		t.Fatal("an empty root is no Bottlerocket container")
	}
	bottlerocketRoot = old
	startFakeBottlerocket(t, nil)
	if !InBottlerocketContainer() {
		t.Fatal("rootfs and api.sock present, not detected")
	}
}

func TestBottlerocketSettings(t *testing.T) {
	startFakeBottlerocket(t, map[string]any{
		"kubernetes": map[string]any{
			"cluster-name": "prod", "api-server": "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
			"cluster-certificate": "Q0E=", "cluster-dns-ip": []string{"10.100.0.10", "169.254.20.10"},
		},
		"network": map[string]any{"https-proxy": "http://proxy:3128", "no-proxy": []string{"localhost", ".internal"}},
		"pki":     map[string]any{"big": map[string]any{"data": strings.Repeat("x", 100)}},
	})
	v, proxy, err := BottlerocketSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := Values{
		FlagClusterName: {"prod"}, FlagEndpoint: {"https://ABC.gr7.eu-west-1.eks.amazonaws.com"},
		FlagCA: {"Q0E="}, FlagDNSClusterIP: {"10.100.0.10"},
	}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("values %v, want %v", v, want)
	}
	if proxy.HTTPS != "http://proxy:3128" || !reflect.DeepEqual(proxy.NoProxy, []string{"localhost", ".internal"}) {
		t.Fatalf("proxy %+v", proxy)
	}
}

func TestSetBottlerocketClusterDNSIP(t *testing.T) {
	f := startFakeBottlerocket(t, map[string]any{"kubernetes": map[string]any{"cluster-name": "prod"}})
	if err := SetBottlerocketClusterDNSIP(context.Background(), "10.100.0.10"); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"kubernetes": map[string]any{"cluster-dns-ip": "10.100.0.10"}}}
	if !reflect.DeepEqual(f.patched, want) || len(f.commits) != 1 || len(f.pending) != 0 {
		t.Fatalf("patched %v, commits %v, pending %v", f.patched, f.commits, f.pending)
	}
}

func TestBottlerocketAPIDown(t *testing.T) {
	old := bottlerocketRoot
	bottlerocketRoot = t.TempDir()
	defer func() { bottlerocketRoot = old }()
	if _, _, err := BottlerocketSettings(context.Background()); err == nil || !strings.Contains(err.Error(), "bottlerocket API") {
		t.Fatalf("got %v", err)
	}
}

// TestGatherBottlerocketPrecedence: in a bootstrap container the node's
// settings rank below flags and above the container's user data.
func TestGatherBottlerocketPrecedence(t *testing.T) {
	startFakeBottlerocket(t, map[string]any{"kubernetes": map[string]any{"cluster-name": "from-api", "api-server": "https://api.example"}})
	ud := filepath.Join(t.TempDir(), "user-data")
	if err := os.WriteFile(ud, []byte("cluster-name: from-user-data\napiserver-endpoint: https://ud.example\nservice-ipv4-cidr: 10.100.0.0/16\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := Values{FlagConfig: {ud}, FlagRegion: {"eu-west-1"}}
	v, origins, _, err := Gather(context.Background(), flags, func(string) string { return "" }, true)
	if err != nil {
		t.Fatal(err)
	}
	if v.Get(FlagClusterName) != "from-api" || v.Get(FlagEndpoint) != "https://api.example" || v.Get(FlagServiceCIDR) != "10.100.0.0/16" || v.Get(FlagRegion) != "eu-west-1" {
		t.Fatalf("values %v", v)
	}
	if o := origins[FlagClusterName]; !strings.Contains(o.Name, "settings.kubernetes.cluster-name") || !o.UserData {
		t.Fatalf("origin %+v", o)
	}
}

func TestSetDNSIPOnlyWhenUnset(t *testing.T) {
	f := startFakeBottlerocket(t, map[string]any{"kubernetes": map[string]any{"cluster-dns-ip": "172.20.0.10"}})
	if set, err := SetBottlerocketClusterDNSIPIfUnset(context.Background(), "10.100.0.10"); err != nil || set || len(f.patched) != 0 {
		t.Fatalf("set %v, err %v, patched %v", set, err, f.patched)
	}
	f.mu.Lock()
	f.settings = map[string]any{"kubernetes": map[string]any{"cluster-name": "prod"}}
	f.mu.Unlock()
	if set, err := SetBottlerocketClusterDNSIPIfUnset(context.Background(), "10.100.0.10"); err != nil || !set || len(f.patched) != 1 {
		t.Fatalf("set %v, err %v, patched %v", set, err, f.patched)
	}
}
