# The ECR registry endpoint's security group drops TCP 443 from the node:
# the container exits non-zero, so the boot stops before kubelet, with
# tcp_timeout naming the endpoint on the console.
after_up() { sg_drop "${ENDPOINT_IP[ecr.dkr]}"; }
EXPECT_EXIT=1
EXPECT=("fail tcp_timeout ecr.dkr" "pass ok ecr.api" "pass ok api")
EXPECT_CONSOLE=('"code":"tcp_timeout"' "\"host\":\"602401143452.dkr.ecr.$REGION.amazonaws.com\"" '"status":"fail"')
EXPECT_NO_PATCH=1
