# Sourced by the ensure_* helpers: installs a Debian package that provides a command, when the
# command is missing. apt-get update runs only when the package cannot be installed without it.
#   ensure_os_command <command> <package> <what to do by hand>
ensure_os_command() {
  local command=$1 package=$2 by_hand=$3
  command -v "$command" >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || {
    echo "$command: missing, and apt-get is not there to install it ($by_hand)" >&2
    return 1
  }
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package")
  echo "$command: installing the $package package with apt-get" >&2
  "${install[@]}" >&2 || { "${sudo[@]}" apt-get update -qq >&2 && "${install[@]}" >&2; }
  command -v "$command" >/dev/null 2>&1 || { echo "$command: the $package package did not provide it" >&2; return 1; }
}
