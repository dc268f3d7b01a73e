# kubelet and containerd are configured differently: containerd's NO_PROXY
# also names the registries, as if the VPC had an ecr.dkr endpoint, which
# it does not. kubelet's calls go through the proxy and pass; containerd's
# pulls go direct to a public address the node cannot reach.
PROXY=healthy
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=$PROXY_NO_PROXY")
PROXY_ENV_CONTAINERD=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=$PROXY_NO_PROXY,.dkr.ecr.eu-west-1.amazonaws.com")
# Only the node's own files can say this (a NodeConfig's containerd key,
# containerd's drop-in).
PROXY_VIA=(nodeconfig dropins)
EXPECT_EXIT=1
EXPECT=("warn proxy_inconsistent -" "fail tcp_timeout ecr.dkr" "pass ok ecr.api" "pass ok api")
EXPECT_SAYS=("proxy_inconsistent containerd")
EXPECT_PROXY_LOG=("CONNECT api.ecr.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL" "!dkr.ecr")
