#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for the browser test, installing Debian's
# chromium package when it is missing. Exit 3 when it cannot be had (not root, no apt).
set -euo pipefail
for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; exit 0; }
done
source "$(dirname "$0")/debian.sh"
debian_install browser chromium fonts-dejavu-core || exit 3
echo /usr/bin/chromium
