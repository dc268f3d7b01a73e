# A CIDR that does not parse: exit 2, one line, nothing written.
EXTRA_ARGS=(--service-ipv4-cidr 10.100.0.0)
EXPECT_EXIT=2
