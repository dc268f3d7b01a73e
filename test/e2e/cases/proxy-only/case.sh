# Only the API server's endpoint is in the VPC: ec2, ECR, S3 and STS are
# public names the node cannot reach itself, and the node's agents reach
# them through the VPC's squid. The node joins, so the verdict passes.
PROXY=healthy
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=$PROXY_NO_PROXY")
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok ec2" "pass ok ecr.api" "pass ok ecr.dkr" "pass ok s3" "pass ok sts" "pass ok auth" "pass ok -")
EXPECT_TEXT=('"via":"proxy 10.0.4.10:3128"' '"via":"direct"' "DescribeInstances answered for i-" "GetAuthorizationToken answered"
	"first bytes came from prod-eu-west-1-starport-layer-bucket" "GetCallerIdentity answered arn:aws:sts::")
# The agents' calls went through the tunnel; the API server did not.
EXPECT_PROXY_LOG=("CONNECT ec2.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL" "CONNECT api.ecr.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL"
	"CONNECT 602401143452.dkr.ecr.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL" "CONNECT sts.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL"
	"CONNECT prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL" "!$API_HOST")
# Through the proxy too, a healthy verdict costs less than one --timeout.
EXPECT_WITHIN_MS=1000
# A real client agrees with the simulation: curl through squid reaches
# EC2's Query API (unsigned, so AWS's AuthFailure), and without the proxy
# the node cannot reach it at all.
after_up() {
	local got
	got=$(ns_n curl -sS --max-time 5 --proxy "$PROXY_URL" --cacert "$SIM_DIR/ca.pem" -w ' %{http_code}' \
		-d 'Action=DescribeInstances&Version=2016-11-15' "https://${ENDPOINT_HOST[ec2]}/")
	[[ $got == *'<Code>AuthFailure</Code>'*' 401' ]] || { log "curl through squid got: $got"; return 1; }
	if ns_n curl -sS --max-time 2 --noproxy '*' --cacert "$SIM_DIR/ca.pem" -o /dev/null "https://${ENDPOINT_HOST[ec2]}/" 2>/dev/null; then
		log "the node reached ec2 without the proxy"; return 1
	fi
}
