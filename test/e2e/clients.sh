#!/usr/bin/env bash
# Real clients ask the simulated VPC what eksboot's calls ask, in the
# cases eksboot is judged on: Debian's aws CLI, with the role's
# credentials from AWS's IMDS mock as on a node, and skopeo, which pulls
# as containerd does (the ECR token, the image index, the manifest, every
# blob through the registry's 307 to the presigned layer bucket URL,
# each checked against its digest). Each must get the answer eksboot
# reads there, in AWS's words: the simulation is not a protocol only
# eksboot understands. Needs root.
#
#   test/e2e/clients.sh
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh

[ "$(id -u)" = 0 ] || { log "the real clients run in the simulated VPC: they need root"; exit 1; }
sim_tools
AWS_CLI=/usr/bin/aws # Debian's; another aws on PATH would hide whether this one agrees
for tool in "$AWS_CLI" skopeo; do
	command -v "$tool" >/dev/null || { log "missing $tool: run make tools (it installs awscli and skopeo)"; exit 1; }
done

# The CLI in the node's namespace, whose trust store is the simulation's
# CA (Debian's CLI bundles its own roots unless told the system's).
# AWS_ENV: more of its environment.
AWS_ENV=()
node_aws() {
	ns_n env -i PATH=/usr/bin:/bin HOME="$SIM_DIR" AWS_DEFAULT_REGION="$REGION" AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
		"${AWS_ENV[@]}" "$AWS_CLI" --output text "$@"
}

# The client steps: each prints what the client said.
sts() { node_aws sts get-caller-identity --query Arn; }
ec2() { node_aws ec2 describe-instances --instance-ids i-0123456789abcdef0 --query 'Reservations[].Instances[].PrivateDnsName'; }
token() { node_aws ecr get-login-password; }
# skopeo logs in as the README's push does, the password on stdin, so that
# it is in no process's arguments; the later steps read the auth file.
REGISTRY=602401143452.dkr.ecr.$REGION.amazonaws.com
login() { token | ns_n skopeo login --authfile "$SIM_DIR/auth.json" --username AWS --password-stdin "$REGISTRY"; }
manifest() { login && ns_n skopeo inspect --raw --authfile "$SIM_DIR/auth.json" "docker://$REGISTRY/eks/pause:3.5"; }
# skopeo's plain inspect lists the repository's tags as well (ecr:ListImages).
inspect() { login && ns_n skopeo inspect --authfile "$SIM_DIR/auth.json" "docker://$REGISTRY/eks/pause:3.5"; }
pull() {
	login && ns_n skopeo copy --quiet --override-os linux --override-arch amd64 --src-authfile "$SIM_DIR/auth.json" \
		"docker://$REGISTRY/eks/pause:3.5" "dir:$SIM_DIR/pause" && ns_n skopeo inspect --config "dir:$SIM_DIR/pause"
}
# AWS's answer to a signature made with another secret.
wrong_secret() {
	local imds=http://169.254.169.254/latest creds token
	token=$(ns_n curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' $imds/api/token) &&
		creds=$(ns_n curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/iam/security-credentials/$(ns_n curl -sf -H "X-aws-ec2-metadata-token: $token" $imds/meta-data/iam/security-credentials/)") || return
	field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$creds"; }
	local AWS_ENV=(AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID="$(field AccessKeyId)" AWS_SECRET_ACCESS_KEY=another-secret
		AWS_SESSION_TOKEN="$(field Token)")
	node_aws sts get-caller-identity
}

# case | step | pass or fail | what the client must print
checks=(
	"healthy|sts|pass|arn:aws:sts::111122223333:assumed-role/eksboot-node/i-0123456789abcdef0"
	"healthy|ec2|pass|ip-10-0-1-10.eu-west-1.compute.internal"
	'healthy|pull|pass|"architecture": "amd64"'
	'healthy|inspect|pass|"3.5"'
	"healthy|wrong_secret|fail|(SignatureDoesNotMatch)"
	"ec2-endpoint-policy-denies|ec2|fail|(UnauthorizedOperation) when calling the DescribeInstances operation: You are not authorized to perform this operation. User: arn:aws:sts::111122223333:assumed-role/eksboot-node/i-0123456789abcdef0 is not authorized to perform: ec2:DescribeInstances"
	"ec2-endpoint-policy-denies|ec2|fail|because no VPC endpoint policy allows the ec2:DescribeInstances action"
	"role-without-worker-policy|ec2|fail|because no identity-based policy allows the ec2:DescribeInstances action"
	"sts-endpoint-policy-denies|sts|fail|(AccessDenied) when calling the GetCallerIdentity operation"
	"ecr-endpoint-policy-denies|token|fail|(AccessDeniedException) when calling the GetAuthorizationToken operation"
	"ecr-endpoint-policy-denies|token|fail|with an explicit deny in a VPC endpoint policy"
	"scp-denies-ecr|token|fail|with an explicit deny in a service control policy"
	"aws-refuses-credentials|sts|fail|(ExpiredToken)"
	"ecr-pull-denied|manifest|fail|denied: User: arn:aws:sts::111122223333:assumed-role/eksboot-node/i-0123456789abcdef0 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:eu-west-1:602401143452:repository/eks/pause because no resource-based policy allows"
	's3-gateway-without-layer-bucket|manifest|pass|"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"'
	"s3-gateway-without-layer-bucket|pull|fail|Error fetching blob: invalid status code from registry 403 (Forbidden)"
)

# check_case CASE: every check of CASE, in one simulated VPC of its own.
check_case() {
	local c=$1 rc row step want text out code ok=1
	case_env "cases/$c"
	sim_up
	for row in "${checks[@]}"; do
		IFS='|' read -r rc step want text <<<"$row"
		[ "$rc" = "$c" ] || continue
		code=0
		out=$("$step" 2>&1) || code=$?
		if { [ "$want" = pass ] && [ "$code" != 0 ]; } || { [ "$want" = fail ] && [ "$code" = 0 ]; }; then
			log "$step: exit $code, want $want"; ok=0
		fi
		if [[ $out != *"$text"* ]]; then
			log "$step: the client did not say '$text'"; ok=0
		fi
		[ "$ok" = 1 ] || { log "$step said:"; sed 's/^/    /' <<<"$out" >&2; return 1; }
	done
}

mapfile -t cases < <(printf '%s\n' "${checks[@]}" | cut -d'|' -f1 | uniq)
status=0
each_case clients check_case "${cases[@]}" || status=$?
rm -rf "$SIM_BIN"
exit "$status"
