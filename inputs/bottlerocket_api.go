package inputs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// bottlerocketRoot is where a bootstrap container finds what host-ctr gives
// it; tests point it at a temporary directory.
var bottlerocketRoot = "/"

// Paths inside a Bottlerocket bootstrap container.
const (
	brHostRoot = ".bottlerocket/rootfs"
	brAPISock  = "run/api.sock"
	// BottlerocketUserData is the container's own user data, decoded from
	// settings.bootstrap-containers.NAME.user-data.
	BottlerocketUserData = ".bottlerocket/bootstrap-containers/current/user-data"
)

// Bounds on one call to Bottlerocket's API server: it is local, so a slow
// answer means it is wedged, not busy.
const (
	brAPITimeout  = 5 * time.Second
	brAPIMaxBytes = 1 << 20
)

// InBottlerocketContainer reports whether eksboot runs as a Bottlerocket
// bootstrap container: the host's root and its API socket are mounted.
func InBottlerocketContainer() bool {
	st, err := os.Stat(filepath.Join(bottlerocketRoot, brHostRoot))
	if err != nil || !st.IsDir() {
		return false
	}
	st, err = os.Stat(filepath.Join(bottlerocketRoot, brAPISock))
	return err == nil && st.Mode()&os.ModeSocket != 0
}

// BottlerocketUserDataPath is the container's user data, for --config.
func BottlerocketUserDataPath() string { return filepath.Join(bottlerocketRoot, BottlerocketUserData) }

// BottlerocketProxy is settings.network's proxy, as Bottlerocket gives it to
// containerd, kubelet and pluto, and the settings.kubernetes values it adds
// to their no-proxy list.
type BottlerocketProxy struct {
	HTTPS         string
	NoProxy       []string
	APIServer     string // settings.kubernetes.api-server
	ClusterDomain string // settings.kubernetes.cluster-domain
}

// brSettings is the part of GET /settings?prefix=P eksboot reads: the
// Settings model serialised with only P's subtree, top-level keys the
// settings under "settings.".
type brSettings struct {
	Kubernetes struct {
		ClusterName        string          `json:"cluster-name"`
		APIServer          string          `json:"api-server"`
		ClusterCertificate string          `json:"cluster-certificate"`
		ClusterDNSIP       json.RawMessage `json:"cluster-dns-ip"` // a string, or a list of them
		ClusterDomain      string          `json:"cluster-domain"`
	} `json:"kubernetes"`
	Network struct {
		HTTPSProxy string   `json:"https-proxy"`
		NoProxy    []string `json:"no-proxy"`
	} `json:"network"`
}

// BottlerocketSettings reads settings.kubernetes and settings.network from
// the API server, as inputs (by param name) and the proxy.
func BottlerocketSettings(ctx context.Context) (Values, BottlerocketProxy, error) {
	// One prefix at a time: the whole of /settings holds other things
	// (certificate bundles, say) that eksboot has no use for.
	var s brSettings
	for _, prefix := range []string{"kubernetes", "network"} {
		uri := "/settings?prefix=" + prefix
		body, err := brCall(ctx, http.MethodGet, uri, nil)
		if err != nil {
			return nil, BottlerocketProxy{}, err
		}
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, BottlerocketProxy{}, fmt.Errorf("bottlerocket API: GET %s: %w", uri, err)
		}
	}
	v := Values{}
	set := func(name, val string) {
		if val != "" {
			v[name] = []string{val}
		}
	}
	k := s.Kubernetes
	set(FlagClusterName, k.ClusterName)
	set(FlagEndpoint, k.APIServer)
	set(FlagCA, k.ClusterCertificate)
	set(FlagDNSClusterIP, firstDNSIP(k.ClusterDNSIP))
	return v, BottlerocketProxy{HTTPS: s.Network.HTTPSProxy, NoProxy: s.Network.NoProxy, APIServer: k.APIServer, ClusterDomain: k.ClusterDomain}, nil
}

// firstDNSIP is the IP kubelet's clusterDNS starts with: Bottlerocket takes
// one address or a list.
func firstDNSIP(raw json.RawMessage) string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list[0]
	}
	return ""
}

// SetBottlerocketClusterDNSIP sets settings.kubernetes.cluster-dns-ip in a
// transaction of its own, as apiclient set does, so pluto need not ask EKS.
func SetBottlerocketClusterDNSIP(ctx context.Context, ip string) error {
	tx := "eksboot-" + strconv.Itoa(os.Getpid())
	patch, err := json.Marshal(map[string]any{"kubernetes": map[string]string{"cluster-dns-ip": ip}})
	if err != nil {
		return err
	}
	if _, err := brCall(ctx, http.MethodPatch, "/settings?tx="+tx, patch); err != nil {
		return err
	}
	_, err = brCall(ctx, http.MethodPost, "/tx/commit_and_apply?tx="+tx, nil)
	return err
}

// brCall makes one bounded request to the API server over its socket.
func brCall(ctx context.Context, method, uri string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, brAPITimeout)
	defer cancel()
	sock := filepath.Join(bottlerocketRoot, brAPISock)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
		Proxy: nil, // a local socket: never through a proxy
	}}
	req, err := http.NewRequestWithContext(ctx, method, "http://localhost"+uri, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bottlerocket API: %s %s: %w", method, uri, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, brAPIMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("bottlerocket API: %s %s: %w", method, uri, err)
	}
	if len(out) > brAPIMaxBytes {
		return nil, fmt.Errorf("bottlerocket API: %s %s: answer over %d bytes", method, uri, brAPIMaxBytes)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("bottlerocket API: %s %s: %s", method, uri, resp.Status)
	}
	return out, nil
}

// bottlerocketSource is Bottlerocket's settings as an input source, inside
// a bootstrap container only: below flags and environment, above the
// container's user data (the node's settings are the truth kubelet will
// run with). Their origin is the setting, and like user data they are not
// quoted back.
func bottlerocketSource(ctx context.Context, early, file Values, origins Origins) (Values, error) {
	if !InBottlerocketContainer() {
		return nil, nil
	}
	api, proxy, err := BottlerocketSettings(ctx)
	if err != nil {
		return nil, err
	}
	setting := map[string]string{
		FlagClusterName: "cluster-name", FlagEndpoint: "api-server",
		FlagCA: "cluster-certificate", FlagDNSClusterIP: "cluster-dns-ip",
	}
	for n := range api {
		if !early.Has(n) {
			origins[n] = Origin{Name: "Bottlerocket setting settings.kubernetes." + setting[n], UserData: true}
		}
	}
	maps.Copy(api, proxy.values()) // what the agents' proxy is made of: no input of ours, so no origin
	return api, nil
}

// SetBottlerocketClusterDNSIPIfUnset sets cluster-dns-ip to ip when the
// node's settings leave it unset; pluto would otherwise ask the EKS API,
// which a private cluster may not reach. It does nothing outside a
// bootstrap container, and reports whether it set it.
func SetBottlerocketClusterDNSIPIfUnset(ctx context.Context, ip string) (bool, error) {
	if !InBottlerocketContainer() || ip == "" {
		return false, nil
	}
	v, _, err := BottlerocketSettings(ctx)
	if err != nil || v.Has(FlagDNSClusterIP) {
		return false, err
	}
	return true, SetBottlerocketClusterDNSIP(ctx, ip)
}
