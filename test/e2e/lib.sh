#!/usr/bin/env bash
# The simulated private VPC, built from real parts: two network namespaces
# joined by a veth pair (the node, and the VPC with everything in it),
# Debian's dnsmasq as AmazonProvidedDNS at the VPC CIDR base + 2, AWS's
# amazon-ec2-metadata-mock as IMDS on 169.254.169.254:80, the endpoints as
# TLS listeners (vpcsim) on private addresses with certificates from a test
# CA, and nftables rules in the VPC namespace standing in for security
# groups. A case that sets PROXY also gets an "internet" namespace behind
# the VPC and Debian's squid in the VPC (proxy.sh). Sourced by run.sh, demo.sh,
# bench.sh and fleet.sh.
#
# A case sets the variables below before sim_up, and may add rules after.

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$E2E_DIR/../.." && pwd)

# Unique names, so two runs on one machine do not collide.
SIM_ID=${SIM_ID:-eb$$$RANDOM}
SIM_ID=${SIM_ID:0:10}
NODE_NS=${SIM_ID}n
VPC_NS=${SIM_ID}v
INTERNET_NS=${SIM_ID}i

REGION=eu-west-1
API_HOST=0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
NODE_IP=10.0.1.10
VPC_DNS=10.0.0.2
CUSTOM_DNS=10.0.0.53
SERVICE_IP=10.100.0.1

# The VPC's endpoints: name -> private address.
declare -A ENDPOINT_IP=(
	[api]=10.0.3.5 [ec2]=10.0.3.10 [ecr.api]=10.0.3.11 [ecr.dkr]=10.0.3.12 [sts]=10.0.3.13 [s3]=203.0.113.10
)
declare -A ENDPOINT_HOST=(
	[api]=$API_HOST
	[ec2]=ec2.$REGION.amazonaws.com
	[ecr.api]=api.ecr.$REGION.amazonaws.com
	[ecr.dkr]=602401143452.dkr.ecr.$REGION.amazonaws.com
	[sts]=sts.$REGION.amazonaws.com
	[s3]=s3.$REGION.amazonaws.com
)
# "Public" addresses: answered for names without a private endpoint. They
# live in the VPC namespace too, so no packet leaves the machine.
PUBLIC_IP=198.51.100.20

# What AmazonProvidedDNS answers (host -> address); a case may change it.
declare -A DNS=()
# What a custom DNS server (CUSTOM_DNS) answers, when NODE_RESOLVER names it.
declare -A CUSTOM_DNS_RECORDS=()
NODE_RESOLVER=$VPC_DNS
# The search list of the node's resolv.conf, when a case gives one.
NODE_SEARCH=""
# vpcsim serve specs; a case may replace one.
declare -A SERVE=()
IMDS_MODE=v2           # v2, v1 (token PUTs go unanswered), count (v2, requests logged) or none
USER_DATA_FILE=""      # the instance's user data
RESOLVER_UP=1
# Flags for `vpcsim config`: how the cluster maps the node's role, its
# version, its clock (see test/e2e/vpcsim/config.go).
SIM_CONFIG=()
# The AWS account's policies, as aws.json (test/e2e/vpcsim/aws.go); "" is
# the node role of EKS's guide with every endpoint allowing all.
AWS_SIM=""

sim_defaults() {
	local name
	for name in "${!ENDPOINT_IP[@]}"; do
		DNS[${ENDPOINT_HOST[$name]}]=${ENDPOINT_IP[$name]}
		if [ "$name" = api ]; then
			SERVE[$name]=api:${ENDPOINT_IP[$name]}:$SERVICE_IP
		else
			SERVE[$name]=aws:${ENDPOINT_IP[$name]}
		fi
	done
	# ECR's presigned layer URLs name the bucket's own host, routed
	# through the S3 gateway endpoint like s3's.
	DNS[prod-$REGION-starport-layer-bucket.s3.$REGION.amazonaws.com]=${ENDPOINT_IP[s3]}
}

log() { printf '%s\n' "$*" >&2; }

# shellcheck source=test/e2e/proxy.sh
source "$E2E_DIR/proxy.sh"

ns_v() { ip netns exec "$VPC_NS" "$@"; }
ns_n() { ip netns exec "$NODE_NS" "$@"; }

# Tools: the eksboot binary, vpcsim, the IMDS mock, dnsmasq, nft.
sim_tools() {
	SIM_BIN=${SIM_BIN:-$(mktemp -d /tmp/eksboot-e2e-bin.XXXXXX)}
	export PATH="$(go env GOPATH)/bin:$PATH"
	if [ ! -x "$SIM_BIN/eksboot" ]; then
		(cd "$REPO_DIR" && CGO_ENABLED=0 go build -trimpath -o "$SIM_BIN/eksboot" ./cmd/eksboot)
		(cd "$REPO_DIR/test/e2e/vpcsim" && go build -o "$SIM_BIN/vpcsim" .)
	fi
	for tool in ip nft dnsmasq ec2-metadata-mock squid; do
		command -v "$tool" >/dev/null || { log "missing $tool: run make tools"; return 1; }
	done
}

PIDS=()

sim_up() {
	SIM_DIR=$(mktemp -d /tmp/eksboot-e2e.XXXXXX)
	trap sim_down EXIT
	ip netns add "$NODE_NS"
	ip netns add "$VPC_NS"
	[ -n "${PROXY:-}" ] && internet_up
	ip link add "${SIM_ID}a" type veth peer name "${SIM_ID}b"
	ip link set "${SIM_ID}a" netns "$NODE_NS"
	ip link set "${SIM_ID}b" netns "$VPC_NS"
	ns_n ip link set lo up
	ns_n ip link set "${SIM_ID}a" name eth0
	ns_n ip addr add "$NODE_IP/24" dev eth0
	ns_n ip link set eth0 up
	ns_n ip route add default via 10.0.1.1
	ns_v ip link set lo up
	ns_v ip link set "${SIM_ID}b" name eth0
	ns_v ip addr add 10.0.1.1/24 dev eth0
	ns_v ip link set eth0 up
	local a
	for a in "$VPC_DNS" "$CUSTOM_DNS" "${ENDPOINT_IP[@]}" "$PUBLIC_IP" 169.254.169.254; do
		ns_v ip addr add "$a/32" dev lo
	done
	# The security groups: a table the cases add rules to.
	ns_v nft add table inet sg
	ns_v nft add chain inet sg input '{ type filter hook input priority 0; policy accept; }'

	mkdir -p "/etc/netns/$NODE_NS"
	{ echo "nameserver $NODE_RESOLVER"; [ -z "$NODE_SEARCH" ] || echo "search $NODE_SEARCH"; } >"/etc/netns/$NODE_NS/resolv.conf"

	ns_v "$SIM_BIN/vpcsim" ca "$SIM_DIR"
	# The node trusts the simulation's CA for AWS's endpoints through its
	# system store, as a real node trusts AWS's: ip netns exec mounts
	# /etc/netns/NS/ssl over /etc/ssl, whose ca-certificates.crt Go (on
	# Linux) and Wine's crypt32 (for eksboot.exe) read.
	mkdir -p "/etc/netns/$NODE_NS/ssl/certs"
	cp "$SIM_DIR/ca.pem" "/etc/netns/$NODE_NS/ssl/certs/ca-certificates.crt"
	sim_config
	start_vpcsim

	if [ "$RESOLVER_UP" = 1 ]; then
		start_dns "$VPC_DNS" DNS
	fi
	if [ "${#CUSTOM_DNS_RECORDS[@]}" -gt 0 ]; then
		start_dns "$CUSTOM_DNS" CUSTOM_DNS_RECORDS
	fi
	if [ -n "${PROXY:-}" ]; then
		start_internet
		start_squid
	fi
	start_imds # the last: restart_imds replaces it
	wait_for_tcp "${ENDPOINT_IP[api]}" 443
}

start_vpcsim() {
	local specs=("${SERVE[@]}")
	ip netns exec "$VPC_NS" "$SIM_BIN/vpcsim" serve "$SIM_DIR" "${specs[@]}" >>"$SIM_DIR/vpcsim.log" 2>&1 &
	VPCSIM_PID=$!
	PIDS+=($!)
}

# remap CONFIG_FLAG...: the cluster's control plane changes (say, the node
# role's access entry is deleted): vpcsim restarts with the new cluster.
remap() {
	SIM_CONFIG=("$@")
	sim_config
	kill "$VPCSIM_PID"; wait "$VPCSIM_PID" 2>/dev/null || true
	start_vpcsim
	wait_for_tcp "${ENDPOINT_IP[api]}" 443
}

# start_dns ADDR ARRAY: dnsmasq on ADDR answering ARRAY's records, and
# NXDOMAIN for every other name, as AmazonProvidedDNS would.
start_dns() {
	local addr=$1
	local -n records=$2
	local args=(--no-resolv --no-hosts --no-daemon --bind-interfaces --listen-address="$addr" --user=root
		--log-facility="$SIM_DIR/dnsmasq-$addr.log" --address=/#/)
	local host
	for host in "${!records[@]}"; do
		args+=(--host-record="$host,${records[$host]}")
	done
	ip netns exec "$VPC_NS" dnsmasq "${args[@]}" >/dev/null 2>&1 &
	PIDS+=($!)
	wait_for_udp_dns "$addr"
}

# sim_config writes the IMDS mock's configuration and the cluster's
# (imds.json, eks.json) from one description of the node.
sim_config() {
	local ud=()
	[ -n "$USER_DATA_FILE" ] && ud=(--user-data "$USER_DATA_FILE")
	"$SIM_BIN/vpcsim" config "$SIM_DIR" --node-ip "$NODE_IP" "${ud[@]}" "${SIM_CONFIG[@]}"
	if [ -n "$AWS_SIM" ]; then printf '%s\n' "$AWS_SIM" >"$SIM_DIR/aws.json"; fi
}

# imds_mock LOG NS CONFIG ADDR PORT [FLAG...]: starts AWS's IMDS mock in
# namespace NS, its handlers one at a time (why: test/imdsmock's Env), and
# adds its PID to PIDS.
imds_mock() {
	ip netns exec "$2" env HOME="$SIM_DIR" GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 ec2-metadata-mock -c "$3" -n "$4" -p "$5" "${@:6}" >"$1" 2>&1 &
	PIDS+=($!)
}

start_imds() {
	[ "$IMDS_MODE" = none ] && return 0
	if [ "$IMDS_MODE" = v1 ] || [ "$IMDS_MODE" = count ]; then
		local v2=()
		[ "$IMDS_MODE" = count ] && v2=(--imdsv2)
		imds_mock "$SIM_DIR/imds.log" "$VPC_NS" "$SIM_DIR/imds.json" 127.0.0.1 1338 "${v2[@]}"
		ip netns exec "$VPC_NS" "$SIM_BIN/vpcsim" serve "$SIM_DIR" "imds-$IMDS_MODE:169.254.169.254:http://127.0.0.1:1338" >"$SIM_DIR/imds-requests.log" 2>&1 &
		PIDS+=($!)
	else
		imds_mock "$SIM_DIR/imds.log" "$VPC_NS" "$SIM_DIR/imds.json" 169.254.169.254 80 --imdsv2
	fi
	wait_for_tcp 169.254.169.254 80
}

# serve_nodeconfig: IMDS serves user data as an AL2023 launch template
# holds it, MIME with a NodeConfig that states the cluster; stdin is more
# of its spec (indented under spec:).
serve_nodeconfig() {
	local ud="$SIM_DIR/user-data"
	{
		cat <<MIME
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
    certificateAuthority: $(cluster_ca "$CA_NAME")
    cidr: 10.100.0.0/16
MIME
		cat
		printf '\n--BOUNDARY--\n'
	} >"$ud"
	USER_DATA_FILE=$ud
	restart_imds
}

# restart_imds serves new user data: the IMDS mock (the last process
# started) is replaced by one with the new configuration.
restart_imds() {
	sim_config
	kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
	start_imds
}

wait_for_tcp() {
	local i
	for i in $(seq 100); do
		ns_v bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
		sleep 0.05
	done
	log "nothing listens on $1:$2"; return 1
}

wait_for_udp_dns() {
	local i
	for i in $(seq 100); do
		ns_v bash -c "ss -lun | grep -q '$1:53 '" && return 0
		sleep 0.05
	done
	log "dnsmasq did not start on $1"; return 1
}

# Security group stand-ins, in the words of the console.
sg_drop() { ns_v nft add rule inet sg input ip daddr "$1" tcp dport 443 drop; }
sg_reset() { ns_v nft add rule inet sg input ip daddr "$1" tcp dport 443 reject with tcp reset; }
sg_drop_dns() { ns_v nft add rule inet sg input ip daddr "$1" udp dport 53 drop; ns_v nft add rule inet sg input ip daddr "$1" tcp dport 53 drop; }

# kill_ns NS: stop every process running in NS.
kill_ns() {
	local pids
	pids=$(ip netns pids "$1" 2>/dev/null || true)
	[ -n "$pids" ] || return 0
	kill $pids 2>/dev/null || true
	local i
	for i in $(seq 50); do
		pids=$(ip netns pids "$1" 2>/dev/null || true)
		[ -z "$pids" ] && return 0
		sleep 0.05
	done
	kill -9 $pids 2>/dev/null || true
}

sim_down() {
	# squid takes seconds over a graceful stop; its log is already written.
	[ -s "${SQUID_DIR:-/nonexistent}/squid.pid" ] && kill -KILL "$(cat "$SQUID_DIR/squid.pid")" 2>/dev/null
	kill_ns "$VPC_NS"
	kill_ns "$NODE_NS"
	kill_ns "$INTERNET_NS"
	local pid
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	PIDS=()
	ip netns del "$NODE_NS" 2>/dev/null || true
	ip netns del "$VPC_NS" 2>/dev/null || true
	ip netns del "$INTERNET_NS" 2>/dev/null || true
	rm -rf "/etc/netns/$NODE_NS"
	[ -n "${SIM_DIR:-}" ] && [ -z "${KEEP_SIM_DIR:-}" ] && rm -rf "$SIM_DIR"
	return 0
}

# The cluster CA as describe-cluster gives it, or another cluster's.
cluster_ca() { base64 -w0 "$SIM_DIR/${1:-ca}.pem"; }

# eksboot in the node namespace, as user data runs it: without the
# machine's proxy settings, with NODE_ENV's, and with NODE_SYSTEMD (a
# directory) as /etc/systemd in a mount namespace of the run's own.
NODE_ENV=() NODE_SYSTEMD=""
node_eksboot() {
	local cmd=(ip netns exec "$NODE_NS" env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy -u NO_PROXY -u no_proxy
		"${NODE_ENV[@]}" "$SIM_BIN/eksboot" "$@")
	if [ -n "$NODE_SYSTEMD" ]; then
		# shellcheck disable=SC2016 # expanded by that sh
		unshare -m --propagation private sh -c 'mount --bind "$0" /etc/systemd && exec "$@"' "$NODE_SYSTEMD" "${cmd[@]}"
	else
		"${cmd[@]}"
	fi
}

# each_case LABEL FN CASE...: FN CASE for each case, each in a subshell
# of its own whose stderr is shown only when it fails; then the tally. True
# when every one passed.
each_case() {
	local label=$1 fn=$2 c start passed=0 failed=0
	shift 2
	for c in "$@"; do
		start=$(date +%s%N)
		if ( "$fn" "$c" ) 2>"/tmp/eksboot-$label-$c.log"; then
			passed=$((passed + 1)); echo "ok    $c ($((($(date +%s%N) - start) / 1000000)) ms)"
		else
			failed=$((failed + 1)); echo "FAIL  $c"; sed 's/^/      /' "/tmp/eksboot-$label-$c.log"
		fi
		rm -f "/tmp/eksboot-$label-$c.log"
	done
	echo "$label: $passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
}

# case_env DIR: the variables of case DIR (its case.sh over the healthy
# VPC's), in a simulation of its own names; sim_up then builds it.
case_env() {
	SIM_ID=eb$RANDOM$RANDOM
	SIM_ID=${SIM_ID:0:10}
	NODE_NS=${SIM_ID}n VPC_NS=${SIM_ID}v INTERNET_NS=${SIM_ID}i
	sim_defaults
	proxy_defaults
	COMMAND=run TARGET=al2 CA_NAME=ca EXPECT_EXIT=0 CLUSTER_FLAGS=1
	EXPECT_WITHIN_MS=""
	EXTRA_ARGS=() EXPECT=() EXPECT_SAYS=() EXPECT_ARGS=() EXPECT_TEXT=() EXPECT_SUMMARY=() SIM_CONFIG=()
	after_up() { :; }
	# shellcheck source=/dev/null
	source "$1/case.sh"
	[ -n "$PROXY" ] && proxy_vpc
	return 0
}

# run_case DIR [windows]: one case in a VPC of its own. The case file sets
# what differs from the healthy VPC, the eksboot arguments, and what to
# expect. For windows (eksboot.exe, test/windows), the node is a Windows
# node: --target windows with the cluster's service CIDR, its role mapped
# by an EC2_WINDOWS access entry, and the arguments file a PowerShell line.
# A proxy case (PROXY set, proxy.sh) runs eksboot once per PROXY_VIA, in
# the one VPC, with the same expectations.
run_case() {
	local dir=$1 platform=${2:-linux}
	case_env "$dir"
	if [ "$platform" = windows ]; then
		TARGET=windows
		EXTRA_ARGS+=(--service-ipv4-cidr 10.100.0.0/16)
		SIM_CONFIG+=(--access EC2_WINDOWS)
		EXPECT_ARGS=("-EKSClusterName 'prod'" "-ServiceCIDR '10.100.0.0/16'" "-DNSClusterIP '10.100.0.10'")
		local i
		for i in "${!EXPECT_SUMMARY[@]}"; do
			[[ ${EXPECT_SUMMARY[$i]} == '"groups":'* ]] && EXPECT_SUMMARY[$i]='"groups":["system:nodes","eks:kube-proxy-windows","system:authenticated"]'
		done
	fi
	sim_up
	[ -n "$PROXY" ] && [[ " ${PROXY_VIA[*]} " == *" nodeconfig "* ]] && proxy_user_data
	after_up || { log "the case's after_up failed"; return 1; }
	[ -n "$PROXY" ] || { check_run ""; return; }
	local via failed=()
	for via in "${PROXY_VIA[@]}"; do
		check_run "$via" || failed+=("$via")
	done
	[ ${#failed[@]} = 0 ] || { log "failed with the proxy given by: ${failed[*]}"; return 1; }
}

# check_run VIA: eksboot once, with the proxy given by VIA (proxy.sh), and
# every check of its outputs.
check_run() {
	local via=$1 sfx=${1:+-$1}
	local out="$SIM_DIR/out$sfx.jsonl" stderr="$SIM_DIR/stderr$sfx" console="$SIM_DIR/console$sfx.txt"
	local argsfile="$SIM_DIR/args$sfx" explain="$SIM_DIR/explain$sfx.txt" code=0
	: >"$console" # the serial console device of the simulation
	local args=("$COMMAND" --target "$TARGET" --timeout 1s --output json --console "$console") cluster=$CLUSTER_FLAGS
	NODE_ENV=() NODE_SYSTEMD=""
	# A proxy run sees the systemd configuration the case gives it, not
	# the machine's.
	if [ -n "$via" ]; then
		NODE_SYSTEMD=$SIM_DIR/systemd$sfx
		mkdir -p "$NODE_SYSTEMD"
	fi
	case $via in
	"") ;;
	flags)
		local https no
		https=$(proxy_env HTTPS_PROXY) no=$(proxy_env NO_PROXY)
		args+=(--https-proxy "${https:-$(proxy_env https_proxy)}" --no-proxy "${no:-$(proxy_env no_proxy)}") ;;
	env) NODE_ENV=("${PROXY_ENV[@]}") ;;
	nodeconfig)
		args[2]=al2023 cluster=0
		args+=(--config imds://user-data) ;;
	dropins) proxy_dropins "$NODE_SYSTEMD" ;;
	*) log "unknown PROXY_VIA $via"; return 1 ;;
	esac
	[ "$cluster" = 1 ] && args+=(--cluster-name prod --apiserver-endpoint "https://$API_HOST" --b64-cluster-ca "$(cluster_ca "$CA_NAME")")
	[ "$COMMAND" = run ] && args+=(--args-file "$argsfile")
	local logged=0
	[ -n "${SQUID_DIR:-}" ] && [ -e "$SQUID_DIR/access.log" ] && logged=$(wc -l <"$SQUID_DIR/access.log")
	node_eksboot "${args[@]}" "${EXTRA_ARGS[@]}" >"$out" 2>"$stderr" || code=$?
	local ok=1
	if [ "$code" != "$EXPECT_EXIT" ]; then
		log "exit $code, want $EXPECT_EXIT"; ok=0
	fi
	# Expectations are read off the parsed JSON lines, not their text.
	if [ $((${#EXPECT[@]} + ${#EXPECT_SAYS[@]})) -gt 0 ] && ! python3 "$E2E_DIR/expect.py" "$out" "${EXPECT[@]}" -- "${EXPECT_SAYS[@]}" >&2; then
		ok=0
	fi
	for e in "${EXPECT_TEXT[@]}"; do
		grep -qF -- "$e" "$out" || { log "the output lacks '$e'"; ok=0; }
	done
	for e in "${EXPECT_SUMMARY[@]}"; do
		tail -n 1 "$out" | grep -qF -- "$e" || { log "the summary lacks '$e'"; ok=0; }
	done
	if [ -n "$EXPECT_WITHIN_MS" ]; then
		local ms
		ms=$(tail -n 1 "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("ms", "none"))' 2>/dev/null || echo none)
		[[ $ms =~ ^[0-9]+$ ]] && [ "$ms" -le "$EXPECT_WITHIN_MS" ] || { log "the run took $ms ms, want at most $EXPECT_WITHIN_MS"; ok=0; }
	fi
	if [ "$COMMAND" = run ] && [ "$code" != 2 ]; then
		[ -s "$argsfile" ] || { log "no arguments file written"; ok=0; }
		for e in "${EXPECT_ARGS[@]}"; do
			grep -qF -- "$e" "$argsfile" || { log "arguments lack '$e': $(cut -c1-300 "$argsfile")"; ok=0; }
		done
	fi
	if [ "$code" = 2 ] && [ -e "$argsfile" ]; then
		log "invalid input, yet the arguments were written"; ok=0
	fi
	# The console tells the operator the same verdict, through explain.
	if [ "$code" != 2 ]; then
		local ex=0
		"$SIM_BIN/eksboot" explain "$console" >"$explain" || ex=$?
		[ "$ex" = "$code" ] || { log "explain of the console says exit $ex, the run $code"; ok=0; }
	fi
	# No output carries the role's credentials or a token; nor does what
	# the proxy saw.
	local outputs=("$out" "$stderr" "$console")
	[ -e "$explain" ] && outputs+=("$explain")
	[ -e "$argsfile" ] && outputs+=("$argsfile")
	if [ -n "${SQUID_DIR:-}" ] && [ -e "$SQUID_DIR/access.log" ]; then
		proxy_log_settle
		outputs+=("$SQUID_DIR/access.log" "$SQUID_DIR/cache.log")
		tail -n +$((logged + 1)) "$SQUID_DIR/access.log" >"$SIM_DIR/access$sfx.log"
		# IMDS is never reached through a proxy.
		if grep -F 169.254.169.254 "$SIM_DIR/access$sfx.log" >&2; then log "IMDS went to the proxy"; ok=0; fi
		for e in "${EXPECT_PROXY_LOG[@]}"; do
			if [ "${e:0:1}" = "!" ]; then
				! grep -qF -- "${e:1}" "$SIM_DIR/access$sfx.log" || { log "squid's access.log holds '${e:1}'"; ok=0; }
			else
				grep -qF -- "$e" "$SIM_DIR/access$sfx.log" || { log "squid's access.log lacks '$e'"; ok=0; }
			fi
		done
	fi
	if grep -lF -f "$SIM_DIR/secrets.txt" "${outputs[@]}" >&2; then
		log "those outputs carry a credential or a token"; ok=0
	fi
	if [ "$ok" != 1 ]; then
		log "--- eksboot output${via:+ (proxy by $via)}:"; cat "$out" >&2; cat "$stderr" >&2
		[ -e "$SIM_DIR/access$sfx.log" ] && { log "--- squid's access.log:"; cat "$SIM_DIR/access$sfx.log" >&2; }
		return 1
	fi
}
