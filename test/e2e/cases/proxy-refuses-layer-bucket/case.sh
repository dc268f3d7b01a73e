# The proxy's allow-list has the registries but not the bucket ECR keeps
# their layers in: the manifest pulls through the proxy, the layer's
# CONNECT is refused (403).
PROXY=healthy
PROXY_DENY='^prod-[a-z0-9-]+-starport-layer-bucket\.'
PROXY_ENV=("HTTPS_PROXY=$PROXY_URL" "NO_PROXY=$PROXY_NO_PROXY")
EXPECT_EXIT=1
EXPECT=("pass ok ecr.dkr" "fail proxy_refused s3")
EXPECT_SAYS=("proxy_refused prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com")
EXPECT_PROXY_LOG=("CONNECT prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com:443 403 TCP_DENIED")
