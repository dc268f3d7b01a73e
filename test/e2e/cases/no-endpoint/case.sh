# No interface endpoint for EC2: AmazonProvidedDNS gives the public answer.
DNS[${ENDPOINT_HOST[ec2]}]=$PUBLIC_IP
EXPECT_EXIT=1
EXPECT=("fail dns_public ec2")
