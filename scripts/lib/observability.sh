# Jaeger and Prometheus for `bun run start --observability` on a machine without Docker (compose's
# `observability` profile runs them as containers instead). Sourced, or run as
# `bash scripts/lib/observability.sh install`, which makes both available and prints their paths:
#   - Prometheus from the OS packages (Debian's prometheus package; promtool comes with it);
#   - Jaeger (v2, all-in-one: OTLP on 4317/4318, UI on 16686) built once with Go into .data/tools/bin,
#     pinned below; the first build takes a few minutes.
JAEGER_VERSION=v1.76.0

ensure_prometheus() {
  source "$(dirname "${BASH_SOURCE[0]}")/os-package.sh"
  # promtool comes in the same package.
  ensure_os_command prometheus prometheus "install Prometheus by hand, or run compose's observability profile"
}

ensure_jaeger() {
  local root bin
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  bin="$root/.data/tools/bin/jaeger"
  [ -x "$bin" ] && return 0
  command -v go >/dev/null 2>&1 || { echo "jaeger: Go is needed to build it (or run compose's observability profile)" >&2; return 1; }
  echo "jaeger: building $JAEGER_VERSION with Go into .data/tools/bin (a few minutes, once)" >&2
  local module
  module=$(mktemp -d)
  # Jaeger's own go.mod has replace directives, so `go install` refuses it: build it as a tool of a
  # throwaway module instead.
  (
    cd "$module" &&
      go mod init jaeger-build >/dev/null 2>&1 &&
      go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" >&2 &&
      mkdir -p "$(dirname "$bin")" &&
      go build -o "$bin" github.com/jaegertracing/jaeger/cmd/jaeger >&2
  )
  local status=$?
  rm -rf "$module"
  return $status
}

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = "install" ]; then
  set -euo pipefail
  ensure_prometheus
  ensure_jaeger
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  echo "PROMETHEUS_BIN=$(command -v prometheus)"
  echo "JAEGER_BIN=$root/.data/tools/bin/jaeger"
fi
