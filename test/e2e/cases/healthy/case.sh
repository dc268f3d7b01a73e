# Everything as it should be on an EKS 1.32+ cluster: every endpoint private
# and open, the CA right, the node's role mapped by an EC2_LINUX access entry.
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok ec2" "pass ok ecr.api" "pass ok ecr.dkr" "pass ok s3" "pass ok sts" "pass ok auth" "pass ok clock" "pass ok -")
# The agents' four calls answer: nodeadm's DescribeInstances, the ECR
# credential provider's token, containerd's pull with its S3 hop, STS.
EXPECT_TEXT=("DescribeInstances answered for i-" "GetAuthorizationToken answered" "first bytes came from prod-eu-west-1-starport-layer-bucket" "GetCallerIdentity answered arn:aws:sts::")
EXPECT_SUMMARY=('"server_version":"v1.33.5-eks-3025e55"' '"user":"system:node:ip-10-0-1-10.eu-west-1.compute.internal"' '"groups":["system:nodes","system:authenticated"]')
# No service CIDR given: the DNS IP comes from the API server's certificate.
EXPECT_ARGS=("prod --apiserver-endpoint https://$API_HOST" "--dns-cluster-ip 10.100.0.10")
