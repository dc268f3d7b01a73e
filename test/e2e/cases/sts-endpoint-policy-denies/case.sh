# The sts endpoint's policy denies GetCallerIdentity: pods' IAM roles
# (IRSA) would fail through it.
AWS_SIM='{"endpoints":{"sts":{"allow":[{"actions":["*"]}],"deny":[{"actions":["sts:GetCallerIdentity"]}]}}}'
EXPECT_EXIT=1
EXPECT=("fail endpoint_policy_denied sts")
EXPECT_TEXT=("com.amazonaws.eu-west-1.sts")
