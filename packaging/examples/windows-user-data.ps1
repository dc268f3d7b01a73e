<powershell>
# Launch-template user data for an EKS Windows node in a private cluster.
# eksboot probes, writes the Start-EKSBootstrap.ps1 parameters (always with
# -ServiceCIDR and -DNSClusterIP) and runs it when the verdict passes.
$ErrorActionPreference = 'Stop'
& "$env:ProgramFiles\eksboot\eksboot.exe" run --target windows --exec --wait 2m `
  --cluster-name prod `
  --apiserver-endpoint https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com `
  --b64-cluster-ca 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' `
  --service-ipv4-cidr 10.100.0.0/16
if ($LASTEXITCODE -ne 0) {
  # Fail the launch visibly: the console output (COM1) says why.
  throw "eksboot: the node cannot join (exit $LASTEXITCODE); see aws ec2 get-console-output"
}
</powershell>
