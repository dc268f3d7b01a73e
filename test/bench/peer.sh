#!/usr/bin/env bash
# The peer eksboot is measured against: the same checks done one after the
# other with the usual tools, as a careful user-data script would. dig for
# each name, a TCP connect per address, curl to the API server's /readyz.
#   peer.sh RESOLVER CA_FILE API_HOST TIMEOUT_S HOST...
set -u
resolver=$1 ca=$2 api=$3 timeout=$4
shift 4
fail=0
for host in "$api" "$@"; do
	addrs=$(dig +short +time="$timeout" +tries=1 @"$resolver" "$host" A | grep -E '^[0-9.]+$') || { echo "dns $host failed"; fail=1; continue; }
	for a in $addrs; do
		timeout "$timeout" bash -c "exec 3<>/dev/tcp/$a/443" 2>/dev/null || { echo "tcp $host $a failed"; fail=1; }
	done
done
curl -sS --max-time "$timeout" --cacert "$ca" "https://$api/readyz" -o /dev/null || { echo "api failed"; fail=1; }
exit $fail
