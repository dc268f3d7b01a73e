# A Windows node whose role has an EC2_LINUX access entry: it joins, but
# without eks:kube-proxy-windows pod networking and DNS break. A warning:
# EKS does not document which groups an EC2_WINDOWS entry shows.
TARGET=windows
SIM_CONFIG=(--access EC2_LINUX)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=0
EXPECT=("warn auth_windows_group auth")
EXPECT_TEXT=("type EC2_WINDOWS")
