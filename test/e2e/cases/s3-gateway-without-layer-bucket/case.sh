# The classic: the S3 gateway endpoint's policy lists only the customer's
# buckets, so the manifest pulls and every layer download is refused.
AWS_SIM='{"endpoints":{"s3":{"allow":[{"actions":["s3:*"],"resources":["arn:aws:s3:::customer-artifacts","arn:aws:s3:::customer-artifacts/*"]}]}}}'
EXPECT_EXIT=1
EXPECT=("pass ok ecr.dkr" "fail layer_bucket_denied s3")
EXPECT_TEXT=("arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*")
