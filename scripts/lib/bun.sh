# Sourced by the entry scripts: makes the pinned Bun available, installing it from the npm registry
# into .data/tools when it is missing (no root needed; the npm package ships the real binary).
ensure_bun() {
  local root want
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  want=$(sed -n 's/.*"packageManager": *"bun@\([^"]*\)".*/\1/p' "$root/package.json")
  export PATH="$root/.data/tools/node_modules/.bin:$PATH"
  if command -v bun >/dev/null 2>&1 && [ "$(bun --version)" = "$want" ]; then return 0; fi
  if command -v bun >/dev/null 2>&1; then
    echo "bun: found $(bun --version), the project pins $want; installing $want into .data/tools" >&2
  fi
  command -v npm >/dev/null 2>&1 || { echo "bun: Bun $want is needed and npm is not there to install it" >&2; return 1; }
  echo "bun: installing Bun $want from the npm registry into .data/tools" >&2
  npm install --prefix "$root/.data/tools" --no-save --no-audit --no-fund --loglevel=error "bun@$want" >&2
  hash -r
  [ "$(bun --version)" = "$want" ] || { echo "bun: installing Bun $want failed" >&2; return 1; }
}

# The pinned Bun and the workspace's dependencies from the committed lockfile.
prepare_workspace() {
  ensure_bun
  bun install --frozen-lockfile
}
