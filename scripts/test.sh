#!/usr/bin/env bash
# Every test, from a bare machine: installs Bun and the dependencies, Schemathesis, promtool,
# stripe-mock and Chromium (the console's browser tests), brings up Postgres, Redis and a MongoDB
# wire server (scripts/infra.sh), then `bun run test`:
# typecheck, lint, the stale-proto check, Schemathesis against every OpenAPI document, then every
# unit and integration test (last, so its summary closes the log). The README's test command;
# .ci/run runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/lib/bun.sh
source scripts/lib/schemathesis.sh
source scripts/lib/promtool.sh
source scripts/lib/stripe-mock.sh
source scripts/lib/chromium.sh
prepare_workspace
ensure_schemathesis
ensure_promtool
ensure_stripe_mock
ensure_chromium
eval "$(bash scripts/infra.sh up)"
bun run test
