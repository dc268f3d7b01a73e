# The node role has the minimal worker policy, which grants only
# eks-auth:AssumeRoleForPodIdentity, and the VPC CNI's policy is on its
# service account (IRSA), as EKS recommends: nothing on the role grants
# DescribeInstances (AmazonEKS_CNI_Policy would), so IAM refuses it.
AWS_SIM='{"managed":["AmazonEKSWorkerNodeMinimalPolicy","AmazonEC2ContainerRegistryPullOnly"]}'
EXPECT_EXIT=1
EXPECT=("fail iam_denied ec2")
EXPECT_TEXT=("attach the AWS managed policy AmazonEKSWorkerNodePolicy" "arn:aws:iam::111122223333:role/eksboot-node" "no identity-based policy allows the ec2:DescribeInstances action")
