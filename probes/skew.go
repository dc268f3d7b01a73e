package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/eksboot/eksboot/report"
)

// maxKubeletMinorsBehind is Kubernetes' version skew policy: kubelet may be
// up to three minor versions older than the API server, never newer.
const maxKubeletMinorsBehind = 3

var versionPattern = regexp.MustCompile(`v?(\d+)\.(\d+)`)

// versionSkewCheck asks the API server's version, with the node's token
// (EKS 1.32 and later answer /version to no one else), and compares
// kubelet's with it.
var versionSkewCheck = Check{Name: CheckVersionSkew, Required: true, Once: true, Needs: []string{CheckAPI, CheckAuth},
	Why: "kubelet is no newer than the API server and at most three minor versions older",
	Run: func(ctx context.Context, p Plan, f *Findings) []report.Result {
		if f.API == nil {
			return nil
		}
		start := time.Now()
		version, err := f.API.serverVersion(ctx, f.Token)
		r := report.Result{Kind: report.KindAPI, Endpoint: "api", Host: f.API.host, Addr: f.API.addr.String(), Status: report.Pass, Code: report.OK,
			Duration: time.Since(start), Msg: "api: GET /version answered " + version}
		var redirect *redirectError
		switch {
		case errors.As(err, &redirect):
			r.Status, r.Code, r.Msg = report.Fail, report.APIHTTPError, "api: "+err.Error()
		case err != nil:
			r.Status, r.Msg = report.Skip, fmt.Sprintf("api: the server version is unknown: %v", err)
		}
		f.Version = version
		out := []report.Result{r}
		if p.Kubelet != nil {
			if skew, ok := CheckSkew(p.Kubelet(), version); ok {
				out = append(out, skew)
			}
		}
		return out
	}}

// KubeletVersionLater starts asking kubelet for its version and returns
// the way to wait for the answer.
func KubeletVersionLater(ctx context.Context, timeout time.Duration) func() string {
	answer := make(chan string, 1)
	go func() { answer <- KubeletVersion(ctx, timeout) }()
	return sync.OnceValue(func() string { return <-answer })
}

// KubeletVersion asks the node's kubelet for its version, within timeout
// and ctx; "" when there is no kubelet or it does not answer in time.
func KubeletVersion(ctx context.Context, timeout time.Duration) string {
	name := "kubelet"
	if runtime.GOOS == "windows" {
		name = `C:\Program Files\Kubernetes\kubelet.exe`
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out headBuffer
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Stdout = &out
	cmd.WaitDelay = 100 * time.Millisecond // a child kubelet left behind must not hold the pipe open
	if err := cmd.Run(); err != nil {
		return ""
	}
	return versionPattern.FindString(out.String())
}

// headBuffer keeps the first maxKubeletVersionOutput bytes written to it:
// a version line is short, and a kubelet that prints more is not trusted
// with the memory.
type headBuffer struct{ bytes.Buffer }

const maxKubeletVersionOutput = 4 << 10

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := maxKubeletVersionOutput - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func minorOf(v string) (int, int, bool) {
	m := versionPattern.FindStringSubmatch(v)
	if m == nil {
		return 0, 0, false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major, minor, true
}

// CheckSkew compares kubelet's version with the API server's. ok is false
// when either is unknown and there is nothing to say.
func CheckSkew(kubelet, server string) (report.Result, bool) {
	kMaj, kMin, ok1 := minorOf(kubelet)
	sMaj, sMin, ok2 := minorOf(server)
	if !ok1 || !ok2 {
		return report.Result{}, false
	}
	r := report.Result{Kind: report.KindAPI, Endpoint: "api", Status: report.Pass, Code: report.OK,
		Msg: fmt.Sprintf("api: kubelet %s fits API server %s", kubelet, server)}
	switch {
	case kMaj != sMaj || kMin > sMin:
		r.Status, r.Code = report.Fail, report.VersionSkew
		r.Msg = fmt.Sprintf("api: kubelet %s is newer than the API server %s", kubelet, server)
	case sMin-kMin > maxKubeletMinorsBehind:
		r.Status, r.Code = report.Warn, report.VersionSkew
		r.Msg = fmt.Sprintf("api: kubelet %s is %d minor versions behind the API server %s", kubelet, sMin-kMin, server)
	}
	return r, true
}
