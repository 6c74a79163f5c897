"""How long a client may take to send a request, on every server of the project.

A client that sends its headers or body a byte at a time (slowloris) holds a connection, a
buffer and, on the help site, a thread for as long as it keeps dripping: Sanic restarts its
timeouts with every chunk received, uvicorn and http.server have none while a request
arrives. Each server (Rasa and the action server: common/sanic_deadlines.py; the backend
and the team console: common/uvicorn_deadlines.py; the help site: help_site/server.py) holds
a request to two deadlines counted from its start (its first byte; on the uvicorn servers and
the help site, when the server began waiting for it): the headers within
REQUEST_HEADER_TIMEOUT seconds (default 10), the whole request, body included, within
REQUEST_BODY_TIMEOUT (default 20).
Past one, the client gets a 408 and the connection is closed. The bodies here are small (at
most 256 KiB), so 20 s is generous for any real client.
"""

from __future__ import annotations

import json
import os
from typing import Mapping

HEADER_SECONDS = 10.0
BODY_SECONDS = 20.0


def header_seconds(environ: Mapping[str, str] = os.environ) -> float:
    return float(environ.get("REQUEST_HEADER_TIMEOUT") or HEADER_SECONDS)


def body_seconds(environ: Mapping[str, str] = os.environ) -> float:
    return float(environ.get("REQUEST_BODY_TIMEOUT") or BODY_SECONDS)


def timeout_response(version: str = "HTTP/1.1") -> bytes:
    """A complete 408 answer, for servers that write it to the socket themselves."""
    body = json.dumps({"error": "the request was not received in time"}).encode()
    head = (
        f"{version} 408 Request Timeout\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body
