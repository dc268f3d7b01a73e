# The organization's SCP denies ECR in this account: no managed policy
# on the role can help.
AWS_SIM='{"scp":{"allow":[{"actions":["*"]}],"deny":[{"actions":["ecr:*"]}]}}'
EXPECT_EXIT=1
EXPECT=("fail scp_denied ecr.api")
EXPECT_TEXT=("the pull is not tried: ecr-auth got no registry token" "a service control policy of the organization")
