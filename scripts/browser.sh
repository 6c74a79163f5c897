#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for the browser test, installing Debian's
# chromium package when it is missing. Exit 3 when it cannot be had (not root, no apt).
set -euo pipefail
for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; exit 0; }
done
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || { echo "browser: chromium missing" >&2; exit 3; }
echo "browser: installing Debian's chromium (a minute or two)" >&2
apt-get update -qq > /dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core > /dev/null
echo /usr/bin/chromium
