package inputs

import (
	"context"
	"strings"

	"github.com/eksboot/eksboot/imds"
)

// Gather merges the input sources by precedence: flags, then EKSBOOT_
// environment, then the config file (--config, else the default path, which
// may be absent), and says where each value came from. It returns the IMDS
// client of --imds-endpoint (from a flag or the environment), which read the
// user data if --config asked for it; IMDS facts and derived values come
// later, in Resolve. A file's imds-endpoint is honoured too, unless the
// file is the user data that endpoint read. withConfig false reads no config
// file at all: explain runs on workstations, whose /etc is not a node's.
func Gather(ctx context.Context, flags Values, getenv func(string) string, withConfig bool) (Values, Origins, *imds.Client, error) {
	fromEnv, origins := FromEnv(Params, getenv)
	env := Merge(fromEnv, ownProxyEnv(getenv))
	early := Merge(flags, env)
	for n, o := range originsOf(flags, func(p Param) string { return "--" + p.Name }) {
		origins[n] = o
	}
	endpoint, err := ParseIMDSEndpoint(early.Get(FlagIMDSEndpoint))
	if err != nil {
		return nil, origins, nil, origins.Attribute(err)
	}
	md := imds.New(endpoint)
	if !withConfig {
		return early, origins, md, nil
	}
	path, explicit := early.Get(FlagConfig), early.Has(FlagConfig)
	if explicit && strings.TrimSpace(path) == "" {
		return nil, origins, nil, origins.Attribute(Errorf(FlagConfig, "is empty; name a YAML file, or %s", UserDataSource))
	}
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
	if !early.Has(FlagIMDSEndpoint) && file.Has(FlagIMDSEndpoint) {
		if endpoint, err = ParseIMDSEndpoint(file.Get(FlagIMDSEndpoint)); err != nil {
			return nil, origins, nil, origins.Attribute(err)
		}
		md = imds.New(endpoint)
	}
	api, err := bottlerocketSource(ctx, early, file, origins)
	if err != nil {
		return nil, origins, nil, err
	}
	return Merge(flags, env, api, file), origins, md, nil
}
