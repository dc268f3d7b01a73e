package inputs

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// AL2BootstrapScript is the EKS AL2 AMI's bootstrap script.
const AL2BootstrapScript = "/etc/eks/bootstrap.sh"

// Host is what target detection looks at, so tests can stand in for a node.
// It is also where the agents' proxy settings are read: systemd's units and
// drop-ins, and on Windows the registry.
type Host struct {
	GOOS     string
	LookPath func(string) (string, error)
	Exists   func(string) bool
	ReadFile func(string) ([]byte, error)
	// ReadDir lists a directory's entry names, sorted.
	ReadDir func(string) ([]string, error)
	// ServiceEnvironment is the environment Windows gives a service
	// (machine-scoped variables, then the service's own), names upper-cased
	// as Windows compares them; "" is the machine's alone. Nil elsewhere.
	ServiceEnvironment func(service string) (map[string]string, error)

	labels map[string]string // a file's name in outputs, for files standing in for what will be written
}

// ThisHost is the machine eksboot runs on.
func ThisHost() Host {
	return Host{
		GOOS:     runtime.GOOS,
		LookPath: exec.LookPath,
		Exists:   func(p string) bool { _, err := os.Stat(p); return err == nil },
		ReadFile: func(p string) ([]byte, error) { return readBoundedFile(p, 64<<10) },
		ReadDir: func(p string) ([]string, error) {
			entries, err := os.ReadDir(p)
			names := make([]string, len(entries))
			for i, e := range entries {
				names[i] = e.Name()
			}
			return names, err
		},
		ServiceEnvironment: serviceEnvironment,
	}
}

// NodeadmDropInDir is where nodeadm reads drop-in NodeConfigs, on AL2023
// AMIs from v20251023 (amazon-eks-ami #2427).
const NodeadmDropInDir = "/etc/eks/nodeadm.d/"

// nodeadmRunUnits are where the AMI installs nodeadm-run.service.
var nodeadmRunUnits = []string{"/etc/systemd/system/nodeadm-run.service", "/usr/lib/systemd/system/nodeadm-run.service"}

// NodeadmIgnoresDropIns says whether this node's nodeadm-run.service reads
// only user data: its ExecStart names no nodeadm.d config source, as on
// AL2023 AMIs before v20251023. False when there is no such unit to read.
func NodeadmIgnoresDropIns(h Host) (unit string, ignores bool) {
	if h.ReadFile == nil {
		return "", false
	}
	for _, u := range nodeadmRunUnits {
		data, err := h.ReadFile(u)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "ExecStart=") && strings.Contains(line, "nodeadm.d") {
				return u, false
			}
		}
		return u, true
	}
	return "", false
}

func lookPathOK(h Host, name string) bool {
	_, err := h.LookPath(name)
	return err == nil
}

// StdoutPath as an args file means standard output.
const StdoutPath = "-"

func programData() string {
	if dir := os.Getenv("ProgramData"); dir != "" {
		return dir
	}
	return `C:\ProgramData`
}

// DefaultConfigPath is read when --config is not given; absent is fine.
func DefaultConfigPath() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(programData(), "eksboot", "config.yaml")
	}
	return "/etc/eksboot/config.yaml"
}
