# The node's user data has no settings.kubernetes.cluster-dns-ip, and the
# container's own user data no service CIDR: eksboot takes the DNS IP from
# the kubernetes service IP in the API server's certificate and sets it
# through the API (PATCH in a transaction of its own, then commit_and_apply),
# so pluto need not ask the EKS API for it.
BR_DROP_SETTINGS="kubernetes.cluster-dns-ip"
BR_DROP_USER_DATA="dns-cluster-ip service-ipv4-cidr"
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok auth")
EXPECT_CONSOLE=('eksboot: set settings.kubernetes.cluster-dns-ip = 10.100.0.10')
EXPECT_SET=('"method":"PATCH","uri":"/settings?tx=eksboot-' '"body":{"kubernetes":{"cluster-dns-ip":"10.100.0.10"}}' '"changed":["settings.kubernetes.cluster-dns-ip"]')
