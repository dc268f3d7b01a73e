#!/bin/bash
# Builds the image twice from this commit and checks the digest is one, and
# that skopeo reads the layout and the tarball as the README pushes them
# (no reference: the one image index in each).
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd packaging/image && go test -count=1 .)
make -s image >/dev/null
first=$(cat dist/oci.digest)
rm -rf dist/oci dist/eksboot-oci.tar dist/eksboot-linux-*
make -s image >/dev/null
second=$(cat dist/oci.digest)
[ "$first" = "$second" ] || { echo "image: two builds differ: $first $second" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "image: missing skopeo: run make tools" >&2; exit 1; }
for ref in oci:dist/oci oci-archive:dist/eksboot-oci.tar; do
	for arch in amd64 arm64; do
		got=$(skopeo inspect --override-os linux --override-arch $arch --format '{{.Architecture}}' "$ref")
		[ "$got" = $arch ] || { echo "image: $ref $arch: skopeo says $got" >&2; exit 1; }
	done
done
echo "image: $first, twice"
