# Sourced by scripts/test.sh: makes the pinned Schemathesis (PyPI) available in a virtualenv under
# .data/tools/venv, for scripts/api-fuzz.ts. Needs python3 with venv (Debian: python3-venv).
SCHEMATHESIS_VERSION=4.32.5

ensure_schemathesis() {
  local root venv
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  venv="$root/.data/tools/venv"
  if [ -x "$venv/bin/schemathesis" ] &&
    [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || { echo "schemathesis: python3 is needed to install it" >&2; return 1; }
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    echo "schemathesis: python3-venv is missing; installing it with apt-get" >&2
    rm -rf "$venv"
    apt-get install -y -qq python3-venv >&2 || { apt-get update -qq >&2 && apt-get install -y -qq python3-venv >&2; }
    python3 -m venv "$venv"
  fi
  echo "schemathesis: installing $SCHEMATHESIS_VERSION from PyPI into .data/tools/venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
}
