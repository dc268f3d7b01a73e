# IMDS hands out the role's credentials past their Expiration (a stale
# IMDS, or a node clock far ahead): their token would get 401, which reads
# as an unmapped role. eksboot says the credentials cannot work, and why.
SIM_CONFIG=(--credentials-expiration 2020-01-02T03:04:05Z)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail credentials_invalid auth" "pass ok imds" "pass ok api")
EXPECT_TEXT=("expired at 2020-01-02T03:04:05Z" "trust policy")
EXPECT_TEXT+=("ec2:DescribeInstances not asked")
