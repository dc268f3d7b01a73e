# The proxy's ACL denies CONNECT to the registries (*.dkr.ecr.*): squid
# answers 403, and containerd could pull nothing.
PROXY=healthy
PROXY_DENY='\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$'
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=$PROXY_NO_PROXY")
EXPECT_EXIT=1
EXPECT=("fail proxy_refused ecr.dkr" "pass ok api" "pass ok ecr.api" "pass ok ec2")
EXPECT_SAYS=("proxy_refused 403" "proxy_refused 602401143452.dkr.ecr.eu-west-1.amazonaws.com")
EXPECT_PROXY_LOG=("CONNECT 602401143452.dkr.ecr.eu-west-1.amazonaws.com:443 403 TCP_DENIED")
