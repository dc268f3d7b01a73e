# Only HTTP_PROXY is set: Go's agents send HTTPS requests direct, so the
# public names the node cannot reach fail as they would without a proxy,
# and eksboot says why. NO_PROXY lacks 169.254.169.254 here, so a client
# that took HTTP_PROXY for IMDS (http://) would send it to squid: eksboot
# must not (the harness reads squid's log).
PROXY=healthy
PROXY_ENV=("HTTP_PROXY=$PROXY_URL" "NO_PROXY=localhost,127.0.0.1,10.0.0.0/16,.eks.amazonaws.com")
# --https-proxy cannot say this; eksboot's own environment can.
PROXY_VIA=(env nodeconfig dropins)
EXPECT_EXIT=1
EXPECT=("warn proxy_inconsistent -" "fail dns_public ec2" "fail tcp_timeout ec2" "pass ok api")
EXPECT_SAYS=("proxy_inconsistent HTTPS_PROXY")
EXPECT_PROXY_LOG=("!CONNECT")
