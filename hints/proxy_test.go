package hints

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/report"
)

func TestNoProxyEntry(t *testing.T) {
	for host, want := range map[string]string{
		"abc.gr7.eu-west-1.eks.amazonaws.com":     ".eks.amazonaws.com",
		"abc.yl4.cn-north-1.eks.amazonaws.com.cn": ".eks.amazonaws.com.cn",
		"k8s.internal.example":                    "k8s.internal.example",
		"10.0.3.7":                                "10.0.3.7",
	} {
		if got := NoProxyEntry(host); got != want {
			t.Errorf("%s: %q, want %q", host, got, want)
		}
	}
}

// A proxy's hint names the proxy and the host, and is given only for a
// result whose path went through one.
func TestProxyHints(t *testing.T) {
	e := Endpoint{Service: "com.amazonaws.eu-west-1.ecr.dkr"}
	r := report.Result{Host: "602401143452.dkr.ecr.eu-west-1.amazonaws.com", Via: "proxy 10.0.4.10:3128", Status: report.Fail}
	for code, want := range map[report.Code]string{
		report.ProxyUnreachable:   "inbound TCP 3128 from the node's subnet",
		report.ProxyRefused:       "allow CONNECT to 602401143452.dkr.ecr.eu-west-1.amazonaws.com:443 on the proxy",
		report.ProxyInterceptsTLS: "exempt .amazonaws.com from inspection",
		report.TLSTimeout:         "look at the proxy's log for 602401143452.dkr.ecr.eu-west-1.amazonaws.com",
	} {
		r.Code = code
		h := For(r, e, NodeFacts{}, false)
		if !strings.Contains(h, want) || !strings.Contains(h, "10.0.4.10:3128") || !strings.Contains(h, "com.amazonaws.eu-west-1.ecr.dkr") && code != report.ProxyUnreachable {
			t.Errorf("%s: %q lacks %q", code, h, want)
		}
	}
	r.Code, r.Via = report.TLSTimeout, "direct"
	if h := For(r, e, NodeFacts{}, false); strings.Contains(h, "proxy's log") {
		t.Errorf("a direct path's TLS timeout got the proxy's hint: %s", h)
	}
}
