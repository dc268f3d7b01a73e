package bootstrap

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/eksboot/eksboot/inputs"
)

// NodeadmPath is where the AL2023 AMIs install nodeadm.
const NodeadmPath = "/usr/bin/nodeadm"

// HandoverCommand is the platform bootstrap that run --exec hands over to,
// as a path and its full argv: AL2 bootstrap.sh with the rendered
// arguments; AL2023 nodeadm init reading what nodeadm-run.service reads
// (the user data, then the drop-in directory eksboot wrote into, or the
// drop-in file elsewhere), since naming any --config-source replaces
// nodeadm's default imds://user-data;
// Windows Start-EKSBootstrap.ps1 with each parameter its own argv entry.
func HandoverCommand(c *inputs.Config) (string, []string, error) {
	switch c.Target {
	case inputs.TargetAL2:
		return inputs.AL2BootstrapScript, append([]string{inputs.AL2BootstrapScript}, AL2Args(c)...), nil
	case inputs.TargetAL2023:
		if c.ArgsFile == inputs.StdoutPath {
			return "", nil, inputs.Errorf(inputs.FlagExec, "nodeadm reads the NodeConfig from a file; pass --%s", inputs.FlagArgsFile)
		}
		abs, err := filepath.Abs(c.ArgsFile)
		if err != nil {
			return "", nil, inputs.Errorf(inputs.FlagArgsFile, "%v", err)
		}
		dropIn := filepath.ToSlash(abs)
		if filepath.ToSlash(filepath.Dir(abs))+"/" == inputs.NodeadmDropInDir {
			dropIn = inputs.NodeadmDropInDir // the other drop-ins there count too, after user data
		}
		return NodeadmPath, []string{NodeadmPath, "init", "--config-source", inputs.UserDataSource, "--config-source", "file://" + dropIn}, nil
	case inputs.TargetWindows:
		script := filepath.Join(programFiles(), "Amazon", "EKS", "Start-EKSBootstrap.ps1")
		argv := []string{"powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", script}
		return "powershell.exe", append(argv, WindowsArgv(c)...), nil
	}
	return "", nil, inputs.Errorf(inputs.FlagExec, "%s bootstraps itself from its user data settings; there is nothing to hand over to", c.Target)
}

func programFiles() string {
	if dir := os.Getenv("ProgramFiles"); dir != "" {
		return dir
	}
	return `C:\Program Files`
}

// Handover replaces eksboot with the platform bootstrap (on Windows, runs it
// and returns its exit code). It returns only on failure, or on Windows.
func Handover(c *inputs.Config) (int, error) {
	path, argv, err := HandoverCommand(c)
	if err != nil {
		return 0, err
	}
	code, err := execCommand(path, argv)
	if err != nil {
		return code, fmt.Errorf("handing over to %s: %w", path, err)
	}
	return code, nil
}
