# An AL2023 launch template: the NodeConfig in MIME user data is the only
# place the cluster is stated; eksboot reads it and writes its drop-in.
TARGET=al2023
CLUSTER_FLAGS=0
after_up() { serve_nodeconfig </dev/null; }
EXTRA_ARGS=(--config imds://user-data)
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok sts")
EXPECT_ARGS=("kind: NodeConfig" "cidr: 10.100.0.0/16" "- 10.100.0.10")
