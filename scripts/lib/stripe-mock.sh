# Sourced by scripts/test.sh: makes stripe-mock (Stripe's API simulator, which the Stripe
# provider's suite runs against) available in .data/tools/bin, built once with Go, pinned below.
STRIPE_MOCK_VERSION=v0.203.0

ensure_stripe_mock() {
  local root bin
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  bin="$root/.data/tools/bin/stripe-mock"
  [ -x "$bin" ] && return 0
  command -v go >/dev/null 2>&1 || { echo "stripe-mock: Go is needed to build it" >&2; return 1; }
  echo "stripe-mock: building $STRIPE_MOCK_VERSION with Go into .data/tools/bin (once)" >&2
  mkdir -p "$(dirname "$bin")"
  GOBIN="$(dirname "$bin")" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" >&2
  [ -x "$bin" ] || { echo "stripe-mock: go install did not produce $bin" >&2; return 1; }
}
