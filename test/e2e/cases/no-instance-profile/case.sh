# The instance was launched without an instance profile: IMDS has no role,
# so the kubelet has nothing to sign in with.
SIM_CONFIG=(--no-role)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail iam_no_role auth" "pass ok imds")
EXPECT_TEXT=("attach an instance profile")
