package bootstrap

import (
	"encoding/base64"
	"net/url"
	"reflect"
	"regexp"
	"slices"
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

// bottlerocketIdentifier is the model's Identifier, the type of a bootstrap
// container's name (it names files and a containerd id): ASCII letters,
// digits and '-', at most 76.
var bottlerocketIdentifier = regexp.MustCompile(`^[A-Za-z0-9-]{1,76}$`)

// hostCtrECR is the reference host-ctr pulls with the ECR resolver
// (sources/host-ctr/cmd/host-ctr/main.go's ecrRegex): a private ECR
// image, which needs the ECR API and S3 rather than the registry endpoint.
var hostCtrECR = regexp.MustCompile(`(^[a-zA-Z0-9][a-zA-Z0-9-_]*)\.dkr\.ecr(-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.(amazonaws\.com(\.cn)?|cloud\.adc-e\.uk).*`)

// ec2UserDataMax is EC2's limit on user data, before base64: the whole
// TOML, with whatever else the launch template's user data holds.
const ec2UserDataMax = 16 << 10

// TestBootstrapContainerModelRules checks the table against the types
// Bottlerocket's settings model gives each key (the modeled types of
// bootstrap-containers: the name an Identifier, source a Url, mode a
// BootstrapContainerMode, essential a bool, user-data a ValidBase64) by
// their TOML types as well as their values: a quoted "true" is no bool.
func TestBootstrapContainerModelRules(t *testing.T) {
	image := "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools/eksboot:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	c := resolveTarget(t, inputs.TargetBottlerocket, inputs.Values{inputs.FlagBootstrapImage: {image}, inputs.FlagNodeLabels: {"team=data"}})
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]map[string]any
	md, err := toml.Decode(string(out), &doc)
	if err != nil {
		t.Fatalf("TOML: %v\n%s", err, out)
	}
	containers := doc["settings"]["bootstrap-containers"]
	if len(containers) != 1 {
		t.Fatalf("want one bootstrap container, got %v", containers)
	}
	for name, bc := range containers {
		if !bottlerocketIdentifier.MatchString(name) {
			t.Errorf("name %q is no Identifier", name)
		}
		types := map[string]string{}
		for _, key := range []string{"source", "mode", "essential", "user-data"} {
			types[key] = md.Type("settings", "bootstrap-containers", name, key)
		}
		if want := map[string]string{"source": "String", "mode": "String", "essential": "Bool", "user-data": "String"}; !reflect.DeepEqual(types, want) {
			t.Errorf("TOML types %v, want %v", types, want)
		}
		if len(bc) != 4 {
			t.Errorf("keys the model does not have: %v", bc)
		}
		source, _ := bc["source"].(string)
		if _, err := url.Parse(source); err != nil {
			if _, err := url.Parse("http://" + source); err != nil { // the model's Url takes one without a scheme
				t.Errorf("source %q is no Url: %v", source, err)
			}
		}
		if !hostCtrECR.MatchString(source) {
			t.Errorf("source %q is not what host-ctr pulls from private ECR", source)
		}
		if mode, _ := bc["mode"].(string); !slices.Contains([]string{"off", "once", "always"}, mode) || mode != "always" {
			t.Errorf("mode %q: the model takes off, once or always; eksboot checks every boot", mode)
		}
		if ud, _ := bc["user-data"].(string); ud == "" {
			t.Error("no user-data")
		} else if _, err := base64.StdEncoding.Strict().DecodeString(ud); err != nil {
			t.Errorf("user-data is no ValidBase64: %v", err)
		}
	}
	// The model bounds no value here; EC2 bounds the whole user data. The
	// CA is in it twice (the setting, and the container's own user data),
	// and a real cluster CA is the size of the test one.
	if len(out) > ec2UserDataMax/2 {
		t.Errorf("the TOML is %d bytes, over half of EC2's %d for all of the user data", len(out), ec2UserDataMax)
	}
}
