# The STS endpoint comes up three seconds after boot; --wait rides it out.
SERVE[sts]=late:${ENDPOINT_IP[sts]}:3s
EXTRA_ARGS=(--wait 30s --service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=0
EXPECT=("pass ok sts")
