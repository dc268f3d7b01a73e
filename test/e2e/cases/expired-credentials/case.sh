# AWS no longer accepts the role's credentials: every call is refused as
# ExpiredToken and its kin, which is credentials_invalid, not a policy.
AWS_SIM='{"expired":true}'
EXPECT_EXIT=1
EXPECT=("fail credentials_invalid ec2" "fail credentials_invalid ecr.api" "fail credentials_invalid sts")
EXPECT_TEXT=("AWS refuses the role's credentials from IMDS")
