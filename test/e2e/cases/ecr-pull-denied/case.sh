# The registry refuses the image: a resource-based (repository) policy,
# which AWS's message names and no node-side policy fixes.
AWS_SIM='{"repository":{"allow":[{"actions":["ecr:DescribeImages"]}]}}'
EXPECT_EXIT=1
EXPECT=("fail image_pull_denied ecr.dkr")
EXPECT_TEXT=("the repository policy")
