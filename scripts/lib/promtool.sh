# Sourced by scripts/test.sh: makes promtool available (Prometheus's checker of its configuration
# and alert rules, for scripts/test/observability.test.ts) from the OS packages: Debian's prometheus
# package ships it.
source "$(dirname "${BASH_SOURCE[0]}")/os-package.sh"

ensure_promtool() {
  ensure_os_command promtool prometheus "install Prometheus's promtool by hand"
}
