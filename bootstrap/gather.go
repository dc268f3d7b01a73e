package bootstrap

import "context"

// Gather merges the input sources by precedence: flags, then EKSBOOT_
// environment, then the config file (--config, else the default path, which
// may be absent). IMDS facts and derived values come later, in Resolve.
func Gather(ctx context.Context, flags Values, getenv func(string) string, md *IMDS) (Values, error) {
	env := FromEnv(Params, getenv)
	early := Merge(flags, env)
	path, explicit := early.Get(FlagConfig), early.Has(FlagConfig)
	if !explicit {
		path = DefaultConfigPath()
	}
	file, err := ConfigSource(ctx, path, explicit, md)
	if err != nil {
		return nil, err
	}
	return Merge(flags, env, file), nil
}
