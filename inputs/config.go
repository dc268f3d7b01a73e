package inputs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"

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
			if accumulates(k) {
				val = append(vals[k], val...) // but one refused part fails them all, and environments merge
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
// key or NodeConfig field it came from. User data holds one NodeConfig, read
// as nodeadm reads it; a config file one or more documents, each a map of
// flag names or a NodeConfig.
func parseDocs(data []byte, userData bool) (Values, Origins, error) {
	if userData {
		return nodeConfigValues(data)
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
			continue
		}
		if root.Kind != yaml.MappingNode {
			return nil, nil, fmt.Errorf("a document at line %d is not a map of keys to values", root.Line)
		}
		var vals Values
		var from Origins
		if hasKey(root, "apiVersion") {
			var text []byte
			if text, err = yaml.Marshal(root); err == nil { // one document alone, for nodeadm's decoder
				vals, from, err = nodeConfigValues(text)
			}
			if err != nil {
				err = fmt.Errorf("the document at line %d: %w", root.Line, err)
			}
		} else {
			vals, from, err = flagMapValues(root)
		}
		if err != nil {
			return nil, nil, err
		}
		for k, v := range vals {
			if accumulates(k) {
				v = append(out[k], v...)
			}
			out[k], origins[k] = v, from[k]
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

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

func flagMapValues(doc *yaml.Node) (Values, Origins, error) {
	out, origins := Values{}, Origins{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		p, ok := ParamByName(key)
		if !ok || p.Name == FlagConfig {
			return nil, nil, fmt.Errorf("unknown key %q at line %d (keys are flag names, such as %s)", clip(key), doc.Content[i].Line, FlagClusterName)
		}
		if first, seen := origins[p.Name]; seen { // YAML forbids it, and one of the two would be lost
			return nil, nil, fmt.Errorf("key %q at line %d says again what %q said: give it once", clip(key), doc.Content[i].Line, first.Name)
		}
		origins[p.Name] = Origin{Name: key}
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

// accumulates says whether the NodeConfig documents' values of Values key k
// add up rather than the last one winning: nodeadm's refusals, and
// spec.instance.environment, whose maps nodeadm merges key by key.
func accumulates(k string) bool { return k == nodeadmRefuses || k == nodeConfigEnvironment }
