# aws-auth names the role ARN with its path, which the authenticator never
# matches (it sees only STS's assumed-role ARN, which has no path).
SIM_CONFIG=(--access aws-auth --access-role-arn arn:aws:iam::111122223333:role/nodes/eksboot-node)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail auth_unmapped auth")
EXPECT_TEXT=("rolearn arn:aws:iam::111122223333:role/eksboot-node (the role ARN without its path")
