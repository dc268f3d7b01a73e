package inputs

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/eksboot/eksboot/report"
	"golang.org/x/net/http/httpproxy"
)

// Agent is a program on the node whose proxy settings decide the path its
// requests take (the probes catalog names each endpoint's).
type Agent string

// The agents whose paths eksboot follows.
const (
	AgentKubelet    Agent = "kubelet"    // the API server, and its ECR credential provider (ecr.api)
	AgentContainerd Agent = "containerd" // image pulls: ecr.dkr, then S3
	AgentNodeadm    Agent = "nodeadm"    // DescribeInstances through ec2
	// AgentPluto is Bottlerocket's settings generator, its caller of
	// DescribeInstances, and no Go program: it matches NO_PROXY as pluto
	// does (sources/api/pluto/src/proxy.rs): "*" sends nothing to the
	// proxy, and an entry the host ends with sends that host direct, with
	// none of httpproxy's dot, port or CIDR rules.
	AgentPluto   Agent = "pluto"
	AgentDefault Agent = "default" // the rest: the node's system-wide setting
)

// Agents are every agent, in the order outputs name them.
var Agents = []Agent{AgentKubelet, AgentContainerd, AgentNodeadm, AgentPluto, AgentDefault}

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
	stated  *httpproxy.Config // --https-proxy and --no-proxy as given
}

// For is the proxy agent a sends a request for https://host:443 to, nil
// when it goes direct: httpproxy's own decision, as kubelet, containerd
// and nodeadm make it.
func (p Proxies) For(a Agent, host string) (*url.URL, error) {
	ap, ok := p.ByAgent[a]
	if !ok {
		return nil, nil
	}
	if a == AgentPluto {
		return plutoProxy(ap.Env, host)
	}
	return ap.Env.ProxyFunc()(&url.URL{Scheme: "https", Host: host})
}

// plutoProxy is pluto's decision for an https request to host.
func plutoProxy(c httpproxy.Config, host string) (*url.URL, error) {
	if c.HTTPSProxy == "" {
		return nil, nil
	}
	for _, entry := range strings.Split(c.NoProxy, ",") {
		if entry == "*" || entry != "" && strings.HasSuffix(host, entry) {
			return nil, nil
		}
	}
	proxy := c.HTTPSProxy
	if !strings.Contains(proxy, "://") { // pluto, like Go, takes HOST:PORT as http://
		proxy = "http://" + proxy
	}
	return url.Parse(proxy)
}

// Describe says for outputs what agent a sees and where it came from, the
// proxy's user info left out: `HTTPS_PROXY "http://proxy:3128" NO_PROXY
// ".eks.amazonaws.com" (/etc/systemd/system/kubelet.service.d/proxy.conf)`,
// or "direct (no proxy set)".
func (p Proxies) Describe(a Agent) string {
	ap, ok := p.ByAgent[a]
	if !ok || ap.Env.HTTPSProxy == "" {
		return "direct (no HTTPS proxy set)"
	}
	noProxy := "unset"
	if ap.Env.NoProxy != "" {
		noProxy = fmt.Sprintf("%q", clip(ap.Env.NoProxy))
	}
	return fmt.Sprintf("HTTPS_PROXY %q NO_PROXY %s (%s)", shownProxy(ap.Env.HTTPSProxy), noProxy, ap.From)
}

// Stated is the setting --https-proxy and --no-proxy state for every
// agent, which the renderers write where the platform's agents read it;
// false when the proxies came from anywhere else (the node has them).
func (p Proxies) Stated() (httpproxy.Config, bool) {
	if p.stated == nil {
		return httpproxy.Config{}, false
	}
	return *p.stated, true
}

// The flags' origin, and eksboot's own environment's.
const (
	fromFlags  = "--" + FlagHTTPSProxy
	fromOwnEnv = "eksboot's environment"
)

// proxyVars are the variables httpproxy.FromEnvironment reads (but
// REQUEST_METHOD, which only a CGI program has), each upper case first.
var proxyVars = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"}

// ownEnvKey is the Values key of eksboot's own environment variable name,
// which Gather reads: the last source of a proxy setting.
func ownEnvKey(name string) string { return "env:" + name }

// ownProxyEnv is the proxy variables of eksboot's own environment, as
// Values.
func ownProxyEnv(getenv func(string) string) Values {
	out := Values{}
	for _, n := range proxyVars {
		if val := getenv(n); val != "" {
			out[ownEnvKey(n)] = []string{val}
		}
	}
	return out
}

// envVar is one variable of an agent's environment and the place that set
// it (a file, a NodeConfig field, a setting).
type envVar struct{ Value, From string }

// environ is an agent's environment, its proxy variables only.
type environ map[string]envVar

// get is the first of names set non-empty, as httpproxy's getEnvAny reads
// a process's environment.
func (e environ) get(names ...string) envVar {
	for _, n := range names {
		if v := e[n]; v.Value != "" {
			return v
		}
	}
	return envVar{}
}

func (e environ) https() envVar   { return e.get("HTTPS_PROXY", "https_proxy") }
func (e environ) http() envVar    { return e.get("HTTP_PROXY", "http_proxy") }
func (e environ) noProxy() envVar { return e.get("NO_PROXY", "no_proxy") }

// config is e as httpproxy.FromEnvironment would read it in the agent.
func (e environ) config() httpproxy.Config {
	return httpproxy.Config{HTTPSProxy: e.https().Value, HTTPProxy: e.http().Value, NoProxy: e.noProxy().Value}
}

// from names the places that set what httpproxy reads of e.
func (e environ) from() string {
	var places []string
	for _, v := range []envVar{e.https(), e.http(), e.noProxy()} {
		if v.Value != "" && !slices.Contains(places, v.From) {
			places = append(places, v.From)
		}
	}
	return strings.Join(places, ", ")
}

// set says whether any variable httpproxy reads is set non-empty.
func (e environ) set() bool {
	return e.https().Value != "" || e.http().Value != "" || e.noProxy().Value != ""
}

// ReadNodeProxies fills c.Proxies where the flags did not (Resolve took
// those), by SPEC §3's precedence: the places c's platform keeps each
// agent's settings on h, else eksboot's own environment. It is for the
// commands that probe this node; render, which may run anywhere, takes the
// flags alone. What is read may warn (proxy_inconsistent) or be a proxy its
// agent cannot use (ProxyUnusable): findings, not input errors.
func (c *Config) ReadNodeProxies(v Values, h Host) {
	if c.Proxies.ByAgent != nil || v.Has(FlagHTTPSProxy) || v.Has(FlagNoProxy) {
		return
	}
	envs := platformProxyEnv(v, h, c.Platform())
	if !slices.ContainsFunc(Agents, func(a Agent) bool { return envs[a].set() }) {
		own := environ{}
		for _, n := range proxyVars {
			if val := v.Get(ownEnvKey(n)); val != "" {
				own[n] = envVar{val, fromOwnEnv}
			}
		}
		envs = map[Agent]environ{}
		for _, a := range c.Platform().Agents() {
			envs[a] = own
		}
	}
	c.takeProxyEnvs(envs)
}

// takeProxyEnvs sets c's proxies from each agent's environment, with what
// is wrong with them. An agent whose proxy it cannot use is ProxyUnusable's
// and in no path: every path c.Proxies gives goes to a proxy Go dials.
func (c *Config) takeProxyEnvs(envs map[Agent]environ) {
	for _, a := range Agents {
		e := envs[a]
		if !e.set() {
			continue
		}
		if p := e.https(); p.Value != "" {
			if why := proxyURLProblem(p.Value); why != "" {
				c.ProxyUnusable = append(c.ProxyUnusable, fmt.Sprintf("%s's HTTPS proxy %q (%s) %s, so every HTTPS request %s makes fails", a, shownProxy(p.Value), p.From, why, a))
				continue
			}
		}
		if c.Proxies.ByAgent == nil {
			c.Proxies.ByAgent = map[Agent]AgentProxy{}
		}
		c.Proxies.ByAgent[a] = AgentProxy{Env: e.config(), From: e.from()}
	}
	for _, w := range proxyWarnings(envs) {
		c.Warnings = append(c.Warnings, Warning{Code: report.ProxyInconsistent, Message: w})
	}
}

// StateProxies sets --https-proxy and --no-proxy, when given, for every
// agent, checked as Go's HTTP client will need them.
func (c *Config) StateProxies(v Values) error {
	if !v.Has(FlagHTTPSProxy) && !v.Has(FlagNoProxy) {
		return nil
	}
	proxy := strings.TrimSpace(v.Get(FlagHTTPSProxy))
	switch {
	case proxy == "" && v.Has(FlagHTTPSProxy):
		return Errorf(FlagHTTPSProxy, "is empty; give the proxy as http://HOST:PORT")
	case proxy == "":
		return Errorf(FlagNoProxy, "is given without --%s; it names what bypasses a proxy, so name the proxy too", FlagHTTPSProxy)
	}
	if why := proxyURLProblem(proxy); why != "" {
		return Errorf(FlagHTTPSProxy, "%q %s; give http://HOST:PORT", shownProxy(proxy), why)
	}
	noProxy := v.List(FlagNoProxy)
	for _, e := range noProxy {
		if strings.ContainsFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return Errorf(FlagNoProxy, "%q holds white space; entries are host names, .domains, IPs or CIDRs, separated by commas", clip(e))
		}
	}
	env := httpproxy.Config{HTTPSProxy: proxy, NoProxy: strings.Join(noProxy, ",")}
	// What every agent but pluto reads: on Bottlerocket, proxy.env adds
	// its own bypasses (bottlerocketProxyEnv), the cluster domain its default.
	agents := env
	if c.Platform().SettingsAPI {
		agents.NoProxy = strings.Join(slices.Concat(noProxy, proxyEnvBypasses(c.EndpointHost, "cluster.local")), ",")
	}
	c.Proxies = Proxies{ByAgent: map[Agent]AgentProxy{}, stated: &env}
	for _, a := range c.Platform().Agents() {
		e := agents
		if a == AgentPluto { // pluto takes no-proxy alone
			e = env
		}
		c.Proxies.ByAgent[a] = AgentProxy{Env: e, From: fromFlags}
	}
	return nil
}

// proxyURLProblem says what makes s a proxy Go's HTTP client cannot use
// for an HTTPS request, "" if nothing: s as httpproxy parses it (which
// reads a bare HOST:PORT as http://), a scheme net/http's Transport dials,
// a host, and a port that exists.
func proxyURLProblem(s string) string {
	if strings.Contains(s, "://") { // httpproxy would retry it as http://s, which only a bare HOST:PORT means
		u, err := url.Parse(s)
		switch {
		case err != nil:
			return "is not a URL"
		case u.Host == "":
			return "has no host"
		}
	}
	u, err := (&httpproxy.Config{HTTPSProxy: s}).ProxyFunc()(&url.URL{Scheme: "https", Host: "eksboot.invalid"})
	switch {
	case err != nil || u == nil:
		return "is not a URL"
	case !slices.Contains([]string{"http", "https", "socks5", "socks5h"}, u.Scheme):
		return fmt.Sprintf("has the scheme %q; Go's HTTP client takes http, https, socks5 and socks5h proxies", clip(u.Scheme))
	case u.Hostname() == "":
		return "has no host"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("has the port %s, outside 1-65535", clip(p))
		}
	}
	return ""
}

// shownProxy is a proxy setting as outputs may show it: without the user
// and password it may carry.
func shownProxy(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		scheme := ""
		if j := strings.Index(s, "://"); j >= 0 && j < i && !strings.Contains(s[:j], "@") {
			scheme = s[:j+3]
		}
		s = scheme + s[i+1:]
	}
	return clip(s)
}

// proxyWarnings are what SPEC §4 calls inconsistent in envs: only an HTTP
// proxy (HTTPS requests then go direct), the upper- and lower-case names
// disagreeing, and kubelet and containerd set differently. Each names the
// agents that see it and the places that set it.
func proxyWarnings(envs map[Agent]environ) []string {
	type finding struct {
		msg    string
		agents []string
	}
	var found []finding
	add := func(a Agent, msg string) {
		name := string(a)
		if a == AgentDefault {
			name = otherServices
		}
		if i := slices.IndexFunc(found, func(f finding) bool { return f.msg == msg }); i >= 0 {
			found[i].agents = append(found[i].agents, name)
			return
		}
		found = append(found, finding{msg, []string{name}})
	}
	for _, a := range Agents {
		e := envs[a]
		if h := e.http(); e.https().Value == "" && h.Value != "" {
			name := "HTTP_PROXY"
			if e[name].Value == "" {
				name = "http_proxy"
			}
			add(a, fmt.Sprintf("%s=%q (%s) but no HTTPS_PROXY: HTTPS requests, to AWS and the API server alike, go direct", name, shownProxy(h.Value), h.From))
		}
		for _, pair := range [][2]string{{"HTTPS_PROXY", "https_proxy"}, {"NO_PROXY", "no_proxy"}} {
			up, low := e[pair[0]], e[pair[1]]
			if up.Value != "" && low.Value != "" && up.Value != low.Value {
				add(a, fmt.Sprintf("%s=%q (%s) and %s=%q (%s), which differ: Go programs take %s, other tools (curl) %s", pair[0], shownProxy(up.Value), up.From, pair[1], shownProxy(low.Value), low.From, pair[0], pair[1]))
			}
		}
	}
	var out []string
	for _, f := range found {
		verb := " see "
		if len(f.agents) == 1 && f.agents[0] != otherServices {
			verb = " sees "
		}
		out = append(out, strings.Join(f.agents, ", ")+verb+f.msg)
	}
	k, c := envs[AgentKubelet], envs[AgentContainerd]
	if kc, cc := k.config(), c.config(); kc.HTTPSProxy != cc.HTTPSProxy || kc.HTTPSProxy != "" && kc.NoProxy != cc.NoProxy { // NO_PROXY alone changes no path
		out = append(out, fmt.Sprintf("kubelet and containerd see different proxy settings: kubelet %s, containerd %s; the API server's traffic and image pulls then take different paths", describeEnv(k), describeEnv(c)))
	}
	return out
}

// otherServices names AgentDefault in messages.
const otherServices = "the node's other services"

// describeEnv is what httpproxy reads of e, and from where.
func describeEnv(e environ) string {
	return Proxies{ByAgent: map[Agent]AgentProxy{"": {Env: e.config(), From: e.from()}}}.Describe("")
}
