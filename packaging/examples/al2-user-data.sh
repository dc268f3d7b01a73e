#!/bin/bash
# Launch-template user data for an EKS AL2 node in a private cluster.
# eksboot probes, writes /etc/eksboot/bootstrap.args and execs
# /etc/eks/bootstrap.sh with them when the verdict passes; otherwise it exits
# 1 and the console output says which endpoint, security group or VPC setting
# is wrong.
set -euo pipefail
exec /usr/bin/eksboot run --target al2 --exec --wait 2m \
	--cluster-name prod \
	--apiserver-endpoint https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com \
	--b64-cluster-ca 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' \
	--service-ipv4-cidr 10.100.0.0/16 \
	--node-labels team=data
