# The node's clock is 20 minutes behind the control plane's: STS refuses
# the token as expired, which reads as 401. eksboot says the clock first.
SIM_CONFIG=(--clock-offset 20m)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail clock_skew clock" "fail auth_unmapped auth")
EXPECT_TEXT=("first set the node's clock right" "20m0s behind")
