// Package nodeadm checks eksboot's AL2023 output against nodeadm's own
// node.eks.aws/v1alpha1 types, decoded strictly: an unknown or misspelt
// field fails. It is a module of its own so nodeadm's dependencies stay out
// of eksboot's.
package nodeadm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/awslabs/amazon-eks-ami/nodeadm/api/v1alpha1"
	"sigs.k8s.io/yaml"
)

func TestGoldenNodeConfigsDecodeStrictly(t *testing.T) {
	files, err := filepath.Glob("../../bootstrap/testdata/golden/al2023*.golden")
	if err != nil || len(files) == 0 {
		t.Fatalf("no AL2023 golden files found (%v)", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var cfg v1alpha1.NodeConfig
		if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
			t.Errorf("%s: nodeadm's types reject it: %v", file, err)
			continue
		}
		if cfg.APIVersion != "node.eks.aws/v1alpha1" || cfg.Kind != "NodeConfig" {
			t.Errorf("%s: apiVersion %q kind %q", file, cfg.APIVersion, cfg.Kind)
		}
		c := cfg.Spec.Cluster
		if c.Name == "" || c.APIServerEndpoint == "" || len(c.CertificateAuthority) == 0 || c.CIDR == "" {
			t.Errorf("%s: nodeadm requires name, apiServerEndpoint, certificateAuthority and cidr; got %+v", file, c)
		}
		if len(cfg.Spec.Kubelet.Config["clusterDNS"].Raw) == 0 {
			t.Errorf("%s: kubelet config has no clusterDNS", file)
		}
	}
}
