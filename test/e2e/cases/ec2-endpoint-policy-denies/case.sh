# The ec2 interface endpoint's policy allows only what the VPC CNI's
# authors thought of, not DescribeInstances: nodeadm would wait ten
# minutes for the node's name and the node never registers.
AWS_SIM='{"endpoints":{"ec2":{"allow":[{"actions":["ec2:DescribeSubnets","ec2:DescribeNetworkInterfaces"]}]}}}'
EXPECT_EXIT=1
EXPECT=("fail endpoint_policy_denied ec2")
EXPECT_TEXT=("com.amazonaws.eu-west-1.ec2" "no VPC endpoint policy allows the ec2:DescribeInstances action")
