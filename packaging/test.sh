#!/usr/bin/env bash
# Checks what make package built, as an operator would meet it.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "packaging: $*" >&2; exit 1; }
ex=packaging/examples

deb=$(ls dist/eksboot_*_amd64.deb) rpm=$(ls dist/eksboot-*.x86_64.rpm)
[ -s "$(ls dist/eksboot_*_arm64.deb)" ] && [ -s "$(ls dist/eksboot-*.aarch64.rpm)" ] || fail "arm64 packages missing"
# Every package an example names is one make package builds, by that name.
for name in $(grep -ohE 'eksboot[-_][0-9][A-Za-z0-9._-]*\.(rpm|deb|zip)' "$ex"/*); do
	[ -s "dist/$name" ] || fail "an example names $name, which make package does not build (dist/: $(cd dist && ls eksboot[-_]*.* | tr '\n' ' '))"
done

# The .deb, installed for real into a scratch root, and its binary run from there.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg --force-not-root --root="$root" --log=/dev/null --instdir="$root" --admindir="$root/var/lib/dpkg" --force-script-chrootless -i "$deb" >/dev/null 2>&1 ||
	{ mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" && touch "$root/var/lib/dpkg/status" &&
		dpkg --root="$root" --log=/dev/null --force-script-chrootless -i "$deb" >/dev/null; } || fail "dpkg -i $deb into a scratch root"
"$root/usr/bin/eksboot" version | grep -q '^eksboot ' || fail "installed binary does not run"
for f in usr/lib/systemd/system/eksboot.service etc/eksboot/config.yaml usr/share/doc/eksboot/README.md usr/share/doc/eksboot/LICENSE; do
	[ -f "$root/$f" ] || fail "$deb lacks /$f"
done
dpkg-deb --field "$deb" Conffiles 2>/dev/null | grep -q /etc/eksboot/config.yaml || dpkg-deb -I "$deb" conffiles | grep -q /etc/eksboot/config.yaml || fail "config.yaml is not a conffile"

# The .rpm's file list, read with Debian's rpm tools.
files=$(rpm -qlp "$rpm" 2>/dev/null)
for f in /usr/bin/eksboot /usr/lib/systemd/system/eksboot.service /etc/eksboot/config.yaml; do
	grep -qx "$f" <<<"$files" || fail "$rpm lacks $f"
done
rpm -qp --configfiles "$rpm" 2>/dev/null | grep -qx /etc/eksboot/config.yaml || fail "config.yaml is not an rpm config file"

# The unit, as systemd reads it.
if command -v systemd-analyze >/dev/null; then
	# The unit as installed; /usr/bin/eksboot is in the scratch root, not here.
	out=$(systemd-analyze verify "$root/usr/lib/systemd/system/eksboot.service" 2>&1 | grep -v 'Command /usr/bin/eksboot is not executable' || true)
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
fi

# The Windows zip.
# The listing is read whole first: grep -q stops at its match, and under
# pipefail the writer's SIGPIPE would fail the check.
zip_listing=$(unzip -l dist/eksboot-windows-amd64.zip)
grep -q ' eksboot.exe$' <<<"$zip_listing" || fail "zip lacks eksboot.exe"
grep -q ' windows-user-data.ps1$' <<<"$zip_listing" || fail "zip lacks the user data example"

# The examples: shell checked, MIME parsed, YAML and JSON parsed.
bash -n "$ex/al2-user-data.sh" && shellcheck "$ex/al2-user-data.sh" || fail "al2-user-data.sh"
python3 - "$ex/al2023-user-data.mime" <<'PY' || fail "al2023-user-data.mime"
import email, sys, subprocess, yaml
msg = email.message_from_string(open(sys.argv[1]).read())
assert msg.is_multipart(), "not multipart"
parts = [p for p in msg.walk() if not p.is_multipart()]
types = [p.get_content_type() for p in parts]
assert types == ["application/node.eks.aws", "text/x-shellscript"], types
cfg = yaml.safe_load(parts[0].get_payload())
assert cfg["kind"] == "NodeConfig" and cfg["spec"]["cluster"]["cidr"], cfg
script = parts[1].get_payload()
assert "eksboot run --target al2023 --config imds://user-data" in script
subprocess.run(["bash", "-n"], input=script, text=True, check=True)
subprocess.run(["shellcheck", "-"], input=script, text=True, check=True)
PY
python3 -c 'import sys, yaml; [yaml.safe_load(open(f)) for f in sys.argv[1:]]' "$ex/imagebuilder-component.yaml" "$ex/cloudformation-launch-template.yaml" packaging/config.yaml || fail "YAML"
python3 -c 'import sys, yaml, base64
t = yaml.safe_load(open(sys.argv[1]))
ud = t["Resources"]["NodeLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
assert ud.strip() == open(sys.argv[2]).read().strip(), "CloudFormation user data differs from the MIME example"' "$ex/cloudformation-launch-template.yaml" "$ex/al2023-user-data.mime" || fail "CloudFormation"
python3 -m json.tool "$ex/packer-provisioner.json" >/dev/null || fail "packer JSON"
grep -q 'file("${path.module}/al2023-user-data.mime")' "$ex/terraform-launch-template.tf" || fail "terraform snippet"
grep -q 'run --target windows --exec' "$ex/windows-user-data.ps1" && grep -q 'throw' "$ex/windows-user-data.ps1" || fail "windows example"
# The README shows the Windows example as it is (make windows parses and runs it).
python3 -c 'import sys; sys.exit(open(sys.argv[2]).read() not in open(sys.argv[1]).read())' README.md "$ex/windows-user-data.ps1" || fail "the README's Windows example differs from $ex/windows-user-data.ps1"
# The Windows user data's parameters are the ones eksboot renders.
"$root/usr/bin/eksboot" render --target windows --cluster-name prod --apiserver-endpoint https://abc.example \
	--b64-cluster-ca "$(base64 -w0 test/testpki/ca.pem)" --service-ipv4-cidr 10.100.0.0/16 --imds-endpoint http://127.0.0.1:1 \
	| grep -q -- "-ServiceCIDR '10.100.0.0/16' -DNSClusterIP '10.100.0.10'" || fail "windows render"
echo "packaging: the .deb, .rpm, zip, unit and examples check out"
