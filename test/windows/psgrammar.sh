#!/usr/bin/env bash
# The Windows bootstrap line read by a real PowerShell grammar: npm's
# tree-sitter-powershell through web-tree-sitter (both WebAssembly, nothing
# built; installed with --ignore-scripts into a directory of this run's own),
# driven by psgrammar.mjs over hostile values.
set -euo pipefail
cd "$(dirname "$0")"
REPO=$(cd ../.. && pwd)
command -v node >/dev/null && command -v npm >/dev/null || { echo "missing node or npm: the machine's Node.js and npm run this check"; exit 1; }
WORK=$(mktemp -d /tmp/eksboot-psgrammar.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
npm install --prefix "$WORK" --ignore-scripts --no-audit --no-fund --silent \
	tree-sitter-powershell@0.26.4 web-tree-sitter@0.27.2
cp psgrammar.mjs "$WORK/"
: >"$WORK/none.yaml"
(cd "$REPO" && CGO_ENABLED=0 go build -o "$WORK/eksboot" ./cmd/eksboot)
export WORK
node "$WORK/psgrammar.mjs" "$WORK/eksboot" "$REPO/test/testpki/ca.pem" "$REPO/packaging/examples/windows-user-data.ps1"
