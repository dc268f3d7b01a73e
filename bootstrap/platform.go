package bootstrap

import "github.com/eksboot/eksboot/inputs"

// format is how a platform's arguments are rendered and handed over: the
// half of its row that needs this package (inputs.Platforms holds the
// rest, which the inputs need before anything is rendered).
type format struct {
	render   func(*inputs.Config) ([]byte, error)
	handover func(*inputs.Config) (string, []string, error) // nil: the platform bootstraps itself
}

var formats = map[inputs.Target]format{
	inputs.TargetAL2:          {render: func(c *inputs.Config) ([]byte, error) { return []byte(ShellJoin(AL2Args(c)) + "\n"), nil }, handover: handoverAL2},
	inputs.TargetAL2023:       {render: renderNodeConfig, handover: handoverNodeadm},
	inputs.TargetWindows:      {render: func(c *inputs.Config) ([]byte, error) { return []byte(renderWindows(c) + "\n"), nil }, handover: handoverWindows},
	inputs.TargetBottlerocket: {render: renderBottlerocketAll},
}
