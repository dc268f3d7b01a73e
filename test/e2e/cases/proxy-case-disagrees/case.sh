# HTTPS_PROXY and https_proxy name different proxies. Go reads the upper
# case first, so the agents use the working one and the node joins; the
# lower-case one, dead, is a trap for the next program: a warning.
PROXY=healthy
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "https_proxy=http://10.0.4.99:3128" "NO_PROXY=$PROXY_NO_PROXY")
PROXY_VIA=(env nodeconfig dropins)
EXPECT_EXIT=0
EXPECT=("warn proxy_inconsistent -" "pass ok ec2" "pass ok ecr.dkr" "pass ok api")
EXPECT_SAYS=("proxy_inconsistent https_proxy")
EXPECT_PROXY_LOG=("CONNECT ec2.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL")
