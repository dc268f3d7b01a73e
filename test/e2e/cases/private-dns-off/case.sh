# The ecr.dkr endpoint exists but its private DNS name is off: the name
# still resolves publicly, and the public address is not open.
DNS[${ENDPOINT_HOST[ecr.dkr]}]=$PUBLIC_IP
after_up() { sg_drop "$PUBLIC_IP"; }
EXPECT_EXIT=1
EXPECT=("fail dns_public ecr.dkr" "fail tcp_timeout ecr.dkr")
