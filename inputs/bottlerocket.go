package inputs

import (
	"regexp"
	"strings"
)

// bottlerocketLabelValue is Bottlerocket's KubernetesLabelValue (its
// settings model, modeled-types): it types settings.kubernetes.cluster-name
// as a non-empty label value, so a name EKS accepts can still be refused
// there, and the node then never reads its user data.
var bottlerocketLabelValue = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$`)

// imageByDigest is an image reference pinned by a sha256 digest. A bootstrap
// container in mode "always" runs at every boot; a tag someone moves would
// change what gates the boot without a change to the launch template.
// The path is the distribution reference grammar's: components of
// lowercase letters and digits joined by '.', '_', '__' or dashes, split by
// single slashes (containerd refuses anything else, ECR too).
var imageByDigest = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?` +
	`(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)+` +
	`(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$`)

// ContainerSettingParams are the probe settings render passes, with
// --bootstrap-container, into the container's own user data: they govern
// its run on the node, not the render.
var ContainerSettingParams = []string{FlagWait, FlagTimeout, FlagFailOn, FlagRequire, FlagOptional, FlagECRAccount}

// ContainerSettings are those of v that were given, each as one value
// (a list joined by commas, as --config reads it back).
func ContainerSettings(v Values) map[string]string {
	out := map[string]string{}
	for _, name := range ContainerSettingParams {
		if v.Has(name) {
			out[name] = strings.Join(v[name], ",")
		}
	}
	return out
}

// parseBottlerocketOnly checks what Bottlerocket's settings model would
// refuse, and reads the inputs only Bottlerocket takes.
func (c *Config) parseBottlerocketOnly(v Values) error {
	image := strings.TrimSpace(v.Get(FlagBootstrapImage))
	if image == "" && v.Has(FlagBootstrapImage) { // an unset shell variable: the boot would go unchecked
		return Errorf(FlagBootstrapImage, "is empty; give the eksboot image as REGISTRY/REPOSITORY@sha256:DIGEST, or leave the flag out")
	}
	p := c.Platform()
	if !p.BootstrapContainers && image != "" {
		return Errorf(FlagBootstrapImage, "is for Bottlerocket nodes; --%s %s has no bootstrap containers", FlagTarget, c.Target)
	}
	if !p.SettingsAPI {
		return nil
	}
	if !bottlerocketLabelValue.MatchString(c.ClusterName) {
		return Errorf(FlagClusterName, "%q is not a name Bottlerocket accepts (a Kubernetes label value: at most 63 of A-Z a-z 0-9 . _ -, a letter or digit at both ends); use the cluster's name as EKS shows it", clip(c.ClusterName))
	}
	if image != "" && !imageByDigest.MatchString(image) {
		return Errorf(FlagBootstrapImage, "%q is not an image by digest; give REGISTRY/REPOSITORY@sha256:DIGEST (crane digest or skopeo inspect prints it)", clip(image))
	}
	c.BootstrapImage = image
	return nil
}
