# Something at the ECR API endpoint's address resets TCP 443.
after_up() { sg_reset "${ENDPOINT_IP[ecr.api]}"; }
EXPECT_EXIT=1
EXPECT=("fail tcp_refused ecr.api")
