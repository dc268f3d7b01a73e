package inputs

import (
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// Agent is a program on the node whose proxy settings decide the path its
// requests take (the probes catalog names each endpoint's).
type Agent string

// The agents whose paths eksboot follows.
const (
	AgentKubelet    Agent = "kubelet"    // the API server, and its ECR credential provider (ecr.api)
	AgentContainerd Agent = "containerd" // image pulls: ecr.dkr, then S3
	AgentNodeadm    Agent = "nodeadm"    // DescribeInstances through ec2 (pluto on Bottlerocket)
	AgentDefault    Agent = "default"    // the rest: the node's system-wide setting
)

// AgentProxy is the proxy one agent sees: its environment's HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY as httpproxy reads them, and where they came from.
type AgentProxy struct {
	Env  httpproxy.Config
	From string // "--https-proxy", a drop-in's path, a NodeConfig field, "eksboot's environment"
}

// Proxies are the proxy settings of each agent; an agent not in ByAgent
// goes direct.
type Proxies struct {
	ByAgent map[Agent]AgentProxy
}

// For is the proxy agent a sends a request for https://host:443 to, nil
// when it goes direct: httpproxy's own decision, as kubelet, containerd
// and nodeadm make it.
func (p Proxies) For(a Agent, host string) (*url.URL, error) {
	ap, ok := p.ByAgent[a]
	if !ok {
		return nil, nil
	}
	return ap.Env.ProxyFunc()(&url.URL{Scheme: "https", Host: host})
}
