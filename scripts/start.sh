#!/usr/bin/env bash
# The whole platform from a bare machine: installs Bun and the dependencies, then `bun run start`
# (infrastructure, every service, ready checks). Ctrl-C stops the services.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/lib/bun.sh
prepare_workspace
exec bun run start
