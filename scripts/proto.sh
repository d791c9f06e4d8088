#!/usr/bin/env bash
# Generates the TypeScript for proto/ (ts-proto for nice-grpc, through buf) into shared/proto/src/gen.
#   scripts/proto.sh generate   lint the contract and regenerate
#   scripts/proto.sh check      fail when the committed generated code differs from a fresh generation
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
buf=node_modules/.bin/buf
target=shared/proto/src

generate_into() { # generate_into <dir>: writes <dir>/gen
  rm -rf "$1/gen"
  "$buf" generate proto --template proto/buf.gen.yaml --output "$1"
}

"$buf" lint proto
case "${1:-generate}" in
  generate)
    generate_into "$target"
    echo "proto: regenerated $target/gen"
    ;;
  check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    generate_into "$tmp"
    if ! diff -ru "$target/gen" "$tmp/gen" >"$tmp/diff"; then
      head -40 "$tmp/diff" >&2
      echo "proto: $target/gen is stale: run 'bun run proto' and commit the result" >&2
      exit 1
    fi
    echo "proto: generated code is up to date"
    ;;
  *) echo "usage: scripts/proto.sh generate|check" >&2; exit 2 ;;
esac
