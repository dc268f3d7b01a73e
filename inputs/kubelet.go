package inputs

import (
	"regexp"
	"strings"
	"unicode/utf8"
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

// kubeletLabels are the kubernetes.io and k8s.io label keys kubelet lets
// itself set with --node-labels besides its own namespaces; any other key in
// those namespaces makes kubelet refuse to start (k8s.io/kubelet/pkg/apis).
var kubeletLabels = []string{
	"kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch",
	"topology.kubernetes.io/zone", "topology.kubernetes.io/region",
	"failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
	"beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type",
	"beta.kubernetes.io/os", "beta.kubernetes.io/arch", "node.kubernetes.io/windows-build",
}

// kubeletLabelNamespaces, and their subdomains, kubelet may label itself in.
var kubeletLabelNamespaces = []string{"kubelet.kubernetes.io", "node.kubernetes.io"}

func inNamespace(ns, domain string) bool { return ns == domain || strings.HasSuffix(ns, "."+domain) }

// kubeletRefuses reports whether kubelet refuses key in --node-labels.
func kubeletRefuses(key string) bool {
	ns, _, found := strings.Cut(key, "/")
	if !found || !(inNamespace(ns, "kubernetes.io") || inNamespace(ns, "k8s.io")) || contains(kubeletLabels, key) {
		return false
	}
	for _, allowed := range kubeletLabelNamespaces {
		if inNamespace(ns, allowed) {
			return false
		}
	}
	return true
}

// ParseLabels reads key=value items, as kubelet's --node-labels takes them,
// refusing what kubelet refuses and a key given twice (kubelet keeps one,
// TOML and the API server refuse both).
func ParseLabels(items []string) ([]Label, error) {
	var out []Label
	seen := map[string]bool{}
	for _, item := range items {
		k, v, ok := strings.Cut(item, "=")
		switch {
		case !ok:
			return nil, Errorf(FlagNodeLabels, "%q is not key=value", clip(item))
		case !validLabelKey(k):
			return nil, Errorf(FlagNodeLabels, "%q is not a valid label key", clip(k))
		case !labelValuePattern.MatchString(v):
			return nil, Errorf(FlagNodeLabels, "%q is not a valid label value (at most 63 letters, digits, '-', '_', '.')", clip(v))
		case kubeletRefuses(k):
			return nil, Errorf(FlagNodeLabels, "kubelet refuses the key %q: in the kubernetes.io and k8s.io namespaces it sets only keys under kubelet.kubernetes.io/ or node.kubernetes.io/ and its own well-known labels (set node-role and the like with kubectl after the node joins)", k)
		case seen[k]:
			return nil, Errorf(FlagNodeLabels, "the key %q is given twice", k)
		}
		seen[k] = true
		out = append(out, Label{k, v})
	}
	return out, nil
}

// clip cuts a bad value for an error message.
func clip(s string) string {
	const most = 100
	if len(s) <= most {
		return s
	}
	return strings.ToValidUTF8(s[:most], "") + "…"
}

// ParseExtraArgs checks --kubelet-extra-args against what the node's
// service manager does to the line before kubelet sees it, refusing
// rather than letting kubelet get other arguments than the ones given.
// For every target: no control character (bootstrap.sh and nodeadm write
// the line into a systemd file, where a newline starts a new directive)
// and nothing but UTF-8 (systemd drops a line that is not, and with it
// the labels and taints). On al2 and al2023 systemd splits $VAR in
// ExecStart= and takes ' " \ there as quotes and escapes (al2023's
// EnvironmentFile= reads them too), and on al2 % starts a specifier in
// bootstrap.sh's Environment='KUBELET_EXTRA_ARGS=...' line. On windows
// kubelet's service command line is split by Windows' rules, where " quotes.
func ParseExtraArgs(s string, p Platform) (string, error) {
	if i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return "", Errorf(FlagKubeletExtraArgs, "holds a control character (%U at byte %d); pass the flags on one line", rune(s[i]), i)
	}
	if !utf8.ValidString(s) {
		return "", Errorf(FlagKubeletExtraArgs, "is not UTF-8 text; systemd would drop the whole line, labels and taints with it; pass the flags as UTF-8")
	}
	if i := strings.IndexAny(s, p.Rereads); p.Rereads != "" && i >= 0 {
		return "", Errorf(FlagKubeletExtraArgs, "holds %q at byte %d, which the %s node's service manager reads as quoting, escaping or a specifier before kubelet sees it; pass the flags without %s", s[i:i+1], i, p.Target, spelled(p.Rereads))
	}
	return s, nil
}

func spelled(chars string) string {
	quoted := make([]string, len(chars))
	for i := range chars {
		quoted[i] = chars[i : i+1]
	}
	return strings.Join(quoted, " ")
}

// SplitArgs splits a kubelet command line where systemd splits it: at
// ASCII white space only (its WHITESPACE, " \t\n\r"). strings.Fields would also split at
// U+0085, U+00A0 and U+2028, which both leave inside the argument.
func SplitArgs(s string) []string {
	return strings.FieldsFunc(s, isArgSpace)
}

func isArgSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

var taintEffects = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}

// ParseTaints reads key[=value]:Effect items, as kubelet's
// --register-with-taints takes them; a key and effect given twice is
// refused, as the API server refuses it.
func ParseTaints(items []string) ([]Taint, error) {
	var out []Taint
	seen := map[string]bool{}
	for _, item := range items {
		kv, effect, ok := strings.Cut(item, ":")
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case !ok:
			return nil, Errorf(FlagTaints, "%q is not key=value:Effect", clip(item))
		case !validLabelKey(k):
			return nil, Errorf(FlagTaints, "%q is not a valid taint key", clip(k))
		case !labelValuePattern.MatchString(v):
			return nil, Errorf(FlagTaints, "%q is not a valid taint value", clip(v))
		case !contains(taintEffects, effect):
			return nil, Errorf(FlagTaints, "effect %q of %q must be one of %s", clip(effect), clip(item), strings.Join(taintEffects, ", "))
		case seen[k+":"+effect]:
			return nil, Errorf(FlagTaints, "the key %q with effect %s is given twice", k, effect)
		}
		seen[k+":"+effect] = true
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
// then the extra args split as systemd splits $KUBELET_EXTRA_ARGS on the
// EKS AMIs.
func (c *Config) KubeletFlags() []string {
	return append(c.labelAndTaintFlags(), SplitArgs(c.KubeletExtraArgs)...)
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

// KubeletArgsLine is the one string bootstrap.sh and Start-EKSBootstrap.ps1
// take: labels and taints as flags, then the user's extra args verbatim.
func (c *Config) KubeletArgsLine() string {
	parts := c.labelAndTaintFlags()
	if extra := strings.TrimFunc(c.KubeletExtraArgs, isArgSpace); extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(parts, " ")
}
