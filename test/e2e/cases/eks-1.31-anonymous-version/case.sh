# A cluster still on Kubernetes 1.31: /version answers anyone. The node's
# checks pass as they did, and the version still feeds the summary.
SIM_CONFIG=(--version v1.31.2-eks-7f9249a --anonymous-version)
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok auth")
EXPECT_SUMMARY=('"server_version":"v1.31.2-eks-7f9249a"' '"user":"system:node:ip-10-0-1-10.eu-west-1.compute.internal"')
