package bootstrap

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf16"

	"github.com/eksboot/eksboot/inputs"
)

// NodeadmPath is where the AL2023 AMIs install nodeadm.
const NodeadmPath = "/usr/bin/nodeadm"

// HandoverCommand is the platform bootstrap that run --exec hands over to,
// as a path and its full argv: AL2 bootstrap.sh with the rendered
// arguments; AL2023 nodeadm init reading what nodeadm-run.service reads
// (the user data, then the drop-in directory eksboot wrote into, or the
// drop-in file elsewhere), since naming any --config-source replaces
// nodeadm's default imds://user-data; Windows Start-EKSBootstrap.ps1 run
// by a PowerShell command (see WindowsHandoverScript).
func HandoverCommand(c *inputs.Config) (string, []string, error) {
	if f := formats[c.Target]; f.handover != nil {
		return f.handover(c)
	}
	return "", nil, inputs.Errorf(inputs.FlagExec, "%s bootstraps itself from its user data settings; there is nothing to hand over to", c.Target)
}

func handoverAL2(c *inputs.Config) (string, []string, error) {
	return inputs.AL2BootstrapScript, append([]string{inputs.AL2BootstrapScript}, AL2Args(c)...), nil
}

func handoverNodeadm(c *inputs.Config) (string, []string, error) {
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
}

func handoverWindows(c *inputs.Config) (string, []string, error) {
	script := WindowsHandoverScript(filepath.Join(programFiles(), "Amazon", "EKS", "Start-EKSBootstrap.ps1"), c)
	return "powershell.exe", []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", EncodePowerShell(script)}, nil
}

// WindowsHandoverScript is the PowerShell command that runs the script at
// path with c's parameters, the line render writes. powershell.exe -File
// binds every value as a string, so -ExcludedSnatCIDRs a,b would reach the
// script as one string (about_PowerShell_exe); a command is parsed as
// PowerShell, where 'a','b' is an array. The script's exit code is
// powershell.exe's, as it was with -File.
func WindowsHandoverScript(path string, c *inputs.Config) string {
	return "& " + PowerShellQuote(path) + " " + renderWindows(c) + "\nexit $LASTEXITCODE\n"
}

// EncodePowerShell is script as powershell.exe -EncodedCommand takes it:
// base64 of UTF-16LE. Encoded, the command needs no Windows command-line
// quoting, under which powershell.exe would drop or split at the " and \
// of a value.
func EncodePowerShell(script string) string {
	units := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return base64.StdEncoding.EncodeToString(b)
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
