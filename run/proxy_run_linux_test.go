package run

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/report"
)

// TestRunReadsTheNodesProxy: a run reads the node's own drop-ins, and a
// proxy kubelet cannot use there fails the run under the proxy check, naming
// the file, while the flags were fine.
func TestRunReadsTheNodesProxy(t *testing.T) {
	v := newVPC(t, "10.100.0.1")
	root := t.TempDir()
	dropIn := filepath.Join(root, "etc/systemd/system/kubelet.service.d/http-proxy.conf")
	if err := os.MkdirAll(filepath.Dir(dropIn), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dropIn, []byte("[Service]\nEnvironment=\"HTTPS_PROXY=ftp://proxy.internal:21\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	real := inputs.ThisHost()
	in := func(p string) string { return filepath.Join(root, p) }
	h := real
	h.Exists = func(p string) bool { return real.Exists(in(p)) }
	h.ReadFile = func(p string) ([]byte, error) { return real.ReadFile(in(p)) }
	h.ReadDir = func(p string) ([]string, error) { return real.ReadDir(in(p)) }
	var stdout bytes.Buffer
	out, err := Run(context.Background(), options(t, v.flags(inputs.FlagServiceCIDR, "10.100.0.0/16"), h, false, &stdout))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range out.Results {
		if r.Code == report.ProxyInvalid {
			found = r.Kind == report.KindProxy && r.Status == report.Fail && strings.Contains(r.Msg, "/etc/systemd/system/kubelet.service.d/http-proxy.conf") && strings.Contains(r.Msg, `"ftp"`)
		}
	}
	if !found || out.Verdict.Passed {
		t.Fatalf("verdict %+v, results %+v", out.Verdict, out.Results)
	}
	if out.Config.Proxies.ByAgent != nil {
		t.Errorf("a path through a proxy kubelet cannot use: %+v", out.Config.Proxies)
	}
}
