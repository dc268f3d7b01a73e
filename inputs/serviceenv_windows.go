package inputs

import (
	"errors"
	"slices"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// The registry keys a Windows service's environment is made of: the
// machine-scoped variables, which the service control manager passes to
// every service, and a service's own REG_MULTI_SZ Environment value, which
// adds to them.
const servicesKey = `SYSTEM\CurrentControlSet\Services\`

// serviceEnvironment reads the proxy variables of service's environment
// from the registry, names upper-cased (Windows compares them so); "" is
// the machine's alone.
func serviceEnvironment(service string) (map[string]string, error) {
	env := map[string]string{}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, machineEnvironmentPath, registry.QUERY_VALUE)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	for _, n := range proxyVars {
		if v, _, err := k.GetStringValue(n); err == nil { // the lookup is case-insensitive
			env[strings.ToUpper(n)] = v
		}
	}
	if service == "" {
		return env, nil
	}
	sk, err := registry.OpenKey(registry.LOCAL_MACHINE, servicesKey+service, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return env, nil
	}
	if err != nil {
		return nil, err
	}
	defer sk.Close()
	lines, _, err := sk.GetStringsValue("Environment")
	if err != nil {
		return env, nil // no Environment value of its own
	}
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, "="); ok && slices.Contains(proxyVars, strings.ToUpper(k)) {
			env[strings.ToUpper(k)] = v
		}
	}
	return env, nil
}
