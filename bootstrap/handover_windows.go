package bootstrap

import (
	"errors"
	"os"
	"os/exec"
)

// execCommand runs the bootstrap as a child with eksboot's stdio (Windows has
// no exec) and returns its exit code.
func execCommand(path string, argv []string) (int, error) {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode(), nil
	}
	return 0, err
}
