package inputs

import (
	"context"

	"github.com/eksboot/eksboot/imds"
)

// Gather merges the input sources by precedence: flags, then EKSBOOT_
// environment, then the config file (--config, else the default path, which
// may be absent), and says where each value came from. It returns the IMDS
// client of --imds-endpoint (from a flag or the environment), which read the
// user data if --config asked for it; IMDS facts and derived values come
// later, in Resolve.
func Gather(ctx context.Context, flags Values, getenv func(string) string) (Values, Origins, *imds.Client, error) {
	env := FromEnv(Params, getenv)
	early := Merge(flags, env)
	origins := Origins{}
	for n, o := range originsOf(env, Param.EnvName) {
		origins[n] = o
	}
	for n, o := range originsOf(flags, func(p Param) string { return "--" + p.Name }) {
		origins[n] = o
	}
	endpoint, err := ParseIMDSEndpoint(early.Get(FlagIMDSEndpoint))
	if err != nil {
		return nil, origins, nil, origins.Attribute(err)
	}
	md := imds.New(endpoint)
	path, explicit := early.Get(FlagConfig), early.Has(FlagConfig)
	if !explicit {
		path = DefaultConfigPath()
	}
	file, fileOrigins, err := ConfigSource(ctx, path, explicit, md)
	if err != nil {
		return nil, origins, nil, origins.Attribute(err)
	}
	for n, o := range fileOrigins {
		if !early.Has(n) {
			origins[n] = o
		}
	}
	return Merge(flags, env, file), origins, md, nil
}
