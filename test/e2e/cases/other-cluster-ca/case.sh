# --b64-cluster-ca is another cluster's.
CA_NAME=other-ca
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail tls_unknown_ca api")
EXPECT_ARGS=("--dns-cluster-ip 10.100.0.10")
