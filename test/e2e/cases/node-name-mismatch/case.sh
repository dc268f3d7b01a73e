# aws-auth maps the role with a username that is not the node's private DNS
# name: the node authorizer would refuse the kubelet's node object.
SIM_CONFIG=(--access aws-auth --access-username 'system:node:{{SessionName}}')
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail auth_node_name auth")
EXPECT_TEXT=("system:node:{{EC2PrivateDNSName}} exactly")
