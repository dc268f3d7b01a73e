//go:build !windows

package inputs

// serviceEnvironment is Windows' alone.
var serviceEnvironment func(string) (map[string]string, error)
