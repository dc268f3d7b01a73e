# The STS endpoint's security group does not allow TCP 443 from the node.
after_up() { sg_drop "${ENDPOINT_IP[sts]}"; }
EXPECT_EXIT=1
EXPECT=("fail tcp_timeout sts" "pass ok ec2")
EXPECT_ARGS=("--dns-cluster-ip 10.100.0.10")
