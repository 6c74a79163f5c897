"""Waits until a URL answers 200: `python -m tools.wait_for URL [SECONDS]`."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return False


if __name__ == "__main__":
    ok = wait_for(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 60)
    if not ok:
        print(f"{sys.argv[1]} did not come up", file=sys.stderr)
    sys.exit(0 if ok else 1)
