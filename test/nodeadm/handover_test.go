package nodeadm

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksboot/eksboot/bootstrap"
	"github.com/eksboot/eksboot/inputs"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/userdata"
)

// TestHandoverKeepsTheUserData: nodeadm, started as run --exec starts it,
// reads eksboot's drop-in over the user data: the last --register-with-taints
// (the one kubelet keeps) holds the user data's taint and eksboot's, and the
// clusterDNS is the user data's, outside the service CIDR.
func TestHandoverKeepsTheUserData(t *testing.T) {
	nc := strings.Replace(userdata.NodeConfig("prod"), "spec:\n", "spec:\n  kubelet:\n    flags:\n      - --v=2\n      - --register-with-taints=karpenter.sh/unregistered:NoExecute\n    config:\n      maxPods: 20\n      clusterDNS: [169.254.20.10]\n", 1)
	inst := imdsmock.Default()
	inst.UserData = []byte(nc)
	endpoint := imdsmock.Start(t, inst)

	render := exec.Command(os.Getenv(eksbootBinEnv), "render", "--target", "al2023", "--config", "imds://user-data", "--imds-endpoint", endpoint, "--register-with-taints", "dedicated=gpu:NoSchedule")
	render.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	dropIn, err := render.Output()
	if err != nil {
		t.Fatalf("eksboot render: %v", err)
	}
	file := filepath.Join(t.TempDir(), "eksboot.yaml")
	if err := os.WriteFile(file, dropIn, 0o600); err != nil {
		t.Fatal(err)
	}
	_, argv, err := bootstrap.HandoverCommand(&inputs.Config{Target: inputs.TargetAL2023, ArgsFile: file})
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"init", "--skip", "config,run"}, argv[2:]...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Getenv(nodeadmBinEnv), args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + endpoint}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := bufio.NewScanner(stderr)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var entry struct {
			Msg    string `json:"msg"`
			Config struct {
				Spec struct {
					Kubelet struct {
						Flags  []string `json:"flags"`
						Config struct {
							ClusterDNS []string `json:"clusterDNS"`
						} `json:"config"`
					} `json:"kubelet"`
				} `json:"spec"`
			} `json:"config"`
		}
		if json.Unmarshal(lines.Bytes(), &entry) != nil || entry.Msg != "Loaded configuration" {
			continue
		}
		k := entry.Config.Spec.Kubelet
		var taints string
		for _, f := range k.Flags {
			if v, ok := strings.CutPrefix(f, "--register-with-taints="); ok {
				taints = v
			}
		}
		// The pinned 2024 nodeadm takes one --config-source, the last, so it
		// reads only the drop-in; nodeadm main reads each in turn (a flaggy
		// StringSlice, internal/cli/options.go) and appends their flags,
		// keeping --v=2 and maxPods, which is not checkable here. What kubelet
		// keeps, the last --register-with-taints, is the same in both.
		if taints != "karpenter.sh/unregistered:NoExecute,dedicated=gpu:NoSchedule" ||
			strings.Join(k.Config.ClusterDNS, ",") != "169.254.20.10" {
			t.Fatalf("nodeadm merged flags %q, clusterDNS %q", k.Flags, k.Config.ClusterDNS)
		}
		return
	}
	t.Fatal("nodeadm loaded no configuration from", args)
}
