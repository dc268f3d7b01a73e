# IMDS is off (HttpEndpoint disabled); the flags are complete, so the
# arguments are still written, and the region comes from the endpoint host.
IMDS_MODE=none
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16 --resolver 10.0.0.2)
EXPECT_EXIT=1
EXPECT=("fail imds_unreachable -" "pass ok sts")
EXPECT_ARGS=("--dns-cluster-ip 10.100.0.10")
