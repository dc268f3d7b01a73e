# The API server's address accepts TCP but never finishes TLS.
SERVE[api]=silent:${ENDPOINT_IP[api]}
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("pass ok api" "fail tls_timeout api")
