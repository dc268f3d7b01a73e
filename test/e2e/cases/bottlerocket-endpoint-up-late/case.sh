# The STS endpoint comes up five seconds after boot; the container's user
# data asks for --wait, which rides it out inside the bootstrap container
# as anywhere else (the unit gives it no start timeout of its own).
SERVE[sts]=late:${ENDPOINT_IP[sts]}:5s
BR_USER_DATA_EXTRA="wait: 30s"
EXPECT_EXIT=0
EXPECT=("pass ok sts" "pass ok ecr.dkr")
EXPECT_NO_PATCH=1
