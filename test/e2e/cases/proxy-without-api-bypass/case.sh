# NO_PROXY holds the VPC's CIDR but not the API server's name: a CIDR
# covers only IP literals (kubernetes #130029), so kubelet sends the API
# server's traffic to the proxy, which the cluster's security group does
# not admit. eksboot names the entry to add.
PROXY=healthy
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=localhost,127.0.0.1,169.254.169.254,10.0.0.0/16,.svc,.cluster.local")
EXPECT_EXIT=1
EXPECT=("fail proxy_carries_api api" "pass ok ec2" "pass ok ecr.dkr")
EXPECT_SAYS=("proxy_carries_api eks.amazonaws.com")
