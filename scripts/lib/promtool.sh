# Sourced by scripts/test.sh: makes promtool available (Prometheus's checker of its configuration
# and alert rules, for scripts/test/observability.test.ts) from the OS packages: Debian's prometheus
# package ships it. apt-get update runs only when the package cannot be installed without it.
ensure_promtool() {
  command -v promtool >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || {
    echo "promtool: missing, and apt-get is not there to install it (install Prometheus's promtool by hand)" >&2
    return 1
  }
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus)
  echo "promtool: installing the prometheus package with apt-get" >&2
  "${install[@]}" >&2 || { "${sudo[@]}" apt-get update -qq >&2 && "${install[@]}" >&2; }
  command -v promtool >/dev/null 2>&1 || { echo "promtool: the prometheus package did not provide it" >&2; return 1; }
}
