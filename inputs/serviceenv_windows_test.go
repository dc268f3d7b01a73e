package inputs

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// TestServiceEnvironmentFromTheRegistry: a service's own Environment value
// is read over the machine's variables, names upper-cased as Windows
// compares them, and only the proxy's. It makes a service key of its own
// (under Wine, the test's registry) and removes it after.
func TestServiceEnvironmentFromTheRegistry(t *testing.T) {
	service := "eksboot-test-" + strconv.Itoa(os.Getpid())
	k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, servicesKey+service, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		k.Close()
		if err := registry.DeleteKey(registry.LOCAL_MACHINE, servicesKey+service); err != nil {
			t.Error(err)
		}
	}()
	if err := k.SetStringsValue("Environment", []string{"https_proxy=http://proxy.internal:3128", "NO_PROXY=169.254.169.254,.eks.amazonaws.com", "PATH=C:\\x"}); err != nil {
		t.Fatal(err)
	}
	env, err := serviceEnvironment(service)
	if err != nil {
		t.Fatal(err)
	}
	if env["HTTPS_PROXY"] != "http://proxy.internal:3128" || env["NO_PROXY"] != "169.254.169.254,.eks.amazonaws.com" || env["PATH"] != "" || env["https_proxy"] != "" {
		t.Errorf("%v", env)
	}
	machine, err := serviceEnvironment("")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range machine {
		if env[k] == "" && v != "" {
			t.Errorf("the machine's %s=%s is not the service's", k, v)
		}
	}
	if _, err := serviceEnvironment("eksboot-no-such-service"); err != nil {
		t.Errorf("a service not yet created has the machine's variables: %v", err)
	}
}
