# Sourced by scripts/test.sh: makes a headless Chromium available for the console's browser tests
# (puppeteer-core drives it; no browser is downloaded) from the OS packages: Debian's chromium.
source "$(dirname "${BASH_SOURCE[0]}")/os-package.sh"

ensure_chromium() {
  command -v chromium-browser >/dev/null 2>&1 && return 0
  ensure_os_command chromium chromium "install Chromium, or set CHROMIUM"
}
