"""Who may call the action server: only Rasa, on loopback or holding ACTION_SERVER_TOKEN.

rasa-sdk's server has no authentication and listens on every interface unless SANIC_HOST
says otherwise, and the actions call the account backend with its service token: anyone who
reached the server could run an account look-up. Through rasa-sdk's plugin hook, which runs
after the app is made and before rasa-sdk reads SANIC_HOST and starts listening:

- the server listens on 127.0.0.1 unless SANIC_HOST names another address;
- with ACTION_SERVER_TOKEN set, every request but GET /health (probes) must carry
  `Authorization: Bearer <token>`, else 401; Rasa sends it (deploy/endpoints.yml `headers`);
- listening beyond loopback without a token is refused at start: a deployment cannot
  forget it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import sys
from typing import MutableMapping, Optional, Tuple

import pluggy
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from common.logs import log_event

log = logging.getLogger(__name__)
TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
HOST_VARIABLE = "SANIC_HOST"  # rasa-sdk's own setting (rasa_sdk.endpoint.run)
LOOPBACK = "127.0.0.1"
OPEN_PATHS = frozenset({"/health"})
hookimpl = pluggy.HookimplMarker("rasa_sdk")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings(environ: MutableMapping[str, str]) -> Tuple[str, str]:
    """(host, token) the server runs with; raises SystemExit for a token-less public server."""
    host = environ.get(HOST_VARIABLE) or LOOPBACK
    token = environ.get(TOKEN_VARIABLE) or ""
    if not token and not is_loopback(host):
        raise SystemExit(f"action server: set {TOKEN_VARIABLE} to listen on {host}")
    return host, token


def authorized(header: Optional[str], token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    # bytes: compare_digest refuses non-ASCII str, and a client chooses this one
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


def require_token(app: Sanic, token: str) -> None:
    async def check(request: Request) -> Optional[HTTPResponse]:
        if request.method in ("GET", "HEAD") and request.path in OPEN_PATHS:
            return None
        if authorized(request.headers.get("authorization"), token):
            return None
        log_event(log, "action_request_refused", logging.WARNING, method=request.method)
        return response.json({"error": "missing or wrong action server token"}, status=401)

    app.register_middleware(check, "request")


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    host, token = settings(os.environ)
    os.environ[HOST_VARIABLE] = host  # read by rasa-sdk right after this hook
    if token:
        require_token(app, token)
    log_event(log, "action_server_access", host=host, token_required=bool(token))


def register() -> None:
    """Adds this module's hook to rasa-sdk's plugin manager (once per process)."""
    manager = plugin_manager()
    module = sys.modules[__name__]
    if not manager.is_registered(module):
        manager.register(module)
