#!/usr/bin/env bash
# Every test, from a bare machine: installs Bun and the dependencies, brings up Postgres, Redis and a
# MongoDB wire server (scripts/infra.sh), then `bun run test`: typecheck, lint, the stale-proto
# check, and every unit and integration test. The README's test command; .ci/run runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/lib/bun.sh
prepare_workspace
eval "$(bash scripts/infra.sh up)"
bun run test
