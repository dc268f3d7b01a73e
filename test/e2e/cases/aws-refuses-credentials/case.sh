# AWS no longer accepts the role's credentials: every call is refused as
# ExpiredToken and its kin, which is credentials_invalid, not a policy;
# the API server's 401 to the token they signed is that too, not an
# unmapped role.
AWS_SIM='{"expired":true}'
EXPECT_EXIT=1
EXPECT=("fail credentials_invalid ec2" "fail credentials_invalid ecr.api" "fail credentials_invalid sts" "fail credentials_invalid auth")
EXPECT_TEXT=("AWS refuses the role's credentials from IMDS")
