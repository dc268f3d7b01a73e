# A Windows node told 172.20.0.0/16 while the API server's certificate names
# the kubernetes service IP 10.100.0.1: pod DNS would fail.
TARGET=windows
EXTRA_ARGS=(--service-ipv4-cidr 172.20.0.0/16)
EXPECT_EXIT=1
EXPECT=("fail service_cidr_mismatch api")
