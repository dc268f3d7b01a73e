# Terraform: an AL2023 launch template whose user data is the MIME document
# in al2023-user-data.mime (the NodeConfig part, then eksboot).
resource "aws_launch_template" "node" {
  name_prefix   = "eks-node-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "m5.large"

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  user_data = base64encode(file("${path.module}/al2023-user-data.mime"))
}
