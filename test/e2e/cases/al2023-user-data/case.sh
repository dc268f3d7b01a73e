# An AL2023 launch template: the NodeConfig in MIME user data is the only
# place the cluster is stated; eksboot reads it and writes its drop-in.
TARGET=al2023
CLUSTER_FLAGS=0
after_up() {
	local ud="$SIM_DIR/user-data"
	cat >"$ud" <<MIME
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="BOUNDARY"

--BOUNDARY
Content-Type: application/node.eks.aws

apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: prod
    apiServerEndpoint: https://$API_HOST
    certificateAuthority: $(cluster_ca)
    cidr: 10.100.0.0/16

--BOUNDARY--
MIME
	USER_DATA_FILE=$ud
	restart_imds
}
EXTRA_ARGS=(--config imds://user-data)
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok sts")
EXPECT_ARGS=("kind: NodeConfig" "cidr: 10.100.0.0/16" "- 10.100.0.10")
