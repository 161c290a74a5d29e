# Shared by scripts/serve and scripts/test: one place that knows how the
# project's Python environment and client bundle are made, so the two
# commands of the README cannot drift apart.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

ensure_venv() {  # $1: pip extras, e.g. "" or "[test]"
  if [ ! -x "$PY" ]; then python3 -m venv "$VENV"; fi
  "$PY" -m pip install --quiet --disable-pip-version-check -e "$ROOT$1"
}

ensure_client() {
  # The views are served from client/dist; rebuild whenever sources changed.
  (cd "$ROOT/client" && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } \
    && npm run --silent build)
}

ensure_apt() {  # $@: Debian packages providing the commands we need
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
