"""Which network client a message came from, as a keyed digest in its metadata (`client_key`).

The action server counts support requests, and look-ups nobody signed in for, per client by it
(account_backend/rate_limit.py), so a script that opens a new conversation for every request
still spends one budget. The
address is the peer's or, behind a proxy Sanic is told about (SANIC_PROXIES_COUNT, as the
cluster profile sets it), the forwarded one. Only the digest is stored, keyed with
CLIENT_KEY_SECRET when set (shared by replicas: one budget per client across them), else with
a random key per process (each replica then counts apart, and once it restarts no stored
digest can be tied to an address again). A `client_key` sent by the client is replaced.
"""

from __future__ import annotations

import os
import secrets
from typing import Any, Dict, Optional

from sanic.request import Request

from common.conversation import CLIENT_FIELD, network_client_key

_SECRET = os.environ.get("CLIENT_KEY_SECRET", "").encode() or secrets.token_bytes(32)


def client_address(request: Optional[Request]) -> str:
    if request is None:
        return ""
    return request.remote_addr or request.ip or ""


def with_client(metadata: Optional[Dict[str, Any]], request: Optional[Request]) -> Dict[str, Any]:
    """`metadata` with the channel's client key in place of any the client sent."""
    found = {k: v for k, v in (metadata or {}).items() if k != CLIENT_FIELD}
    address = client_address(request)
    if address:
        found[CLIENT_FIELD] = network_client_key(address, _SECRET)
    return found
