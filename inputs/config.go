package inputs

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/eksboot/eksboot/imds"
	"go.yaml.in/yaml/v3"
)

// UserDataSource is the --config value that reads the NodeConfig part(s) of
// the instance's user data.
const UserDataSource = "imds://user-data"

// maxConfigBytes bounds what a config file or user data may hold; EC2 user
// data itself is capped at 16 KiB, so this is generous.
const maxConfigBytes = 1 << 20

const (
	NodeConfigAPIVersion = "node.eks.aws/v1alpha1"
	NodeConfigKind       = "NodeConfig"
)

// ConfigSource reads the config values named by --config. When explicit is
// false, the default path may be absent without complaint.
func ConfigSource(ctx context.Context, path string, explicit bool, md *imds.Client) (Values, Origins, error) {
	if path == UserDataSource {
		if md == nil {
			return nil, nil, Errorf(FlagConfig, "%s needs IMDS", UserDataSource)
		}
		data, err := md.UserData(ctx)
		if err != nil {
			return nil, nil, Errorf(FlagConfig, "%s: %v", UserDataSource, err)
		}
		return userDataValues(data)
	}
	data, err := readBounded(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !explicit {
			return Values{}, Origins{}, nil
		}
		return nil, nil, Errorf(FlagConfig, "%s: no such file", path) // in the same words on every platform
	}
	if err != nil {
		return nil, nil, Errorf(FlagConfig, "%v", err)
	}
	vals, origins, err := parseDocs(data, false)
	if err != nil {
		return nil, nil, Errorf(FlagConfig, "%s: %v", path, err)
	}
	for k, o := range origins {
		origins[k] = Origin{Name: o.Name + " in " + path}
	}
	return vals, origins, nil
}

// userDataValues are the inputs the NodeConfig(s) of user data state, read
// as nodeadm reads them, each value's origin its NodeConfig field.
func userDataValues(data []byte) (Values, Origins, error) {
	docs, err := NodeConfigsFromUserData(data)
	if err != nil {
		return nil, nil, Errorf(FlagConfig, "%s: %v", UserDataSource, err)
	}
	if len(docs) == 0 {
		return nil, nil, Errorf(FlagConfig, "%s: nodeadm will not find a NodeConfig in this user data: it has no NodeConfig (a part of a top-level multipart document with Content-Type: application/node.eks.aws, or a NodeConfig alone)", UserDataSource)
	}
	vals, origins := Values{}, Origins{}
	for _, doc := range docs {
		v, o, err := parseDocs(doc, true)
		if err != nil {
			return nil, nil, Errorf(FlagConfig, "%s: nodeadm will not find a NodeConfig in this user data: a NodeConfig part: %v", UserDataSource, err)
		}
		for k, val := range v { // later parts win, as nodeadm merges them
			if k == nodeadmRefuses {
				val = append(vals[k], val...) // but one refused part fails them all
			}
			vals[k] = val
			origins[k] = Origin{Name: o[k].Name + " in " + UserDataSource, UserData: true}
		}
	}
	return vals, origins, nil
}

// readBounded reads a config file: a plain file only (a FIFO would wait for
// a writer forever, so the open does not wait), of at most maxConfigBytes.
func readBounded(path string) ([]byte, error) { return readBoundedFile(path, maxConfigBytes) }

func readBoundedFile(path string, limit int) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a plain file", path)
	}
	data, err := readAtMost(f, int64(limit))
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return data, err
}

// errTooLarge is readAtMost's answer to input past its limit.
var errTooLarge = errors.New("too large")

// readAtMost reads all of r, and fails with errTooLarge rather than keep
// more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, err
}

// ParseConfig reads a YAML config file: either a map keyed by flag names,
// or one or more node.eks.aws/v1alpha1 NodeConfig documents whose
// spec.cluster (and spec.kubelet.config.clusterDNS) fill the cluster inputs.
// Scalars keep the text the user wrote: 012345 stays 012345.
func ParseConfig(data []byte) (Values, error) {
	v, _, err := parseDocs(data, false)
	return v, err
}

// ParseNodeConfig reads the NodeConfig documents of a user-data part. Its
// errors quote nothing of the part: user data may hold secrets.
func ParseNodeConfig(data []byte) (Values, error) {
	v, _, err := parseDocs(data, true)
	return v, err
}

// parseDocs returns the values of the documents, and each one's origin: the
// key or NodeConfig field it came from.
func parseDocs(data []byte, userData bool) (Values, Origins, error) {
	if userData {
		data = jsonAsYAML(data)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	out, origins := Values{}, Origins{}
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, origins, nil
		}
		if err != nil {
			return nil, nil, yamlError(err)
		}
		root := &doc
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = root.Content[0]
		}
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			if userData && len(out) == 0 {
				out[nodeadmRefuses] = []string{"the document: the first YAML document is empty, and nodeadm decodes the first only (remove the leading ---)"}
			}
			continue
		}
		if root.Kind != yaml.MappingNode {
			return nil, nil, fmt.Errorf("a document at line %d is not a map of keys to values", root.Line)
		}
		var vals Values
		var from Origins
		switch {
		case child(root, "apiVersion") != nil || userData && typeChild(root, "apiVersion") != nil:
			vals, from, err = nodeConfigValues(root)
		case userData:
			err = fmt.Errorf("a document at line %d is not a %s %s", root.Line, NodeConfigAPIVersion, NodeConfigKind)
		default:
			vals, from, err = flagMapValues(root)
		}
		if err != nil {
			return nil, nil, err
		}
		for k, v := range vals {
			if k == nodeadmRefuses {
				v = append(out[k], v...)
			}
			out[k], origins[k] = v, from[k]
		}
		if userData {
			return out, origins, nil // nodeadm decodes a part's first document only
		}
	}
}

// yamlError keeps the parser's line number and drops the rest, which can
// quote the document.
func yamlError(err error) error {
	if m := yamlLinePattern.FindString(err.Error()); m != "" {
		return fmt.Errorf("not valid YAML (%s)", m)
	}
	return errors.New("not valid YAML")
}

var yamlLinePattern = regexp.MustCompile(`line \d+`)

// child returns the value of key in a mapping node, or nil.
func child(m *yaml.Node, key string) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out *yaml.Node
	var merged []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		switch k := m.Content[i]; {
		case k.Tag == "!!merge":
			merged = append(merged, deref(m.Content[i+1]))
		case k.Value == key:
			out = deref(m.Content[i+1]) // a key given twice: the last wins, as for nodeadm's decoder
		}
	}
	for i := 0; out == nil && i < len(merged); i++ { // local keys override merged ones
		from := []*yaml.Node{merged[i]}
		if merged[i].Kind == yaml.SequenceNode {
			from = merged[i].Content // <<: [*a, *b]: the earlier map wins
		}
		for j := 0; out == nil && j < len(from); j++ {
			out = child(deref(from[j]), key)
		}
	}
	return out
}

// deref follows an alias to its anchor, which nodeadm's yaml.v2 expands.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// typeChild is apiVersion or kind, whose key nodeadm finds in any case
// (apimachinery sniffs them with encoding/json); their values it matches exactly.
func typeChild(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, key) {
			out = m.Content[i+1]
		}
	}
	return out
}

// scalar is a scalar node's text as written; "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func flagMapValues(doc *yaml.Node) (Values, Origins, error) {
	out, origins := Values{}, Origins{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		p, ok := ParamByName(key)
		if ok {
			origins[p.Name] = Origin{Name: key}
		}
		if !ok || p.Name == FlagConfig {
			return nil, nil, fmt.Errorf("unknown key %q at line %d (keys are flag names, such as %s)", clip(key), doc.Content[i].Line, FlagClusterName)
		}
		switch val.Kind {
		case yaml.SequenceNode:
			if !p.List {
				return nil, nil, fmt.Errorf("key %q takes one value, not a list", key)
			}
			for _, item := range val.Content {
				if item.Kind != yaml.ScalarNode {
					return nil, nil, fmt.Errorf("key %q takes a list of values, not of lists or maps", key)
				}
				out[p.Name] = append(out[p.Name], item.Value)
			}
		case yaml.MappingNode:
			return nil, nil, fmt.Errorf("key %q takes a value, not a map", key)
		case yaml.ScalarNode:
			if val.Tag != "!!null" {
				out[p.Name] = []string{val.Value}
			}
		default:
			return nil, nil, fmt.Errorf("key %q takes a plain value", key)
		}
	}
	return out, origins, nil
}

// nodeConfigValues maps a NodeConfig's spec.cluster, and the cluster DNS IP
// its kubelet config names, onto our inputs: the drop-in eksboot writes is
// merged over the user's NodeConfig, so it must carry the same clusterDNS.
func nodeConfigValues(doc *yaml.Node) (Values, Origins, error) {
	if scalar(typeChild(doc, "apiVersion")) != NodeConfigAPIVersion || scalar(typeChild(doc, "kind")) != NodeConfigKind {
		return nil, nil, fmt.Errorf("a document at line %d is not a %s %s, the only kind understood", doc.Line, NodeConfigAPIVersion, NodeConfigKind)
	}
	spec := child(doc, "spec")
	cluster := child(spec, "cluster")
	out, origins := Values{}, Origins{}
	set := func(flag, field string) {
		if s := scalar(child(cluster, field)); s != "" {
			out[flag], origins[flag] = []string{s}, Origin{Name: "spec.cluster." + field}
			out[asRead(flag)] = []string{child(cluster, field).Value} // untrimmed, as nodeadm keeps it
		}
	}
	var refuses []string
	for _, field := range []string{"name", "apiServerEndpoint", "cidr", "id"} {
		if n := child(cluster, field); n != nil && yaml11NotString(n) {
			refuses = append(refuses, "spec.cluster."+field+": YAML 1.1, which nodeadm decodes by, reads it as a number or boolean, not a string (put it in double quotes)")
		}
	}
	if n := child(cluster, "certificateAuthority"); n != nil && !nodeadmBase64(n.Value) {
		refuses = append(refuses, "spec.cluster.certificateAuthority: not standard base64 as nodeadm decodes it (no spaces; break lines only inside a | block)")
	}
	if len(refuses) > 0 {
		out[nodeadmRefuses] = refuses
	}
	set(FlagClusterName, "name")
	set(FlagEndpoint, "apiServerEndpoint")
	set(FlagCA, "certificateAuthority")
	if cidr := scalar(child(cluster, "cidr")); cidr != "" {
		flag := FlagServiceCIDR
		if p, err := netip.ParsePrefix(cidr); err == nil && p.Addr().Is6() {
			flag = FlagServiceIPv6CIDR
		}
		out[flag], origins[flag] = []string{cidr}, Origin{Name: "spec.cluster.cidr"}
		out[asRead(FlagServiceCIDR)] = []string{child(cluster, "cidr").Value}
	}
	// What the node registers as and which cluster its token names
	// (amazon-eks-ami nodeadm internal/kubelet config.go, kubeconfig.go).
	if gate := child(child(spec, "featureGates"), "InstanceIdNodeName"); gate != nil {
		out[nodeNameFromInstanceID] = []string{strconv.FormatBool(yaml11True(scalar(gate)))}
	}
	if yaml11True(scalar(child(cluster, "enableOutpost"))) {
		out[outpost] = []string{"true"} // a later false does not undo it: mergo counts false as empty
	}
	if id := scalar(child(cluster, "id")); id != "" {
		out[outpostClusterID] = []string{id}
	}
	if flags := child(child(spec, "kubelet"), "flags"); flags != nil && flags.Kind == yaml.SequenceNode {
		var items []string
		for _, f := range flags.Content {
			items = append(items, scalar(f))
		}
		if taints, found, _ := lastTaintFlag(kubeletFlagArgs(items)); found {
			out[userDataTaints], origins[userDataTaints] = []string{taints}, Origin{Name: "spec.kubelet.flags"}
		}
	}
	if dns := child(child(child(spec, "kubelet"), "config"), "clusterDNS"); dns != nil && dns.Kind == yaml.SequenceNode && len(dns.Content) > 0 {
		if ip := scalar(dns.Content[0]); ip != "" {
			out[FlagDNSClusterIP], origins[FlagDNSClusterIP] = []string{ip}, Origin{Name: "spec.kubelet.config.clusterDNS"}
			var all []string
			for _, e := range dns.Content {
				all = append(all, scalar(e))
			}
			out[userDataClusterDNS] = all
		}
	}
	return out, origins, nil
}

// Values keys the NodeConfig sets that have no flag of ours.
const (
	nodeNameFromInstanceID = "nodeconfig:featureGates.InstanceIdNodeName"
	outpost                = "nodeconfig:cluster.enableOutpost"
	outpostClusterID       = "nodeconfig:cluster.id"
)

// UserDataValues are the inputs EC2 user data states, read as nodeadm reads it.
func UserDataValues(data []byte) (Values, error) {
	v, _, err := userDataValues(data)
	return v, err
}

// NodeadmRefusals is what nodeadm refuses in the NodeConfig(s) v was read
// from, "field: reason" each (Config.NodeadmRefuses once resolved).
func NodeadmRefusals(v Values) []string { return v[nodeadmRefuses] }

// nodeConfigOnly begins the Values keys of what a NodeConfig states that
// has no flag of ours.
const nodeConfigOnly = "nodeconfig:"

// userDataClusterDNS is the Values key of the user data's whole
// spec.kubelet.config.clusterDNS list, which the drop-in restates as is.
const userDataClusterDNS = nodeConfigOnly + "kubelet.config.clusterDNS"

// asRead is the Values key of a spec.cluster value exactly as nodeadm reads
// it, before eksboot trims, canonicalizes or masks it.
func asRead(flag string) string { return nodeConfigOnly + "as-read." + flag }

// nodeadmRefuses is the Values key of what nodeadm refuses in the user
// data's NodeConfig: "field: reason" each.
const nodeadmRefuses = "nodeconfig:refuses"

// yaml11NotString: a plain scalar that nodeadm's YAML 1.1 decoder (yaml.v2,
// through sigs.k8s.io/yaml) types as an int, float or bool, which a string
// field of NodeConfig refuses.
func yaml11NotString(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Style != 0 {
		return false
	}
	switch n.Tag {
	case "!!int", "!!float", "!!bool":
		return true
	}
	switch n.Value {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF":
		return true
	}
	return false
}

// nodeadmBase64: nodeadm decodes the CA with base64.StdEncoding, which
// skips line breaks and nothing else.
func nodeadmBase64(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

// yaml11True: nodeadm decodes with yaml.v2, for which YAML 1.1's yes, on
// and y are true as well.
func yaml11True(s string) bool {
	switch s {
	case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
		return true
	}
	return false
}

// jsonAsYAML is a JSON document (nodeadm's decoder takes one when it
// starts with {) restated as YAML, which has no \/ escape; data itself
// when it is not JSON.
func jsonAsYAML(data []byte) []byte {
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) {
		return data
	}
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return data
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return data
	}
	return out
}
