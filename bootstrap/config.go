package bootstrap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// UserDataSource is the --config value that reads the NodeConfig part(s) of
// the instance's user data.
const UserDataSource = "imds://user-data"

// maxConfigBytes bounds what a config file or user data may hold; EC2 user
// data itself is capped at 16 KiB, so this is generous.
const maxConfigBytes = 1 << 20

const (
	nodeConfigAPIVersion = "node.eks.aws/v1alpha1"
	nodeConfigKind       = "NodeConfig"
)

// ConfigSource reads the config values named by --config. When explicit is
// false, the default path may be absent without complaint.
func ConfigSource(ctx context.Context, path string, explicit bool, md *IMDS) (Values, error) {
	if path == UserDataSource {
		if md == nil {
			return nil, inputErrorf(FlagConfig, "%s needs IMDS", UserDataSource)
		}
		data, err := md.UserData(ctx)
		if err != nil {
			return nil, inputErrorf(FlagConfig, "%s: %v", UserDataSource, err)
		}
		docs, err := NodeConfigsFromUserData(data)
		if err != nil {
			return nil, inputErrorf(FlagConfig, "%s: %v", UserDataSource, err)
		}
		if len(docs) == 0 {
			return nil, inputErrorf(FlagConfig, "%s: the user data has no NodeConfig (a MIME part with Content-Type: application/node.eks.aws)", UserDataSource)
		}
		vals := Values{}
		for _, doc := range docs {
			v, err := ParseConfig(doc)
			if err != nil {
				return nil, inputErrorf(FlagConfig, "%s: %v", UserDataSource, err)
			}
			for k, val := range v { // later parts win, as nodeadm merges them
				vals[k] = val
			}
		}
		return vals, nil
	}
	data, err := readBounded(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return Values{}, nil
	}
	if err != nil {
		return nil, inputErrorf(FlagConfig, "%v", err)
	}
	vals, err := ParseConfig(data)
	if err != nil {
		return nil, inputErrorf(FlagConfig, "%s: %v", path, err)
	}
	return vals, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxConfigBytes)
	}
	return data, nil
}

// ParseConfig reads a YAML config: either a map keyed by flag names, or one
// or more node.eks.aws/v1alpha1 NodeConfig documents whose spec.cluster
// fills the cluster inputs.
func ParseConfig(data []byte) (Values, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	out := Values{}
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not valid YAML: %v", err)
		}
		var vals Values
		if _, ok := doc["apiVersion"]; ok {
			vals, err = nodeConfigValues(doc)
		} else {
			vals, err = flagMapValues(doc)
		}
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			out[k] = v
		}
	}
}

func flagMapValues(doc map[string]any) (Values, error) {
	out := Values{}
	for key, raw := range doc {
		p, ok := ParamByName(key)
		if !ok || p.Name == FlagConfig {
			return nil, fmt.Errorf("unknown key %q (keys are flag names, such as %s)", key, FlagClusterName)
		}
		switch v := raw.(type) {
		case nil:
		case []any:
			if !p.List {
				return nil, fmt.Errorf("key %q takes one value, not a list", key)
			}
			for _, item := range v {
				out[p.Name] = append(out[p.Name], scalarString(item))
			}
		case map[string]any:
			return nil, fmt.Errorf("key %q takes a value, not a map", key)
		default:
			out[p.Name] = []string{scalarString(v)}
		}
	}
	return out, nil
}

func scalarString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// nodeConfigValues maps a NodeConfig's spec.cluster onto our inputs.
func nodeConfigValues(doc map[string]any) (Values, error) {
	if doc["apiVersion"] != nodeConfigAPIVersion || doc["kind"] != nodeConfigKind {
		return nil, fmt.Errorf("apiVersion %v, kind %v: only %s %s is understood", doc["apiVersion"], doc["kind"], nodeConfigAPIVersion, nodeConfigKind)
	}
	spec, _ := doc["spec"].(map[string]any)
	cluster, _ := spec["cluster"].(map[string]any)
	out := Values{}
	set := func(flag, field string) {
		if s, ok := cluster[field].(string); ok && strings.TrimSpace(s) != "" {
			out[flag] = []string{strings.TrimSpace(s)}
		}
	}
	set(FlagClusterName, "name")
	set(FlagEndpoint, "apiServerEndpoint")
	set(FlagCA, "certificateAuthority")
	if cidr, ok := cluster["cidr"].(string); ok && cidr != "" {
		flag := FlagServiceCIDR
		if p, err := netip.ParsePrefix(strings.TrimSpace(cidr)); err == nil && p.Addr().Is6() {
			flag = FlagServiceIPv6CIDR
		}
		out[flag] = []string{strings.TrimSpace(cidr)}
	}
	return out, nil
}
