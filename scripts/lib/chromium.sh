# Sourced by scripts/test.sh: makes a headless Chromium available for the console's browser tests
# (puppeteer-core drives it; no browser is downloaded) from the OS packages: Debian's chromium.
# apt-get update runs only when the package cannot be installed without it.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || {
    echo "chromium: missing, and apt-get is not there to install it (install Chromium, or set CHROMIUM)" >&2
    return 1
  }
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium)
  echo "chromium: installing the chromium package with apt-get" >&2
  "${install[@]}" >&2 || { "${sudo[@]}" apt-get update -qq >&2 && "${install[@]}" >&2; }
  command -v chromium >/dev/null 2>&1 || { echo "chromium: the chromium package did not provide it" >&2; return 1; }
}
