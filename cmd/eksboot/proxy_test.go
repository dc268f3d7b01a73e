package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProxyInputErrors: a proxy the agents could not use, given as a flag,
// its EKSBOOT_ variable or its config key, is one line naming where it came
// from, exit 2, for every command that takes it; user info is never shown.
func TestProxyInputErrors(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte("https-proxy: http://proxy:70000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"render", map[string]string{}, append(goodArgs(t, "al2023"), "--https-proxy", "ftp://user:s3cret@proxy:21"), `eksboot: --https-proxy: "ftp://proxy:21" has the scheme "ftp"`},
		{"no host", map[string]string{}, append(goodArgs(t, "al2023"), "--https-proxy", "http://"), `eksboot: --https-proxy: "http://" has no host`},
		{"no-proxy alone", map[string]string{}, append(goodArgs(t, "al2"), "--no-proxy", ".eks.amazonaws.com"), "eksboot: --no-proxy: is given without --https-proxy"},
		{"endpoints", map[string]string{}, []string{"endpoints", "--region", "eu-west-1", "--https-proxy", "http://proxy:0"}, `eksboot: --https-proxy: "http://proxy:0" has the port 0, outside 1-65535`},
		{"environment", map[string]string{"EKSBOOT_HTTPS_PROXY": "socks4://proxy:1080"}, goodArgs(t, "al2"), `eksboot: EKSBOOT_HTTPS_PROXY: "socks4://proxy:1080" has the scheme "socks4"`},
		{"config file", map[string]string{"EKSBOOT_CONFIG": config}, goodArgs(t, "al2"), "eksboot: https-proxy in " + config + `: "http://proxy:70000" has the port 70000`},
	} {
		r := eksboot(t, tc.env, tc.args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], tc.want) || strings.Contains(r.stderr, "s3cret") || r.stdout != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q\nwant %q", tc.name, r.code, r.stderr, r.stdout, tc.want)
		}
	}
	ok := eksboot(t, map[string]string{}, append(goodArgs(t, "al2023"), "--https-proxy", "http://proxy.internal:3128", "--no-proxy", ".eks.amazonaws.com,10.0.0.0/16")...)
	if ok.code != 0 || ok.stderr != "" {
		t.Errorf("a good proxy: exit %d, stderr %q", ok.code, ok.stderr)
	}
	// On AL2 and Windows what eksboot writes cannot carry the proxy: it
	// says where kubelet's and containerd's must be set.
	for target, place := range map[string]string{"al2": "kubelet.service.d", "windows": "'Machine'"} {
		r := eksboot(t, map[string]string{}, append(goodArgs(t, target), "--https-proxy", "http://proxy.internal:3128")...)
		if r.code != 0 || !strings.Contains(r.stderr, "nothing it writes gives it to kubelet and containerd") || !strings.Contains(r.stderr, place) {
			t.Errorf("%s: exit %d, stderr %q", target, r.code, r.stderr)
		}
	}
	help := eksboot(t, map[string]string{}, "probe", "--help")
	for _, want := range []string{"--https-proxy", "EKSBOOT_HTTPS_PROXY", "--no-proxy", "EKSBOOT_NO_PROXY"} {
		if !strings.Contains(help.stdout, want) {
			t.Errorf("probe --help lacks %s", want)
		}
	}
}
