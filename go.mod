module github.com/eksboot/eksboot

go 1.26.8

require (
	github.com/BurntSushi/toml v1.5.0
	github.com/aws/aws-sdk-go-v2 v1.47.7
	github.com/aws/aws-sdk-go-v2/feature/ec2/imds v1.20.7
	github.com/coreos/go-systemd/v22 v22.7.0
	github.com/miekg/dns v1.1.73
	github.com/vishvananda/netlink v1.3.1
	go.yaml.in/yaml/v2 v2.4.3
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/net v0.57.0
	golang.org/x/sys v0.47.0
	sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730
	sigs.k8s.io/yaml v1.6.0
)

require (
	github.com/aws/smithy-go v1.28.8 // indirect
	github.com/vishvananda/netns v0.0.5 // indirect
	golang.org/x/text v0.40.0 // indirect
)
