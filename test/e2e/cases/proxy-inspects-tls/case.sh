# The proxy inspects TLS (squid's ssl-bump) with a CA of its own that the
# node does not trust: every AWS endpoint through it shows the proxy's
# certificate, and eksboot names the proxy.
PROXY=inspect-tls
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=$PROXY_NO_PROXY")
EXPECT_EXIT=1
EXPECT=("fail proxy_intercepts_tls ec2" "fail proxy_intercepts_tls ecr.dkr" "pass ok api")
EXPECT_SAYS=("proxy_intercepts_tls 10.0.4.10:3128" "proxy_intercepts_tls Corporate TLS Inspection CA (squid)")
