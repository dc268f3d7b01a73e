//go:build unix

package ssm

import (
	"os/exec"
	"strings"
	"testing"
)

func TestNothingReachesTheShellUnquoted(t *testing.T) {
	d, _ := Parse()
	for _, bad := range []string{"x'; reboot; '", "$(id)", "`id`", "a b", "x\ny", `"`, "$env:X", "a;b", "a|b", "a&b", "ssm'"} {
		for _, name := range []string{"ConfigSource", "Require", "Optional", "Timeout"} {
			if _, err := d.Commands("probeLinux", map[string]string{name: bad}); err == nil {
				t.Errorf("%s accepts %q", name, bad)
			}
		}
	}
	good := map[string]string{"ConfigSource": "/etc/eksboot/config.yaml", "Require": "ssm,ssmmessages,auth", "Optional": "eks-auth", "Timeout": "1500ms"}
	cmds, err := d.Commands("probeLinux", good)
	if err != nil || !strings.Contains(cmds, "require='ssm,ssmmessages,auth'") {
		t.Fatalf("%v\n%s", err, cmds)
	}
	if _, err := d.Commands("probeWindows", map[string]string{"ConfigSource": `C:\ProgramData\eksboot\config.yaml`}); err != nil {
		t.Fatal(err)
	}
	// The Linux step is a bash script bash reads without complaint.
	if out, err := exec.Command("bash", "-n", "-c", cmds).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v %s", err, out)
	}
}
