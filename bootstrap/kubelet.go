package bootstrap

import (
	"regexp"
	"strings"
)

// Label is one node label.
type Label struct{ Key, Value string }

// Taint is one node taint.
type Taint struct{ Key, Value, Effect string }

func (t Taint) String() string {
	if t.Value == "" {
		return t.Key + ":" + t.Effect
	}
	return t.Key + "=" + t.Value + ":" + t.Effect
}

// Kubernetes' label rules: a qualified name (optional DNS-subdomain prefix
// and '/'), and a value of at most 63 characters. kubelet refuses to start
// with anything else, so catching it here saves a node that never joins.
var (
	labelNamePattern   = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	labelPrefixPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	labelValuePattern  = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`)
)

func validLabelKey(k string) bool {
	prefix, name, found := strings.Cut(k, "/")
	if !found {
		return labelNamePattern.MatchString(k)
	}
	return len(prefix) <= 253 && labelPrefixPattern.MatchString(prefix) && labelNamePattern.MatchString(name)
}

// ParseLabels reads key=value items, as kubelet's --node-labels takes them.
func ParseLabels(items []string) ([]Label, error) {
	var out []Label
	for _, item := range items {
		k, v, ok := strings.Cut(item, "=")
		switch {
		case !ok:
			return nil, inputErrorf(FlagNodeLabels, "%q is not key=value", item)
		case !validLabelKey(k):
			return nil, inputErrorf(FlagNodeLabels, "%q is not a valid label key", k)
		case !labelValuePattern.MatchString(v):
			return nil, inputErrorf(FlagNodeLabels, "%q is not a valid label value (at most 63 letters, digits, '-', '_', '.')", v)
		}
		out = append(out, Label{k, v})
	}
	return out, nil
}

var taintEffects = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}

// ParseTaints reads key[=value]:Effect items, as kubelet's
// --register-with-taints takes them.
func ParseTaints(items []string) ([]Taint, error) {
	var out []Taint
	for _, item := range items {
		kv, effect, ok := strings.Cut(item, ":")
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case !ok:
			return nil, inputErrorf(FlagTaints, "%q is not key=value:Effect", item)
		case !validLabelKey(k):
			return nil, inputErrorf(FlagTaints, "%q is not a valid taint key", k)
		case !labelValuePattern.MatchString(v):
			return nil, inputErrorf(FlagTaints, "%q is not a valid taint value", v)
		case !contains(taintEffects, effect):
			return nil, inputErrorf(FlagTaints, "effect %q of %q must be one of %s", effect, item, strings.Join(taintEffects, ", "))
		}
		out = append(out, Taint{k, v, effect})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

// KubeletFlags is the kubelet command line eksboot adds: labels, taints,
// then the extra args split on white space, as systemd splits
// $KUBELET_EXTRA_ARGS on the EKS AMIs.
func (c *Config) KubeletFlags() []string {
	return append(c.labelAndTaintFlags(), strings.Fields(c.KubeletExtraArgs)...)
}

func (c *Config) labelAndTaintFlags() []string {
	var flags []string
	if len(c.NodeLabels) > 0 {
		items := make([]string, len(c.NodeLabels))
		for i, l := range c.NodeLabels {
			items[i] = l.Key + "=" + l.Value
		}
		flags = append(flags, "--node-labels="+strings.Join(items, ","))
	}
	if len(c.Taints) > 0 {
		items := make([]string, len(c.Taints))
		for i, t := range c.Taints {
			items[i] = t.String()
		}
		flags = append(flags, "--register-with-taints="+strings.Join(items, ","))
	}
	return flags
}
