# The cluster endpoint has only public access: it resolves to a public address.
DNS[$API_HOST]=$PUBLIC_IP
after_up() { sg_drop "$PUBLIC_IP"; }
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail api_private_access api")
