// Package netns runs a test binary in network and mount namespaces of its
// own, so probes that dial or query never leave the machine: inside there is
// only loopback (any other address is unreachable), an nftables rule that
// drops TCP 443 to one loopback address, as a security group would, and an
// /etc/resolv.conf that names NodeResolver.
package netns

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const marker = "EKSBOOT_TEST_NETNS"

// BlackholeAddr drops TCP 443 inside the namespace: a connect times out.
const BlackholeAddr = "127.0.9.9"

// NodeResolver is the nameserver of /etc/resolv.conf inside the namespace:
// AmazonProvidedDNS of a VPC whose CIDR is 127.0.0.0/8.
const NodeResolver = "127.0.0.2"

// Outside says whether this process is the one RunIsolated will re-run
// inside the namespace: TestMain does here what needs the machine's
// network (building with modules from the proxy) before it calls
// RunIsolated.
func Outside() bool { return os.Getenv(marker) == "" }

// RunIsolated is for TestMain: it re-runs the test binary under
// `unshare --net` (root only) and exits with its code; inside, it sets up
// the namespace and runs the tests.
func RunIsolated(m *testing.M) {
	// Fuzzing (the coordinator and each worker it starts) runs only fuzz
	// targets, which touch no network: no namespace to set up per worker.
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.fuzz") {
			os.Exit(m.Run())
		}
	}
	if Outside() {
		if os.Geteuid() != 0 {
			fmt.Fprintln(os.Stderr, "these tests need root: they run in a network namespace of their own so no probe leaves the machine")
			os.Exit(1)
		}
		cmd := exec.Command("unshare", append([]string{"--net", "--mount", "--", os.Args[0]}, os.Args[1:]...)...)
		cmd.Env = append(os.Environ(), marker+"=1")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			if exit, ok := err.(*exec.ExitError); ok {
				os.Exit(exit.ExitCode())
			}
			fmt.Fprintln(os.Stderr, "unshare:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	resolvConf, err := os.CreateTemp("", "resolv.conf")
	if err == nil {
		_, err = fmt.Fprintf(resolvConf, "nameserver %s\n", NodeResolver)
		resolvConf.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, args := range [][]string{
		{"mount", "--bind", resolvConf.Name(), "/etc/resolv.conf"},
		{"ip", "link", "set", "lo", "up"},
		{"nft", "add", "table", "inet", "eksboot_test"},
		{"nft", "add", "chain", "inet", "eksboot_test", "input", "{ type filter hook input priority 0; }"},
		{"nft", "add", "rule", "inet", "eksboot_test", "input", "ip", "daddr", BlackholeAddr, "tcp", "dport", "443", "drop"},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "%v: %v: %s\n", args, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.Remove(resolvConf.Name())
	os.Exit(code)
}
