# The ecr.api endpoint's policy denies GetAuthorizationToken: kubelet's
# credential provider gets no token and no image pulls.
AWS_SIM='{"endpoints":{"ecr.api":{"allow":[{"actions":["*"]}],"deny":[{"actions":["ecr:GetAuthorizationToken"]}]}}}'
EXPECT_EXIT=1
EXPECT=("fail endpoint_policy_denied ecr.api")
EXPECT_TEXT=("the pull is not tried: ecr-auth got no registry token" "com.amazonaws.eu-west-1.ecr.api" "explicit deny in a VPC endpoint policy")
