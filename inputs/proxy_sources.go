package inputs

// platformProxyEnv is each agent's proxy environment where t keeps it.
func platformProxyEnv(v Values, h Host, t Target) map[Agent]environ {
	return nil
}
