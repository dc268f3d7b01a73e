# The agents are told of a proxy that is not there: nothing listens on
# its address. Every endpoint that goes through it fails; the API server,
# reached directly, does not.
PROXY=down
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=$PROXY_NO_PROXY")
EXPECT_EXIT=1
EXPECT=("fail proxy_unreachable ec2" "fail proxy_unreachable ecr.dkr" "pass ok api")
EXPECT_SAYS=("proxy_unreachable 10.0.4.10:3128")
