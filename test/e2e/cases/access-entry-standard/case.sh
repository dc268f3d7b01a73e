# The role has an access entry of type STANDARD: it authenticates, but as
# its session ARN with no system:nodes, so the kubelet cannot register.
SIM_CONFIG=(--access STANDARD)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail auth_groups auth")
EXPECT_TEXT=("type STANDARD")
