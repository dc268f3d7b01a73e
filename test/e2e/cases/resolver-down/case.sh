# AmazonProvidedDNS does not answer (enableDnsSupport off).
RESOLVER_UP=0
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail dns_timeout api" "fail dns_timeout sts")
