package inputs

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const testDigest = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestBottlerocketModelRules refuses what Bottlerocket's settings model
// refuses (cluster-name is a KubernetesClusterName there), naming the flag.
func TestBottlerocketModelRules(t *testing.T) {
	for _, tc := range []struct {
		name, cluster, image, flag string
	}{
		{"63 chars", strings.Repeat("a", 63), "", ""},
		{"dashes and underscores", "more-chars_here", "", ""},
		{"64 chars", strings.Repeat("a", 64), "", FlagClusterName},
		{"ends in dash", "prod-", "", FlagClusterName},
		{"ends in underscore", "prod_", "", FlagClusterName},
		{"starts with dot", ".prod", "", FlagClusterName},
		{"image by digest", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eksboot" + testDigest, ""},
		{"image with tag and digest", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools/eksboot:v1" + testDigest, ""},
		{"image by tag only", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eksboot:latest", FlagBootstrapImage},
		{"image without registry", "prod", "eksboot" + testDigest, FlagBootstrapImage},
		{"short digest", "prod", "r.example.com/eksboot@sha256:abc", FlagBootstrapImage},
		{"given but blank (an unset shell variable)", "prod", " ", FlagBootstrapImage},
		// The path is the distribution reference grammar's (containerd's
		// parser, and ECR's repositoryName pattern, refuse the rest): a
		// source no pull can take stops every boot.
		{"nested repository", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/tools/eks-boot_1.x" + testDigest, ""},
		{"double dot in path", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eksboot..x" + testDigest, FlagBootstrapImage},
		{"empty path component", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team//eksboot" + testDigest, FlagBootstrapImage},
		{"component ends in dot", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team./eksboot" + testDigest, FlagBootstrapImage},
		{"dot then dash", "prod", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eks.-boot" + testDigest, FlagBootstrapImage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := validValues(t)
			v[FlagTarget] = []string{"bottlerocket"}
			v[FlagClusterName] = []string{tc.cluster}
			if tc.image != "" {
				v[FlagBootstrapImage] = []string{tc.image}
			}
			c, err := Resolve(v, noHost, noIMDS(), time.Now(), true)
			if tc.flag == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if c.BootstrapImage != tc.image {
					t.Fatalf("image %q, want %q", c.BootstrapImage, tc.image)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Flag != tc.flag {
				t.Fatalf("got %v, want an error on --%s", err, tc.flag)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

// TestBootstrapImageOnlyForBottlerocket: another target has no such thing.
func TestBootstrapImageOnlyForBottlerocket(t *testing.T) {
	v := validValues(t)
	v[FlagTarget] = []string{"al2023"}
	v[FlagBootstrapImage] = []string{"r.example.com/eksboot" + testDigest}
	_, err := Resolve(v, noHost, noIMDS(), time.Now(), true)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != FlagBootstrapImage {
		t.Fatalf("got %v, want an error on --%s", err, FlagBootstrapImage)
	}
}
