module github.com/eksboot/eksboot

go 1.26.8

require (
	github.com/aws/aws-sdk-go-v2 v1.47.7
	github.com/aws/aws-sdk-go-v2/feature/ec2/imds v1.20.7
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	github.com/BurntSushi/toml v1.5.0 // indirect
	github.com/aws/smithy-go v1.28.8 // indirect
)
