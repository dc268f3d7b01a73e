#!/usr/bin/env bash
# The main job, on the simulated private VPC: eksboot runs in the node
# namespace exactly as user data would, then one endpoint is broken and
# eksboot says what and how to fix it. Needs root; make demo installs the
# tools first.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
[ "$(id -u)" = 0 ] || { log "the demo needs root (network namespaces)"; exit 1; }
sim_tools
sim_defaults
sim_up
console=$SIM_DIR/console.txt args=/tmp/eksboot-demo-bootstrap.args
: >"$console"
run_node() {
	ns_n "$SIM_BIN/eksboot" run --target al2 --cluster-name prod --apiserver-endpoint "https://$API_HOST" \
		--b64-cluster-ca "$(cluster_ca)" --timeout 1s --console "$console" --args-file "$args" --output text "$@"
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "A private VPC: node $NODE_IP, AmazonProvidedDNS $VPC_DNS, endpoints for api ec2 ecr.api ecr.dkr s3 sts, IMDS at 169.254.169.254"
step "1. eksboot run, as the node's user data runs it (no service CIDR given)"
echo "\$ eksboot run --target al2 --cluster-name prod --apiserver-endpoint https://$API_HOST --b64-cluster-ca ... --args-file $args"
run_node || true
step "What the serial console shows (aws ec2 get-console-output)"
cut -c1-220 "$console"
step "The arguments written for /etc/eks/bootstrap.sh"
sed -E "s/(--b64-cluster-ca [A-Za-z0-9+/=]{24})[A-Za-z0-9+/=]*/\1.../" "$args"

step "2. Break it: the STS endpoint's security group stops allowing TCP 443 from the node"
sg_drop "${ENDPOINT_IP[sts]}"
: >"$console"
code=0
run_node || code=$?
echo "(exit code $code)"
step "3. On a workstation: eksboot explain reads the failed node's console output back"
"$SIM_BIN/eksboot" explain "$console" || true

step "4. Mend the security group; instead the cluster loses the node role's access entry"
ns_v nft flush chain inet sg input
remap --access none
code=0
run_node || code=$?
echo "(exit code $code)"

step "5. Map the role again; instead the S3 gateway endpoint's policy lists only the customer's bucket"
AWS_SIM='{"endpoints":{"s3":{"allow":[{"actions":["s3:*"],"resources":["arn:aws:s3:::customer-artifacts/*"]}]}}}'
remap
code=0
run_node || code=$?
echo "(exit code $code)"
rm -f "$args"
step "Tearing the VPC down"
