package inputs

import (
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// The units whose environment is each agent's on a systemd node. nodeadm
// makes its EC2 calls first from nodeadm-config.service (amazon-eks-ami
// templates/al2023/runtime/rootfs/etc/systemd/system).
const (
	kubeletUnit       = "kubelet.service"
	containerdUnit    = "containerd.service"
	nodeadmConfigUnit = "nodeadm-config.service"
)

// platformProxyEnv is each agent's proxy environment where p keeps it:
// Bottlerocket's settings, Windows' registry, or systemd's configuration.
// --target auto cannot tell Bottlerocket; its API can, and a Windows host
// is one whatever the target.
func platformProxyEnv(v Values, h Host, p Platform) map[Agent]environ {
	switch {
	case p.SettingsAPI || v.Has(brSettingsRead):
		return bottlerocketProxyEnv(v)
	case p.Windows || onWindows(h):
		return windowsProxyEnv(h)
	}
	return systemdProxyEnv(v, h, p.Nodeadm)
}

// systemdProxyEnv is each agent's environment as systemd will give it.
// On AL2023 the spec.instance.environment of a NodeConfig that nodeadm
// reads (eksboot's --config is the user data, or a drop-in in
// /etc/eks/nodeadm.d/, which nodeadm-run reads) is what nodeadm writes into
// systemd's configuration before kubelet starts, so it is read as the files
// nodeadm writes, in their place. The user data's default key is nodeadm's
// own environment too: nodeadm-config sets it in its process before its
// EC2 call (nodeadm cmd/nodeadm/init/init.go), and writes the files only
// after, so its unit's environment is what is on disk. Elsewhere nodeadm's
// part (ec2) is the system-wide setting's.
func systemdProxyEnv(v Values, h Host, nodeadm bool) map[Agent]environ {
	if h.ReadFile == nil {
		return nil
	}
	disk := h
	nodeadmOwn := environ{}
	if config := v.Get(FlagConfig); nodeadm && (config == UserDataSource || strings.HasPrefix(config, NodeadmDropInDir)) {
		var files map[string]virtualFile
		files, nodeadmOwn = nodeConfigEnvironmentFiles(v[nodeConfigEnvironment])
		h = h.withFiles(files)
		if config != UserDataSource {
			nodeadmOwn = environ{} // nodeadm-config reads the user data alone
		}
	}
	out := map[Agent]environ{
		AgentKubelet:    unitEnvironment(h, kubeletUnit),
		AgentContainerd: unitEnvironment(h, containerdUnit),
		AgentDefault:    managerEnvironment(h),
	}
	out[AgentNodeadm] = out[AgentDefault]
	if nodeadm {
		out[AgentNodeadm] = unitEnvironment(disk, nodeadmConfigUnit)
		for k, val := range nodeadmOwn {
			out[AgentNodeadm][k] = val
		}
	}
	return out
}

// nodeConfigEnvironment is the Values key of a NodeConfig's
// spec.instance.environment: "UNIT\x00KEY\x00VALUE" each, in the order
// nodeadm merges them (a later one wins).
const nodeConfigEnvironment = nodeConfigOnly + "instance.environment"

// environmentEntries are a NodeConfig's spec.instance.environment as
// nodeConfigEnvironment's values, in a stable order.
func environmentEntries(env map[string]map[string]string) []string {
	var out []string
	for unit, vars := range env {
		for k, val := range vars {
			out = append(out, unit+"\x00"+k+"\x00"+val)
		}
	}
	slices.Sort(out)
	return out
}

// Where nodeadm writes spec.instance.environment (amazon-eks-ami nodeadm
// internal/system/environment.go): the default key as the manager's
// DefaultEnvironment=, every other key, a unit's name without .service, as
// that unit's Environment= drop-in.
const nodeadmDefaultEnvironmentConf = "/etc/systemd/system.conf.d/environment.conf"

func nodeadmUnitEnvironmentConf(unit string) string {
	return "/etc/systemd/system/" + unit + ".service.d/environment.conf"
}

// nodeConfigEnvironmentFiles are the files nodeadm writes for the NodeConfig
// environment entries, in nodeadm's format (a variable a line, sorted, its
// value Go-quoted, % doubled), and the default key's variables, which
// nodeadm also sets in its own environment.
func nodeConfigEnvironmentFiles(entries []string) (map[string]virtualFile, environ) {
	byUnit := map[string]map[string]string{}
	for _, e := range entries {
		parts := strings.SplitN(e, "\x00", 3)
		if len(parts) != 3 {
			continue
		}
		if byUnit[parts[0]] == nil {
			byUnit[parts[0]] = map[string]string{}
		}
		byUnit[parts[0]][parts[1]] = parts[2]
	}
	files := map[string]virtualFile{}
	own := environ{}
	for unit, vars := range byUnit {
		keys := make([]string, 0, len(vars))
		for k := range vars {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		section, directive, file := "Service", "Environment", nodeadmUnitEnvironmentConf(unit)
		if unit == "default" {
			section, directive, file = "Manager", "DefaultEnvironment", nodeadmDefaultEnvironmentConf
		}
		var b strings.Builder
		b.WriteString("[" + section + "]\n")
		for _, k := range keys {
			b.WriteString(directive + `="` + k + "=" + nodeadmEscape(vars[k]) + "\"\n")
		}
		field := "spec.instance.environment." + unit
		files[file] = virtualFile{data: []byte(b.String()), label: field + " (nodeadm writes it to " + file + ")"}
		if unit == "default" {
			for _, k := range keys {
				if slices.Contains(proxyVars, k) {
					own[k] = envVar{vars[k], field}
				}
			}
		}
	}
	return files, own
}

// nodeadmEscape is nodeadm's escapeSystemdValue: the value Go-quoted, %
// doubled against specifiers, the outer quotes trimmed.
func nodeadmEscape(v string) string {
	return strings.Trim(strings.ReplaceAll(strconv.Quote(v), "%", "%%"), `"`)
}

// virtualFile is a file that will exist, standing in for what is on disk.
type virtualFile struct {
	data  []byte
	label string // how outputs name it
}

// withFiles is h with files in their places, over what is on disk.
func (h Host) withFiles(files map[string]virtualFile) Host {
	if len(files) == 0 {
		return h
	}
	disk := h
	h.labels = map[string]string{}
	for p, f := range files {
		h.labels[p] = f.label
	}
	h.ReadFile = func(p string) ([]byte, error) {
		if f, ok := files[p]; ok {
			return f.data, nil
		}
		return disk.ReadFile(p)
	}
	h.Exists = func(p string) bool {
		_, ok := files[p]
		return ok || disk.Exists != nil && disk.Exists(p)
	}
	h.ReadDir = func(dir string) ([]string, error) {
		var names []string
		var err error = fs.ErrNotExist
		if disk.ReadDir != nil {
			names, err = disk.ReadDir(dir)
		}
		for p := range files {
			if path.Dir(p) == dir && !slices.Contains(names, path.Base(p)) {
				names, err = append(names, path.Base(p)), nil
			}
		}
		slices.Sort(names)
		return names, err
	}
	return h
}

// origin is how outputs name file.
func (h Host) origin(file string) string {
	if l, ok := h.labels[file]; ok {
		return l
	}
	return file
}

// Values keys of Bottlerocket's settings that decide its agents' proxy,
// read from its API inside a bootstrap container.
const (
	brSettingsRead  = "bottlerocket:read" // the API answered
	brHTTPSProxy    = "bottlerocket:network.https-proxy"
	brNoProxy       = "bottlerocket:network.no-proxy"
	brAPIServer     = "bottlerocket:kubernetes.api-server"
	brClusterDomain = "bottlerocket:kubernetes.cluster-domain"
)

// values are p as Values, for Gather.
func (p BottlerocketProxy) values() Values {
	v := Values{brSettingsRead: {"true"}}
	for k, val := range map[string]string{brHTTPSProxy: p.HTTPS, brAPIServer: p.APIServer, brClusterDomain: p.ClusterDomain} {
		if val != "" {
			v[k] = []string{val}
		}
	}
	if len(p.NoProxy) > 0 {
		v[brNoProxy] = p.NoProxy
	}
	return v
}

// bottlerocketProxyEnv is what Bottlerocket gives its agents, as its own
// source has it (bottlerocket-core-kit). kubelet, containerd and the host
// containers read /etc/network/proxy.env (packages/release/proxy-env):
// HTTPS_PROXY and https_proxy are settings.network.https-proxy; NO_PROXY and
// no_proxy are settings.network.no-proxy followed by localhost, 127.0.0.1,
// the host of settings.kubernetes.api-server and .CLUSTER-DOMAIN. pluto,
// which makes the node's EC2 calls, takes https-proxy and no-proxy alone
// (sources/api/pluto/src/proxy.rs).
func bottlerocketProxyEnv(v Values) map[Agent]environ {
	proxy := v.Get(brHTTPSProxy)
	if proxy == "" && !v.Has(brNoProxy) {
		return nil
	}
	const setting = "settings.network."
	const proxyEnv = setting + "https-proxy/no-proxy (Bottlerocket's /etc/network/proxy.env)"
	var apiHost string
	if u, err := url.Parse(v.Get(brAPIServer)); err == nil {
		apiHost = u.Hostname()
	}
	noProxy := append(slices.Clone(v[brNoProxy]), proxyEnvBypasses(apiHost, v.Get(brClusterDomain))...)
	env := environ{}
	if proxy != "" {
		env["HTTPS_PROXY"], env["https_proxy"] = envVar{proxy, proxyEnv}, envVar{proxy, proxyEnv}
	}
	list := strings.Join(noProxy, ",")
	env["NO_PROXY"], env["no_proxy"] = envVar{list, proxyEnv}, envVar{list, proxyEnv}
	pluto := environ{}
	if proxy != "" {
		pluto["HTTPS_PROXY"] = envVar{proxy, setting + "https-proxy"}
		if v.Has(brNoProxy) {
			pluto["NO_PROXY"] = envVar{strings.Join(v[brNoProxy], ","), setting + "no-proxy"}
		}
	}
	return map[Agent]environ{AgentKubelet: env, AgentContainerd: env, AgentDefault: env, AgentPluto: pluto}
}

// proxyEnvBypasses are what Bottlerocket's proxy.env adds to the no-proxy
// setting for every agent but pluto: loopback, the API server's host and
// the cluster domain, each when known.
func proxyEnvBypasses(apiHost, clusterDomain string) []string {
	out := []string{"localhost", "127.0.0.1"}
	if apiHost != "" {
		out = append(out, apiHost)
	}
	if clusterDomain != "" {
		out = append(out, "."+clusterDomain)
	}
	return out
}

// The Windows services whose environment is an agent's.
var windowsServices = map[Agent]string{AgentKubelet: "kubelet", AgentContainerd: "containerd"}

// windowsProxyEnv is each agent's environment from the registry: the
// machine-scoped variables, and kubelet's and containerd's services' own.
// Windows' variable names are case-blind, so HTTPS_PROXY and https_proxy
// are one variable there.
func windowsProxyEnv(h Host) map[Agent]environ {
	if h.ServiceEnvironment == nil {
		return nil
	}
	read := func(service string) map[string]string {
		vars, err := h.ServiceEnvironment(service)
		if err != nil {
			return nil
		}
		return vars
	}
	const machineKey = `HKLM\` + machineEnvironmentPath
	machine := environ{}
	for k, val := range read("") {
		if slices.Contains(proxyVars, k) {
			machine[k] = envVar{val, machineKey}
		}
	}
	out := map[Agent]environ{AgentNodeadm: machine, AgentDefault: machine}
	for a, service := range windowsServices {
		env := environ{}
		for k, val := range read(service) {
			from := machineKey
			if machine[k].Value != val {
				from = `HKLM\SYSTEM\CurrentControlSet\Services\` + service + `\Environment`
			}
			if slices.Contains(proxyVars, k) {
				env[k] = envVar{val, from}
			}
		}
		out[a] = env
	}
	return out
}

// machineEnvironmentPath is where Windows keeps the machine-scoped
// variables, under HKEY_LOCAL_MACHINE.
const machineEnvironmentPath = `SYSTEM\CurrentControlSet\Control\Session Manager\Environment`
