# A Bottlerocket node whose user data is the TOML render wrote: eksboot runs
# as its essential bootstrap container, reads the node's settings through
# the API, verifies AWS with the host's trust store, passes, and sets
# nothing (the TOML already names the cluster DNS IP).
EXPECT_EXIT=0
EXPECT=("pass ok api" "pass ok ec2" "pass ok ecr.api" "pass ok ecr.dkr" "pass ok s3" "pass ok sts" "pass ok auth" "pass ok clock")
EXPECT_CONSOLE=('bootstrap-containers@eksboot[4242]: eksboot: {' '"msg":"summary","v":1' '"status":"pass"' '"target":"bottlerocket"')
EXPECT_NO_PATCH=1
