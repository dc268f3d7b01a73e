package bootstrap

import (
	"encoding/base64"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/eksboot/eksboot/inputs"
	"go.yaml.in/yaml/v3"
)

// TestBootstrapContainerTOML reads the bootstrap container back as
// Bottlerocket's model has it (source, mode, essential, user-data) and the
// user data back as eksboot's --config reads it.
func TestBootstrapContainerTOML(t *testing.T) {
	image := "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eksboot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	c := resolveTarget(t, inputs.TargetBottlerocket, inputs.Values{inputs.FlagBootstrapImage: {image}})
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Settings struct {
			Kubernetes          map[string]any `toml:"kubernetes"`
			BootstrapContainers map[string]struct {
				Source    string `toml:"source"`
				Mode      string `toml:"mode"`
				Essential bool   `toml:"essential"`
				UserData  string `toml:"user-data"`
			} `toml:"bootstrap-containers"`
		} `toml:"settings"`
	}
	md, err := toml.Decode(string(out), &doc)
	if err != nil {
		t.Fatalf("TOML: %v\n%s", err, out)
	}
	if len(md.Undecoded()) > 0 {
		t.Fatalf("keys Bottlerocket's model does not have: %v", md.Undecoded())
	}
	bc, ok := doc.Settings.BootstrapContainers["eksboot"]
	if !ok || bc.Source != image || bc.Mode != "always" || !bc.Essential {
		t.Fatalf("bootstrap container %+v\n%s", bc, out)
	}
	raw, err := base64.StdEncoding.DecodeString(bc.UserData)
	if err != nil {
		t.Fatalf("user-data is not base64: %v", err)
	}
	var cfg map[string]string
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("user-data YAML: %v\n%s", err, raw)
	}
	for k, want := range map[string]string{
		inputs.FlagTarget: "bottlerocket", inputs.FlagClusterName: c.ClusterName, inputs.FlagEndpoint: c.Endpoint,
		inputs.FlagCA: c.CA, inputs.FlagServiceCIDR: "10.100.0.0/16", inputs.FlagDNSClusterIP: "10.100.0.10",
	} {
		if cfg[k] != want {
			t.Errorf("user-data %s = %q, want %q", k, cfg[k], want)
		}
		if _, ok := inputs.ParamByName(k); !ok {
			t.Errorf("user-data key %s is no flag", k)
		}
	}
}

// TestNoBootstrapContainerWithoutImage: the TOML is unchanged without it.
func TestNoBootstrapContainerWithoutImage(t *testing.T) {
	c := resolveTarget(t, inputs.TargetBottlerocket, nil)
	out, _ := Render(c)
	var doc map[string]map[string]any
	if _, err := toml.Decode(string(out), &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["settings"]["bootstrap-containers"]; ok {
		t.Fatalf("bootstrap container without --bootstrap-container:\n%s", out)
	}
}
