package nodeadm

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	loaded, last := nodeadmLoads(t, endpoint, argv[2:]...)
	if loaded == nil {
		t.Fatalf("nodeadm loaded no configuration from %q: %s", argv[2:], last)
	}
	var nodeConfig struct {
		Spec struct {
			Kubelet struct {
				Flags  []string `json:"flags"`
				Config struct {
					ClusterDNS []string `json:"clusterDNS"`
				} `json:"config"`
			} `json:"kubelet"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(loaded, &nodeConfig); err != nil {
		t.Fatalf("nodeadm's loaded configuration: %v", err)
	}
	k := nodeConfig.Spec.Kubelet
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
}
