# The node's role has no access entry and no aws-auth mapping: the kubelet
# would log Unauthorized forever. eksboot names the role and the fix.
SIM_CONFIG=(--access none)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail auth_unmapped auth" "pass ok api")
EXPECT_TEXT=("does not map the role arn:aws:iam::111122223333:role/eksboot-node" "type EC2_LINUX")
