#!/bin/bash
# Builds the image twice from this commit and checks the digest is one, and
# that skopeo (when installed) reads the layout and the tarball.
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd packaging/image && go test -count=1 .)
make -s image >/dev/null
first=$(cat dist/oci.digest)
rm -rf dist/oci dist/eksboot-oci.tar dist/eksboot-linux-*
make -s image >/dev/null
second=$(cat dist/oci.digest)
[ "$first" = "$second" ] || { echo "image: two builds differ: $first $second" >&2; exit 1; }
tag=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
if command -v skopeo >/dev/null; then
	for ref in "oci:dist/oci:$tag" "oci-archive:dist/eksboot-oci.tar:$tag"; do
		for arch in amd64 arm64; do
			got=$(skopeo inspect --override-os linux --override-arch $arch --format '{{.Architecture}}' "$ref")
			[ "$got" = $arch ] || { echo "image: $ref $arch: skopeo says $got" >&2; exit 1; }
		done
	done
fi
echo "image: $first, twice"
