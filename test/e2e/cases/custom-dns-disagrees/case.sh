# The DHCP options set names a custom DNS server that does not forward to
# AmazonProvidedDNS: it answers the public address for STS.
NODE_RESOLVER=$CUSTOM_DNS
for h in "${ENDPOINT_HOST[@]}"; do CUSTOM_DNS_RECORDS[$h]=${DNS[$h]}; done
CUSTOM_DNS_RECORDS[${ENDPOINT_HOST[sts]}]=$PUBLIC_IP
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("warn dns_mismatch sts" "fail dns_public sts")
