#!/usr/bin/env bash
# Measures eksboot in the simulated VPC against a sequential shell check of
# the same endpoints (test/bench/peer.sh), healthy and with two faults, and
# writes BENCHMARKS.md. Needs root.
set -euo pipefail
cd "$(dirname "$0")"
source ./lib.sh
[ "$(id -u)" = 0 ] || { log "the benchmark needs root (network namespaces)"; exit 1; }
RUNS=${RUNS:-11}
TIMEOUT=1
sim_tools
sim_defaults
sim_up # IMDS is the mock itself, as in the cases: the counting front (below) adds a hop to every call

eksboot_args=(probe --target al2 --cluster-name prod --apiserver-endpoint "https://$API_HOST" --b64-cluster-ca "$(cluster_ca)"
	--service-ipv4-cidr 10.100.0.0/16 --console none --output json --timeout ${TIMEOUT}s)
hosts=()
for n in ec2 ecr.api ecr.dkr s3 sts; do hosts+=("${ENDPOINT_HOST[$n]}"); done
peer_args=("$REPO_DIR/test/bench/peer.sh" "$VPC_DNS" "$SIM_DIR/ca.pem" "$API_HOST" "$TIMEOUT" "${hosts[@]}")

# median_ms CMD...: the median wall time of RUNS runs, process start to exit.
median_ms() {
	local times=() i s e
	for i in $(seq "$RUNS"); do
		s=$(date +%s%N)
		ns_n "$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		times+=($(((e - s) / 1000000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

healthy_eksboot=$(median_ms "$SIM_BIN/eksboot" "${eksboot_args[@]}")
healthy_peer=$(median_ms "${peer_args[@]}")

# The healthy verdict against the cost of starting the binary at all
# (eksboot version), run alternately so both see the same machine load.
verdict_times=() version_times=()
for i in $(seq "$RUNS"); do
	for which in verdict version; do
		s=$(date +%s%N)
		if [ "$which" = verdict ]; then ns_n "$SIM_BIN/eksboot" "${eksboot_args[@]}" >/dev/null 2>&1 || true; else ns_n "$SIM_BIN/eksboot" version >/dev/null 2>&1; fi
		e=$(date +%s%N)
		if [ "$which" = verdict ]; then verdict_times+=($(((e - s) / 1000))); else version_times+=($(((e - s) / 1000))); fi
	done
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
verdict_us=$(median "${verdict_times[@]}")
version_us=$(median "${version_times[@]}")
startup_x=$(awk -v a="$verdict_us" -v b="$version_us" 'BEGIN { printf "%.2f", a / b }')
verdict_ms=$(awk -v u="$verdict_us" 'BEGIN { printf "%.1f", u / 1000 }')
version_ms=$(awk -v u="$version_us" 'BEGIN { printf "%.1f", u / 1000 }')
IMDS_MODE=count restart_imds # the mock behind a front that logs each request
ns_n "$SIM_BIN/eksboot" "${eksboot_args[@]}" >/dev/null 2>&1 || true
sleep 0.2
imds_gets=$(grep -c '^imds GET' "$SIM_DIR/imds-requests.log" || true)
imds_tokens=$(grep -c '^imds PUT' "$SIM_DIR/imds-requests.log" || true)
rss_kb=$(ns_n /usr/bin/time -f %M "$SIM_BIN/eksboot" "${eksboot_args[@]}" 2>&1 >/dev/null | tail -1 || true)

sg_drop "${ENDPOINT_IP[sts]}"
sg_drop "${ENDPOINT_IP[ecr.dkr]}"
faults_eksboot=$(median_ms "$SIM_BIN/eksboot" "${eksboot_args[@]}")
faults_peer=$(median_ms "${peer_args[@]}")
faults_rss_kb=$(ns_n /usr/bin/time -f %M "$SIM_BIN/eksboot" "${eksboot_args[@]}" 2>&1 >/dev/null | tail -1 || true)

# The fleet: 24 nodes probing at once, then explain over 10,000 node
# reports made from their real Run Command outputs, each with its own
# instance and run id.
fleet_dir=$(mktemp -d /tmp/eksboot-bench-fleet.XXXXXX)
FLEET_TIMES=$fleet_dir/times SIM_BIN=$SIM_BIN "$E2E_DIR/fleet.sh" >/dev/null
source "$fleet_dir/times"
mkdir -p "$fleet_dir/reports"
find "$fleet_dir/times.ssm" -name stdout | sort | xargs awk -v out="$fleet_dir/reports" -v n=10000 '
	FNR == 1 { t++ } { lines[t] = lines[t] $0 "\n" }
	END {
		for (k = 0; k < n; k++) {
			doc = lines[k % t + 1]
			gsub(/i-0f1ee7[0-9]+/, sprintf("i-1%016d", k), doc)
			gsub(/"run":"[0-9a-f]+"/, sprintf("\"run\":\"%08x\"", k), doc)
			f = out "/" k ".stdout"; printf "%s", doc > f; close(f)
		}
	}'
explain_stats=$(/usr/bin/time -f "%e %M" "$SIM_BIN/eksboot" explain --output json "$fleet_dir/reports" 2>&1 >"$fleet_dir/fleet.json" | tail -1 || true) # exit 1: the fleet fails
explain_ms=$(awk -v s="${explain_stats% *}" 'BEGIN { printf "%d", s * 1000 }')
explain_mib=$(awk -v k="${explain_stats#* }" 'BEGIN { printf "%.1f", k / 1024 }')
explain_nodes=$(grep -o '"nodes":[0-9]*' "$fleet_dir/fleet.json" | head -1 | cut -d: -f2)

# Adversarial shapes (issue 18): 10,000 nodes failing on two endpoint names
# of their own each, 10,000 nodes each in its own subnet, and one run of
# 1 MiB pass lines; each must stay under 2 s and 64 MiB.
adversarial() { # SHAPE FILE
	awk -v shape="$1" 'BEGIN {
		sum = "{\"time\":\"2026-11-29T10:00:01Z\",\"level\":\"ERROR\",\"msg\":\"summary\",\"v\":1,\"run\":\"r%d\",\"status\":\"fail\",\"passed\":false,\"pass\":1,\"warn\":0,\"fail\":2,\"skip\":0,\"instance_id\":\"i-%d\",\"az\":\"eu-west-1a\",\"subnet_id\":\"%s\",\"subnet_cidr\":\"10.0.0.0/24\",\"eksboot_version\":\"0.1.0\",\"ms\":1}\n"
		fail = "{\"time\":\"2026-11-29T10:00:00Z\",\"level\":\"ERROR\",\"msg\":\"x\",\"v\":1,\"run\":\"r%d\",\"check\":\"tcp\",\"endpoint\":\"%s\",\"status\":\"fail\",\"code\":\"tcp_timeout\",\"ms\":1}\n"
		if (shape == "longpass") {
			p = "p"; while (length(p) < 1048576) p = p p
			for (k = 0; k < 64; k++) printf "{\"time\":\"2026-11-29T10:00:00Z\",\"level\":\"INFO\",\"msg\":\"%s\",\"v\":1,\"run\":\"r0\",\"check\":\"dns\",\"status\":\"pass\",\"code\":\"ok\",\"ms\":1}\n", p
			printf fail, 0, "sts"; printf sum, 0, 0, "subnet-1"; exit
		}
		for (k = 0; k < 10000; k++) {
			if (shape == "names") { printf fail, k, "e" k "a"; printf fail, k, "e" k "b"; printf sum, k, k, "subnet-1" }
			else { printf fail, k, "sts"; printf sum, k, k, "subnet-" k }
		}
	}' >"$2"
}
for shape in names subnets longpass; do
	adversarial "$shape" "$fleet_dir/$shape"
	stats=$(/usr/bin/time -f "%e %M" "$SIM_BIN/eksboot" explain --output json "$fleet_dir/$shape" 2>&1 >/dev/null | tail -1 || true)
	printf -v "adv_${shape}_ms" %s "$(awk -v s="${stats% *}" 'BEGIN { printf "%d", s * 1000 }')"
	printf -v "adv_${shape}_mib" %s "$(awk -v k="${stats#* }" 'BEGIN { printf "%.1f", k / 1024 }')"
done
rm -rf "$fleet_dir"

(cd "$REPO_DIR" && make -s build >/dev/null)
size() { stat -c %s "$REPO_DIR/dist/$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; then echo met; else echo MISSED; fi; }

ratio=$(awk -v a="$healthy_eksboot" -v b="$healthy_peer" 'BEGIN { printf "%.2f", a / b }')
faults_x=$(awk -v a="$faults_eksboot" -v t="$TIMEOUT" 'BEGIN { printf "%.2f", a / (t * 1000) }')
rss_mib=$(awk -v k="$(( rss_kb > faults_rss_kb ? rss_kb : faults_rss_kb ))" 'BEGIN { printf "%.1f", k / 1024 }')
amd64=$(size eksboot-linux-amd64)

cat >"$REPO_DIR/BENCHMARKS.md" <<MD
# Benchmarks

Measured by \`$([ "$RUNS" = 11 ] && echo "make bench" || echo "RUNS=$RUNS make bench")\` in the simulated private VPC (\`test/e2e\`), each time the median of
$RUNS runs from process start to exit, \`--timeout ${TIMEOUT}s\`. The peer is
\`test/bench/peer.sh\`: the same endpoints checked one after the other with dig, a TCP connect
per address and curl to \`/readyz\`.

IMDS: one session token, then one GET per fact, read concurrently: the identity document (which
also names the AMI), \`mac\`, the interface's VPC IPv4 and IPv6 CIDRs, subnet CIDR and security
groups, \`services/domain\`, \`local-hostname\`, for the identity check \`iam/info\`, the role name
and the role's credentials, and for the summary's where-it-ran the AZ ID and the interface's VPC
and subnet IDs.

The fleet: \`test/e2e/fleet.sh\`'s 24 nodes (five faults, \`--timeout 1s\`) all running the SSM
document's Linux step at once against one simulated resolver; then \`eksboot explain\` over
10,000 node reports made from those Run Command outputs, each given its own instance and run
id, one file each as \`aws s3 sync\` leaves them.

- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)
- date: $(date -u +%Y-%m-%d)
- commit: $(cd "$REPO_DIR" && git rev-parse --short HEAD)

| measure | eksboot | peer | target | |
|---|---|---|---|---|
| healthy verdict | ${healthy_eksboot} ms | ${healthy_peer} ms | ≤ 100 ms | $(verdict "$healthy_eksboot" 100) |
| healthy, eksboot ÷ peer | ${ratio} | | ≤ 0.25 | $(verdict "$ratio" 0.25) |
| healthy verdict ÷ \`eksboot version\`, run alternately | ${startup_x} (${verdict_ms} ms ÷ ${version_ms} ms) | | ≤ 2.5 with the AWS calls (2.0 before them) | $(verdict "$startup_x" 2.5) |
| two faults (sts, ecr.dkr dropped) | ${faults_eksboot} ms (${faults_x} × timeout) | ${faults_peer} ms | ≤ 1.1 × timeout | $(verdict "$faults_x" 1.1) |
| peak RSS | ${rss_mib} MiB | | ≤ 20 MiB | $(verdict "$rss_mib" 20) |
| IMDS requests per run | ${imds_tokens} token, ${imds_gets} GETs | | 1 token, one GET per fact (≤ 16) | $(verdict "$imds_gets" 16) |
| fleet: 24 nodes probing at once (5 faults) | ${fleet_ms} ms | | | |
| explain over ${explain_nodes} node reports | ${explain_ms} ms, ${explain_mib} MiB peak RSS | | ≤ 2000 ms, ≤ 64 MiB | $(verdict "$explain_ms" 2000) $(verdict "$explain_mib" 64) |
| explain, 10,000 nodes × 2 endpoint names of their own | ${adv_names_ms} ms, ${adv_names_mib} MiB peak RSS | | ≤ 2000 ms, ≤ 64 MiB | $(verdict "$adv_names_ms" 2000) $(verdict "$adv_names_mib" 64) |
| explain, 10,000 nodes in 10,000 subnets | ${adv_subnets_ms} ms, ${adv_subnets_mib} MiB peak RSS | | ≤ 2000 ms, ≤ 64 MiB | $(verdict "$adv_subnets_ms" 2000) $(verdict "$adv_subnets_mib" 64) |
| explain, one run of 64 × 1 MiB pass lines | ${adv_longpass_ms} ms, ${adv_longpass_mib} MiB peak RSS | | ≤ 2000 ms, ≤ 64 MiB | $(verdict "$adv_longpass_ms" 2000) $(verdict "$adv_longpass_mib" 64) |
| linux/amd64 binary | $(mib "$amd64") MiB | | ≤ 10 MiB | $(verdict "$(mib "$amd64")" 10) |
| linux/arm64 binary | $(mib "$(size eksboot-linux-arm64)") MiB | | | |
| windows/amd64 binary | $(mib "$(size eksboot-windows-amd64.exe)") MiB | | | |
MD
cat "$REPO_DIR/BENCHMARKS.md"
