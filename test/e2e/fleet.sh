#!/usr/bin/env bash
# A simulated fleet: 24 node namespaces in four subnets of three AZs (AZ b
# has two subnets, so a subnet's fault and an AZ's can be told apart), each
# with its own IMDS (AWS's mock on its own 169.254.169.254: instance, subnet,
# AZ, security groups), one VPC namespace with AmazonProvidedDNS, the
# endpoints, the API server and nftables security groups. Five faults at
# once: STS's security group lacks subnet b1's CIDR; the ECR API endpoint
# has no interface in AZ b (its addresses drop from there); EC2's private
# DNS is off (VPC-wide); the ECR registry drops three nodes at random; the
# HTTPS proxy (squid, proxy.sh), which carries S3 alone (every other name
# is in NO_PROXY), does not admit subnet c1.
# Every node runs the SSM document's Linux step at once (its stdout is what
# Run Command saves to S3), then a probe writing a console; eksboot explain
# over each set must name each fault's dimension and invent none for the
# random one. Needs root.
#
#   test/e2e/fleet.sh            the check (make e2e)
#   FLEET_TIMES=FILE fleet.sh    also write the wall times (make bench)
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
[ "$(id -u)" = 0 ] || { log "the fleet case needs root (network namespaces)"; exit 1; }
sim_tools

NODES=24
# subnet id, gateway/prefix, AZ, AZ id
SUBNETS=("subnet-0a1 10.0.16 eu-west-1a euw1-az1" "subnet-0b1 10.0.32 eu-west-1b euw1-az2"
	"subnet-0b2 10.0.33 eu-west-1b euw1-az2" "subnet-0c1 10.0.48 eu-west-1c euw1-az3")
RANDOM_NODES=(0 7 10) # subnets a1, c1, b2: three AZs, each with nodes spared

node_ip() { local s=(${SUBNETS[$(($1 % 4))]}); echo "${s[1]}.$((10 + $1 / 4))"; }
ns_i() { ip netns exec "${SIM_ID}n$1" "${@:2}"; }

fleet_down() {
	local i
	for i in $(seq 0 $((NODES - 1))); do
		kill_ns "${SIM_ID}n$i"
		ip netns del "${SIM_ID}n$i" 2>/dev/null || true
		rm -rf "/etc/netns/${SIM_ID}n$i"
	done
	sim_down
}

sim_defaults
DNS[${ENDPOINT_HOST[ec2]}]=$PUBLIC_IP # private DNS off for EC2: VPC-wide
SIM_DIR=$(mktemp -d /tmp/eksboot-fleet.XXXXXX)
trap fleet_down EXIT
ip netns add "$VPC_NS"
ns_v ip link set lo up
for a in "$VPC_DNS" "${ENDPOINT_IP[@]}" "$PUBLIC_IP" "$PROXY_IP"; do ns_v ip addr add "$a/32" dev lo; done
for k in 0 1 2 3; do
	s=(${SUBNETS[$k]})
	ns_v ip link add "br$k" type bridge
	ns_v ip addr add "${s[1]}.1/24" dev "br$k"
	ns_v ip link set "br$k" up
done
ns_v sysctl -qw net.ipv4.ip_forward=1
ns_v nft add table inet sg
ns_v nft add chain inet sg input '{ type filter hook input priority 0; policy accept; }'

ns_v "$SIM_BIN/vpcsim" ca "$SIM_DIR"
specs=()
for i in $(seq 0 $((NODES - 1))); do
	s=(${SUBNETS[$((i % 4))]})
	specs+=("$(node_ip "$i")/${s[0]}/${s[1]}.0/24/${s[2]}/${s[3]}")
done
"$SIM_BIN/vpcsim" fleet-config "$SIM_DIR" "${specs[@]}"
start_vpcsim
start_dns "$VPC_DNS" DNS
PROXY=healthy start_squid
cat >"$SIM_DIR/config.yaml" <<YAML
cluster-name: prod
apiserver-endpoint: https://$API_HOST
b64-cluster-ca: $(cluster_ca)
service-ipv4-cidr: 10.100.0.0/16
https-proxy: $PROXY_URL
no-proxy: 169.254.169.254,.eks.amazonaws.com,${ENDPOINT_HOST[ec2]},${ENDPOINT_HOST[ecr.api]},.dkr.ecr.$REGION.amazonaws.com,${ENDPOINT_HOST[sts]}
YAML

for i in $(seq 0 $((NODES - 1))); do
	ns=${SIM_ID}n$i ip=$(node_ip "$i") k=$((i % 4))
	ip netns add "$ns"
	ip link add "${SIM_ID}a$i" type veth peer name "${SIM_ID}b$i"
	ip link set "${SIM_ID}a$i" netns "$ns"
	ip link set "${SIM_ID}b$i" netns "$VPC_NS"
	ns_v ip link set "${SIM_ID}b$i" master "br$k" up
	ns_i "$i" ip link set lo up
	ns_i "$i" ip link set "${SIM_ID}a$i" name eth0
	ns_i "$i" ip addr add "$ip/24" dev eth0
	ns_i "$i" ip link set eth0 up
	ns_i "$i" ip route add default via "${ip%.*}.1"
	ns_i "$i" ip addr add 169.254.169.254/32 dev lo
	mkdir -p "/etc/netns/$ns"
	echo "nameserver $VPC_DNS" >"/etc/netns/$ns/resolv.conf"
	mkdir -p "/etc/netns/$ns/ssl/certs" # the simulation's CA as the system's, as in sim_up
	cp "$SIM_DIR/ca.pem" "/etc/netns/$ns/ssl/certs/ca-certificates.crt"
	imds_mock /dev/null "${SIM_ID}n$i" "$SIM_DIR/imds-$ip.json" 169.254.169.254 80 --imdsv2
done
wait_for_tcp "${ENDPOINT_IP[api]}" 443
for i in $(seq 0 $((NODES - 1))); do
	for t in $(seq 100); do ns_i "$i" bash -c "exec 3<>/dev/tcp/169.254.169.254/80" 2>/dev/null && break; sleep 0.05; done
done

# The faults, as security groups and routes would make them.
ns_v nft add rule inet sg input ip saddr 10.0.32.0/24 ip daddr "${ENDPOINT_IP[sts]}" tcp dport 443 drop
ns_v nft add rule inet sg input ip saddr 10.0.32.0/23 ip daddr "${ENDPOINT_IP[ecr.api]}" tcp dport 443 drop
ns_v nft add rule inet sg input ip daddr "$PUBLIC_IP" tcp dport 443 drop
randoms=$(for i in "${RANDOM_NODES[@]}"; do node_ip "$i"; done | paste -sd, -)
ns_v nft add rule inet sg input ip saddr "{ $randoms }" ip daddr "${ENDPOINT_IP[ecr.dkr]}" tcp dport 443 drop
ns_v nft add rule inet sg input ip saddr 10.0.48.0/24 ip daddr "$PROXY_IP" tcp dport "$PROXY_PORT" drop

# Every node at once, as Run Command sends the document to a node group.
# 2s: 48 processes on two cores; a node whose IMDS is slower than its
# share still counts (the report judges by the nodes that say where they are).
step=$("$SIM_BIN/vpcsim" ssm-step probeLinux "ConfigSource=$SIM_DIR/config.yaml" Timeout=2s)
mkdir -p "$SIM_DIR/ssm" "$SIM_DIR/console"
start=$(date +%s%N)
for i in $(seq 0 $((NODES - 1))); do
	out=$SIM_DIR/ssm/command-id/i-0f1ee7$(printf %011d "$i")/awsrunShellScript/0.awsrunShellScript # as Run Command writes to S3
	mkdir -p "$out"
	ns_i "$i" env PATH="$SIM_BIN:$PATH" bash -c "$step" >"$out/stdout" 2>"$out/stderr" &
done
wait_nodes() { local p; for p in $(jobs -p); do case " ${PIDS[*]} " in *" $p "*) ;; *) wait "$p" || true ;; esac; done; }
wait_nodes
ssm_ms=$((($(date +%s%N) - start) / 1000000))
for i in $(seq 0 $((NODES - 1))); do
	ns_i "$i" "$SIM_BIN/eksboot" probe --config "$SIM_DIR/config.yaml" --timeout 2s --output json \
		--console "$SIM_DIR/console/node-$i.txt" >/dev/null 2>&1 &
done
wait_nodes

ok=1
check() { # DIR: explain names each fault's dimension, and none for the random one
	local out=$SIM_DIR/explain-$(basename "$1").json code=0
	"$SIM_BIN/eksboot" explain --output json "$1" >"$out" || code=$?
	[ "$code" = 1 ] || { log "explain $1: exit $code, want 1"; ok=0; }
	python3 - "$out" "$NODES" <<'PY' || ok=0
import json, sys
rep = json.load(open(sys.argv[1])); nodes = int(sys.argv[2])
rows = {f["endpoint"] + " " + f["code"] + (" " + f["via"] if f.get("via") else ""): f for f in rep["failures"]}
want = {  # the scope, and what the cause must say
    "sts tcp_timeout": ("subnet", ["in subnet subnet-0b1 (10.0.32.0/24, eu-west-1b)", "on none of 18 elsewhere: the security group of the com.amazonaws.eu-west-1.sts endpoint does not allow TCP 443 from 10.0.32.0/24"]),
    "ecr.api tcp_timeout": ("az", ["in AZ eu-west-1b (euw1-az2)", "on none of 12 elsewhere: the com.amazonaws.eu-west-1.ecr.api endpoint has no network interface in eu-west-1b"]),
    "ec2 dns_public": ("vpc", ["ec2 dns_public on all 24 nodes, in every subnet and AZ: VPC-wide"]),
    "ecr.dkr tcp_timeout": (None, ["no subnet, AZ or security group explains it"]),
    "s3 proxy_unreachable proxy 10.0.4.10:3128": ("subnet", ["in subnet subnet-0c1 (10.0.48.0/24, eu-west-1c)", "through the proxy 10.0.4.10:3128",
        "the proxy's security group must allow TCP 3128 from 10.0.48.0/24"]),
}
bad = []
if rep["nodes"] != nodes or rep["fail"] != nodes or rep.get("truncated") or rep.get("unreadable"):
    bad.append("headline %r" % {k: rep[k] for k in ("nodes", "pass", "fail")})
for sig, (scope, texts) in want.items():
    f = rows.get(sig)
    if not f or f.get("scope") != scope or any(t not in f["cause"] for t in texts):
        bad.append("%s: %s" % (sig, f and (f.get("scope"), f["cause"])))
for b in bad: print("fleet:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
check "$SIM_DIR/ssm"
check "$SIM_DIR/console"
if grep -rlF -f "$SIM_DIR/secrets.txt" "$SIM_DIR/ssm" "$SIM_DIR/console" "$SIM_DIR"/explain-*.json >&2; then
	log "those outputs carry a credential or a token"; ok=0
fi
for out in "$SIM_DIR"/ssm/command-id/*/awsrunShellScript/0.awsrunShellScript; do
	grep -q '"msg":"summary"' "$out/stdout" || { log "$out: the SSM step printed no summary: $(head -c 300 "$out/stderr")"; ok=0; }
done
[ "$(ls "$SIM_DIR/ssm/command-id" | wc -l)" = "$NODES" ] || { log "not every node ran the step"; ok=0; }
if [ -n "${FLEET_TIMES:-}" ]; then echo "fleet_ms=$ssm_ms" >"$FLEET_TIMES"; cp -r "$SIM_DIR/ssm" "$FLEET_TIMES.ssm"; fi
if [ "$ok" = 1 ]; then
	echo "ok    fleet ($NODES nodes, all probing at once in ${ssm_ms} ms; explain names the subnet, the AZ, the VPC-wide fault and the subnet the proxy does not admit, over Run Command output and over consoles)"
else
	echo "FAIL  fleet"; KEEP_SIM_DIR=1; log "kept $SIM_DIR"
	exit 1
fi
