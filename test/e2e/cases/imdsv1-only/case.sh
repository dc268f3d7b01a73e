# The IMDSv2 token call goes unanswered (a hop limit of 1), IMDSv1 answers.
IMDS_MODE=v1
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16 --resolver 10.0.0.2)
EXPECT_EXIT=1
EXPECT=("fail imds_v1_only -")
