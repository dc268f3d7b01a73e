package inputs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	yaml2 "go.yaml.in/yaml/v2"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// nodeConfig is the part of nodeadm's v1alpha1 NodeConfig that eksboot
// reads, with nodeadm's field names and types (amazon-eks-ami
// nodeadm/api/v1alpha1/nodeconfig_types.go), so that the JSON rules that
// decode it there (a []byte is standard base64, a string takes no number)
// decide here too.
type nodeConfig struct {
	Spec struct {
		Cluster struct {
			Name                 string `json:"name"`
			APIServerEndpoint    string `json:"apiServerEndpoint"`
			CertificateAuthority []byte `json:"certificateAuthority"`
			CIDR                 string `json:"cidr"`
			EnableOutpost        *bool  `json:"enableOutpost"`
			ID                   string `json:"id"`

			refusedCA string // the text of a CA nodeadm refuses
		} `json:"cluster"`
		Kubelet struct {
			Config map[string]json.RawMessage `json:"config"`
			Flags  []string                   `json:"flags"`
		} `json:"kubelet"`
		FeatureGates map[string]bool `json:"featureGates"`
		Instance     struct {
			// Environment: "default" (every unit, and nodeadm itself) or a
			// unit's name without .service, to its variables.
			Environment map[string]map[string]string `json:"environment"`
		} `json:"instance"`
	} `json:"spec"`
}

// typeMeta is how apimachinery sniffs a document's kind: with
// encoding/json, whose keys match in any case.
type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// nodeConfigJSON is a NodeConfig document as JSON, converted as nodeadm's
// decoder converts it: JSON (it starts with {) as it is, else the first YAML
// document through sigs.k8s.io/yaml (yaml.v2, YAML 1.1, a key given twice
// the last wins, anchors and merge keys expanded).
func nodeConfigJSON(data []byte) ([]byte, error) {
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) {
		if !json.Valid(data) {
			return nil, errors.New("not valid JSON, as which nodeadm decodes a document that starts with { (YAML flow style too: write the NodeConfig in block style)")
		}
		return data, nil
	}
	out, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, yamlError(err)
	}
	return out, nil
}

// decodeNodeConfig reads a NodeConfig document as nodeadm does. A document
// nodeadm refuses still gives what could be read, with refuses saying why.
func decodeNodeConfig(data []byte) (nc *nodeConfig, refuses []string, err error) {
	js, err := nodeConfigJSON(data)
	if err != nil {
		return nil, nil, err
	}
	if string(bytes.TrimSpace(js)) == "null" {
		// nodeadm stops here; the next document still says what was meant.
		next, ok := secondDocument(data)
		if !ok {
			return nil, []string{emptyFirst}, nil
		}
		nc, refuses, err := decodeNodeConfig(next)
		return nc, append([]string{emptyFirst}, refuses...), err
	}
	var tm typeMeta
	if json.Unmarshal(js, &tm) != nil {
		return nil, nil, fmt.Errorf("a document is not a map of keys to values")
	}
	if tm.APIVersion != NodeConfigAPIVersion || tm.Kind != NodeConfigKind {
		return nil, nil, fmt.Errorf("a document is not a %s %s, the only kind understood", NodeConfigAPIVersion, NodeConfigKind)
	}
	nc = &nodeConfig{}
	// The decoder goes on past a field of the wrong type, as nodeadm's
	// does, and reports the first.
	if err := kjson.UnmarshalCaseSensitivePreserveInts(js, nc); err != nil {
		refuses = []string{refusal(err)}
		keepRefused(data, nc)
	}
	return nc, refuses, nil
}

const emptyFirst = "the document: the first YAML document is empty, and nodeadm decodes the first only (remove the leading ---)"

// secondDocument is the first non-empty YAML document of data, restated
// alone.
func secondDocument(data []byte) ([]byte, bool) {
	dec := yaml2.NewDecoder(bytes.NewReader(data))
	for range 100 {
		var doc yaml2.MapSlice
		if dec.Decode(&doc) != nil {
			return nil, false
		}
		if doc != nil {
			out, err := yaml2.Marshal(doc)
			return out, err == nil
		}
	}
	return nil, false
}

// keepRefused fills the spec.cluster strings nodeadm refused with their
// text, so that eksboot checks what the user meant while it reports the
// refusal: a name YAML 1.1 types as an int is the digits written, a CA with a
// space its text. yaml.v2 gives a string field a scalar's text as written.
func keepRefused(data []byte, nc *nodeConfig) {
	var loose struct {
		Spec struct {
			Cluster struct {
				Name                 string `yaml:"name"`
				APIServerEndpoint    string `yaml:"apiServerEndpoint"`
				CertificateAuthority string `yaml:"certificateAuthority"`
				CIDR                 string `yaml:"cidr"`
				ID                   string `yaml:"id"`
			} `yaml:"cluster"`
		} `yaml:"spec"`
	}
	_ = yaml2.Unmarshal(data, &loose) // what it could not read stays ""
	c, l := &nc.Spec.Cluster, &loose.Spec.Cluster
	for _, f := range []struct {
		dst  *string
		text string
	}{{&c.Name, l.Name}, {&c.APIServerEndpoint, l.APIServerEndpoint}, {&c.CIDR, l.CIDR}, {&c.ID, l.ID}} {
		if *f.dst == "" {
			*f.dst = f.text
		}
	}
	if c.CertificateAuthority == nil {
		c.refusedCA = l.CertificateAuthority
	}
}

// refusal names the field of a decoding error and what to do, and quotes
// nothing of the value: user data may hold secrets.
func refusal(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "illegal base64 data") { // the only []byte field
		return "spec.cluster.certificateAuthority: not standard base64 as nodeadm decodes it (no spaces; break lines only inside a | block)"
	}
	m := structFieldPattern.FindStringSubmatch(msg)
	if m == nil {
		return "the document: nodeadm cannot decode it as a NodeConfig"
	}
	if (m[1] == "number" || m[1] == "bool") && m[3] == "string" {
		return m[2] + ": YAML 1.1, which nodeadm decodes by, reads it as a number or boolean, not a string (put it in double quotes)"
	}
	return m[2] + ": nodeadm cannot decode it as its NodeConfig field's type, " + m[3]
}

// structFieldPattern is an encoding/json type error: the JSON type, the
// field's path after the Go type's name, and the field's Go type.
var structFieldPattern = regexp.MustCompile(`cannot unmarshal (\w+) into Go struct field \w*\.([\w.]+) of type (\S+)`)

// nodeConfigValues maps a NodeConfig's spec.cluster, and the cluster DNS IP
// its kubelet config names, onto our inputs: the drop-in eksboot writes is
// merged over the user's NodeConfig, so it must carry the same clusterDNS.
func nodeConfigValues(data []byte) (Values, Origins, error) {
	nc, refuses, err := decodeNodeConfig(data)
	if err != nil {
		return nil, nil, err
	}
	out, origins := Values{}, Origins{}
	if len(refuses) > 0 {
		out[nodeadmRefuses] = refuses
	}
	if nc == nil {
		return out, origins, nil
	}
	cluster := &nc.Spec.Cluster
	set := func(flag, field, value string) {
		if s := strings.TrimSpace(value); s != "" {
			out[flag], origins[flag] = []string{s}, Origin{Name: "spec.cluster." + field}
			out[asRead(flag)] = []string{value} // untrimmed, as nodeadm keeps it
		}
	}
	set(FlagClusterName, "name", cluster.Name)
	set(FlagEndpoint, "apiServerEndpoint", cluster.APIServerEndpoint)
	if len(cluster.CertificateAuthority) > 0 {
		set(FlagCA, "certificateAuthority", base64.StdEncoding.EncodeToString(cluster.CertificateAuthority))
	} else {
		set(FlagCA, "certificateAuthority", cluster.refusedCA)
	}
	if cidr := strings.TrimSpace(cluster.CIDR); cidr != "" {
		flag := FlagServiceCIDR
		if p, err := netip.ParsePrefix(cidr); err == nil && p.Addr().Is6() {
			flag = FlagServiceIPv6CIDR
		}
		out[flag], origins[flag] = []string{cidr}, Origin{Name: "spec.cluster.cidr"}
		out[asRead(FlagServiceCIDR)] = []string{cluster.CIDR}
	}
	// What the node registers as and which cluster its token names
	// (amazon-eks-ami nodeadm internal/kubelet config.go, kubeconfig.go).
	if gate, ok := nc.Spec.FeatureGates["InstanceIdNodeName"]; ok {
		out[nodeNameFromInstanceID] = []string{strconv.FormatBool(gate)}
	}
	if cluster.EnableOutpost != nil && *cluster.EnableOutpost {
		out[outpost] = []string{"true"} // a later false does not undo it: mergo counts false as empty
	}
	if id := strings.TrimSpace(cluster.ID); id != "" {
		out[outpostClusterID] = []string{id}
	}
	if flags := nc.Spec.Kubelet.Flags; flags != nil {
		items := make([]string, len(flags))
		for i, f := range flags {
			items[i] = strings.TrimSpace(f)
		}
		if taints, found, _ := lastTaintFlag(kubeletFlagArgs(items)); found {
			out[userDataTaints], origins[userDataTaints] = []string{taints}, Origin{Name: "spec.kubelet.flags"}
		}
	}
	if env := environmentEntries(nc.Spec.Instance.Environment); len(env) > 0 {
		out[nodeConfigEnvironment] = env // the proxy of kubelet, containerd and nodeadm
	}
	if dns := clusterDNS(nc.Spec.Kubelet.Config["clusterDNS"]); len(dns) > 0 && dns[0] != "" {
		out[FlagDNSClusterIP], origins[FlagDNSClusterIP] = []string{dns[0]}, Origin{Name: "spec.kubelet.config.clusterDNS"}
		out[userDataClusterDNS] = dns
	}
	return out, origins, nil
}

// clusterDNS is the kubelet config's clusterDNS list, each entry's text;
// "" for an entry that is no scalar. Kubelet's own config decoding judges
// the rest.
func clusterDNS(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	out := make([]string, len(list))
	for i, e := range list {
		var s string
		if json.Unmarshal(e, &s) == nil {
			out[i] = strings.TrimSpace(s)
		} else if t := string(bytes.TrimSpace(e)); t != "null" && !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
			out[i] = t
		}
	}
	return out
}
