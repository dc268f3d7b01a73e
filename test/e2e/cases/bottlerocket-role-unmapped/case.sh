# The node's role has no access entry and no aws-auth mapping: kubelet would
# log Unauthorized forever; the container stops the boot and names the role.
SIM_CONFIG=(--access none)
EXPECT_EXIT=1
EXPECT=("fail auth_unmapped auth" "pass ok api")
EXPECT_CONSOLE=('"code":"auth_unmapped"' 'arn:aws:iam::111122223333:role/eksboot-node')
EXPECT_NO_PATCH=1
