#!/usr/bin/env bash
# The proxy VPC (issue 21), sourced by lib.sh. Only the API server's
# endpoint is in the VPC; every other AWS endpoint answers on the
# "internet": a third namespace behind the VPC's, at public-looking
# addresses, served by the same AWS simulation. The node cannot reach it
# (the VPC namespace does not forward: no NAT gateway, so a SYN there goes
# unanswered); Debian's squid, on PROXY_IP in the VPC, can.
# AmazonProvidedDNS answers the public addresses, as it does for a service
# without an interface endpoint, and squid resolves them itself.
#
# A case sets PROXY (squid's mode) and PROXY_ENV (what the node's agents
# see); run_case runs eksboot once per PROXY_VIA, each a way the proxy
# reaches eksboot on a node.

INTERNET_LINK=100.64.0   # the VPC's side is .1, the internet's .2
declare -A INTERNET_IP=(
	[ec2]=192.0.2.10 [ecr.api]=192.0.2.11 [ecr.dkr]=192.0.2.12 [sts]=192.0.2.13 [s3]=192.0.2.14
)
PROXY_IP=10.0.4.10
PROXY_PORT=3128
# shellcheck disable=SC2034 # the cases' words
PROXY_URL=http://$PROXY_IP:$PROXY_PORT
# What NO_PROXY holds on a node set up by AWS's guide, and where the
# API server goes direct.
# shellcheck disable=SC2034
PROXY_NO_PROXY=localhost,127.0.0.1,169.254.169.254,10.0.0.0/16,.eks.amazonaws.com,.svc,.cluster.local

proxy_defaults() {
	# squid's mode: healthy; inspect-tls (ssl-bump with a CA the node does
	# not trust); down (nothing listens on PROXY_IP); "" is no proxy VPC.
	PROXY=""
	# A regular expression of the hosts squid refuses CONNECT to (403).
	PROXY_DENY=""
	# What the node's agents see, as KEY=VALUE: HTTPS_PROXY, NO_PROXY...
	PROXY_ENV=()
	# containerd's own, when it differs (a NodeConfig's containerd key, its
	# drop-in); none: containerd sees PROXY_ENV too.
	PROXY_ENV_CONTAINERD=()
	# How PROXY_ENV reaches eksboot: flags (--https-proxy/--no-proxy), env
	# (eksboot's own environment, run by hand), nodeconfig (AL2023 user
	# data: spec.instance.environment), dropins (kubelet's and
	# containerd's systemd drop-ins and systemd's DefaultEnvironment, in a
	# mount namespace of the run's own).
	# shellcheck disable=SC2034 # read by run_case
	PROXY_VIA=(flags nodeconfig dropins)
	# Strings squid's access.log must hold after each run (!STRING: must not).
	# shellcheck disable=SC2034
	EXPECT_PROXY_LOG=()
}

# proxy_vpc moves every endpoint but the API server's to the internet.
proxy_vpc() {
	local name
	for name in "${!INTERNET_IP[@]}"; do
		DNS[${ENDPOINT_HOST[$name]}]=${INTERNET_IP[$name]}
		unset "SERVE[$name]"
	done
	DNS[prod-$REGION-starport-layer-bucket.s3.$REGION.amazonaws.com]=${INTERNET_IP[s3]}
}

ns_i() { ip netns exec "$INTERNET_NS" "$@"; }

internet_up() {
	ip netns add "$INTERNET_NS"
	ip link add "${SIM_ID}c" type veth peer name "${SIM_ID}d"
	ip link set "${SIM_ID}c" netns "$VPC_NS"
	ip link set "${SIM_ID}d" netns "$INTERNET_NS"
	ns_v ip addr add "$INTERNET_LINK.1/30" dev "${SIM_ID}c"
	ns_v ip link set "${SIM_ID}c" up
	ns_i ip link set lo up
	ns_i ip link set "${SIM_ID}d" name eth0
	ns_i ip addr add "$INTERNET_LINK.2/30" dev eth0
	ns_i ip link set eth0 up
	ns_i ip route add default via "$INTERNET_LINK.1"
	local a
	for a in "${INTERNET_IP[@]}"; do
		ns_i ip addr add "$a/32" dev lo
		ns_v ip route add "$a/32" via "$INTERNET_LINK.2"
	done
	ns_v ip addr add "$PROXY_IP/32" dev lo
	# No NAT gateway: what the node sends to the internet ends here.
	ns_v sysctl -qw net.ipv4.ip_forward=0
}

start_internet() {
	local specs=() name
	for name in "${!INTERNET_IP[@]}"; do specs+=("aws:${INTERNET_IP[$name]}"); done
	ns_i "$SIM_BIN/vpcsim" serve "$SIM_DIR" "${specs[@]}" >>"$SIM_DIR/internet.log" 2>&1 &
	PIDS+=($!)
	wait_for_tcp "${INTERNET_IP[ec2]}" 443 # from the VPC: the way the proxy goes
}

# start_squid: squid in the VPC namespace, as the proxy user, with a
# configuration for PROXY's mode; its logs stay in SQUID_DIR.
start_squid() {
	[ "$PROXY" = down ] && return 0
	SQUID_DIR=$SIM_DIR/squid
	mkdir -p "$SQUID_DIR"
	chmod 0711 "$SIM_DIR" # squid's user reaches its own directory only
	local port="http_port $PROXY_IP:$PROXY_PORT" bump=""
	if [ "$PROXY" = inspect-tls ]; then
		cat "$SIM_DIR/inspect-ca.pem" "$SIM_DIR/inspect-ca.key" >"$SQUID_DIR/inspect-ca.pem"
		/usr/lib/squid/security_file_certgen -c -s "$SQUID_DIR/ssl_db" -M 4MB >/dev/null
		port+=" ssl-bump tls-cert=$SQUID_DIR/inspect-ca.pem generate-host-certificates=on dynamic_cert_mem_cache_size=4MB"
		bump="sslcrtd_program /usr/lib/squid/security_file_certgen -s $SQUID_DIR/ssl_db -M 4MB
sslcrtd_children 2 startup=1 idle=1
ssl_bump bump all"
	fi
	local refuse=""
	[ -n "${PROXY_DENY:-}" ] && refuse="acl denied dstdom_regex -i $PROXY_DENY
http_access deny CONNECT denied"
	cat >"$SQUID_DIR/squid.conf" <<EOF
$port
$bump
pid_filename $SQUID_DIR/squid.pid
logformat sim %ts.%03tu %>a %rm %ru %>Hs %Ss/%<a
access_log stdio:$SQUID_DIR/access.log sim
cache_log $SQUID_DIR/cache.log
coredump_dir $SQUID_DIR
logfile_rotate 0
cache deny all
cache_mem 8 MB
dns_nameservers $VPC_DNS
visible_hostname proxy.sim
shutdown_lifetime 0 seconds
connect_timeout 5 seconds
pinger_enable off
acl SSL_ports port 443
acl CONNECT method CONNECT
acl vpc src 10.0.0.0/16
http_access deny CONNECT !SSL_ports
$refuse
http_access allow vpc
http_access deny all
EOF
	chown -R proxy:proxy "$SQUID_DIR"
	# The cluster's security group admits the nodes, not the proxy: the
	# API server's traffic sent to the proxy goes nowhere.
	ns_v nft add chain inet sg output '{ type filter hook output priority 0; policy accept; }'
	ns_v nft add rule inet sg output meta skuid proxy ip daddr "${ENDPOINT_IP[api]}" tcp dport 443 drop
	ns_v runuser -u proxy -- squid -N -d 1 -f "$SQUID_DIR/squid.conf" >"$SQUID_DIR/stderr" 2>&1 &
	PIDS+=($!)
	wait_for_tcp "$PROXY_IP" "$PROXY_PORT" || { cat "$SQUID_DIR/stderr" >&2; return 1; }
}

# proxy_env KEY: PROXY_ENV's value for KEY, "" when unset.
proxy_env() {
	local kv
	for kv in "${PROXY_ENV[@]}"; do
		[ "${kv%%=*}" = "$1" ] && { printf '%s' "${kv#*=}"; return 0; }
	done
	return 0
}

# proxy_user_data serves a NodeConfig with the cluster and PROXY_ENV as
# spec.instance.environment's default (nodeadm writes it as systemd's
# DefaultEnvironment, for every unit).
proxy_user_data() {
	local kv
	{
		printf '  instance:\n    environment:\n      default:\n'
		for kv in "${PROXY_ENV[@]}"; do printf '        %s: "%s"\n' "${kv%%=*}" "${kv#*=}"; done
		if [ ${#PROXY_ENV_CONTAINERD[@]} -gt 0 ]; then
			echo '      containerd:'
			for kv in "${PROXY_ENV_CONTAINERD[@]}"; do printf '        %s: "%s"\n' "${kv%%=*}" "${kv#*=}"; done
		fi
	} | serve_nodeconfig
}

# proxy_dropins DIR: /etc/systemd as a node set up by AWS's
# knowledge-center recipe has it: PROXY_ENV in kubelet's and containerd's
# drop-ins, and as every unit's DefaultEnvironment (nodeadm's and the
# system-wide setting's).
proxy_dropins() {
	local unit kv env
	for unit in kubelet containerd; do
		env=("${PROXY_ENV[@]}")
		[ "$unit" = containerd ] && [ ${#PROXY_ENV_CONTAINERD[@]} -gt 0 ] && env=("${PROXY_ENV_CONTAINERD[@]}")
		mkdir -p "$1/system/$unit.service.d"
		{
			echo '[Service]'
			for kv in "${env[@]}"; do printf 'Environment="%s"\n' "$kv"; done
		} >"$1/system/$unit.service.d/http-proxy.conf"
	done
	mkdir -p "$1/system.conf.d"
	{
		echo '[Manager]'
		for kv in "${PROXY_ENV[@]}"; do printf 'DefaultEnvironment="%s"\n' "$kv"; done
	} >"$1/system.conf.d/http-proxy.conf"
}

# proxy_log_settle: squid logs a tunnel when it closes; wait (at most 2s)
# until the log stops growing.
proxy_log_settle() {
	[ -e "$SQUID_DIR/access.log" ] || return 0
	local i size last=-1
	for i in $(seq 20); do
		size=$(stat -c %s "$SQUID_DIR/access.log")
		[ "$size" = "$last" ] && return 0
		last=$size
		sleep 0.1
	done
}
