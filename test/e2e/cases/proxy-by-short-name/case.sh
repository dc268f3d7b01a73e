# The proxy named by a short name, as many images set it up: kubelet's and
# containerd's Go resolver applies resolv.conf's search list, and so does
# eksboot's look-up of the proxy.
PROXY=healthy
NODE_SEARCH=corp.internal
DNS[proxy.corp.internal]=$PROXY_IP
PROXY_ENV=("HTTPS_PROXY=http://proxy:$PROXY_PORT" "NO_PROXY=$PROXY_NO_PROXY")
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok ec2" "pass ok ecr.api" "pass ok ecr.dkr" "pass ok s3" "pass ok sts" "pass ok auth" "pass ok -")
EXPECT_TEXT=('"via":"proxy proxy:3128"' "GetAuthorizationToken answered")
EXPECT_PROXY_LOG=("CONNECT ec2.eu-west-1.amazonaws.com:443 200 TCP_TUNNEL")
