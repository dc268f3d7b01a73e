# Everything as it should be: every endpoint private and open, the CA right.
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok ec2" "pass ok ecr.api" "pass ok ecr.dkr" "pass ok s3" "pass ok sts" "pass ok -")
# No service CIDR given: the DNS IP comes from the API server's certificate.
EXPECT_ARGS=("prod --apiserver-endpoint https://$API_HOST" "--dns-cluster-ip 10.100.0.10")
