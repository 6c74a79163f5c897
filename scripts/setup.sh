#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the hash-locked requirements: pip from
# requirements/pip.lock, then requirements/dev.lock (base.lock's set plus the test tools), both
# with --require-hashes. Re-running is cheap: nothing is installed again unless a lock changed.
# The locks come from requirements/*.in by `make lock`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rasa 3.6 runs on Python 3.8-3.10 only. Order: $PYTHON, python3.10, pyenv's 3.10.
find_python() {
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  local pyenv_python
  pyenv_python=$(ls -d "$pyenv_root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V | tail -n 1 || true)
  for candidate in "${PYTHON:-}" python3.10 "$pyenv_python"; do
    [ -n "$candidate" ] || continue
    # A pyenv shim exists even when it cannot run, so try it rather than trust `command -v`.
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# The help-site widget's socket.io client, and axe-core for the browser tests' accessibility
# check (a devDependency, hence --include=dev: NODE_ENV=production would drop it), from the npm
# registry at the locked versions.
web_stamp="help_site/node_modules/.package-lock.sha256"
web_wanted=$(sha256sum help_site/package-lock.json | cut -d' ' -f1)
if [ ! -f "$web_stamp" ] || [ "$(cat "$web_stamp")" != "$web_wanted" ]; then
  command -v npm >/dev/null || { echo "setup: npm is needed for the help-site widget" >&2; exit 1; }
  echo "setup: installing the widget's socket.io client and axe-core (npm ci)"
  npm ci --prefix help_site --include=dev --no-audit --no-fund --loglevel=error >/dev/null
  echo "$web_wanted" > "$web_stamp"
fi

stamp=".venv/.requirements.sha256"
wanted=$(cat requirements/pip.lock requirements/dev.lock | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "setup: .venv is up to date"
  exit 0
fi

if [ ! -x .venv/bin/python ]; then
  python=$(find_python) || {
    echo "setup: no Python 3.10 found. Install one, or set PYTHON=/path/to/python3.10" >&2
    exit 1
  }
  echo "setup: creating .venv with $python"
  "$python" -m venv .venv
fi
echo "setup: installing the locked requirements (a few minutes on a fresh machine; log: var/pip.log)"
mkdir -p var
pip_install() {
  .venv/bin/python -m pip install --quiet "$@" >> var/pip.log 2>&1 || {
    grep -v "WARNING: Location" var/pip.log | tail -n 30 >&2
    echo "setup: pip install failed (full log: var/pip.log)" >&2
    exit 1
  }
}
: > var/pip.log
pip_install --require-hashes --no-deps -r requirements/pip.lock
pip_install --require-hashes -r requirements/dev.lock
echo "$wanted" > "$stamp"
echo "setup: done"
