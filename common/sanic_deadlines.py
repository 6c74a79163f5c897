"""Request deadlines (common/request_deadlines.py) for the Sanic 21.12 servers: Rasa and the
action server (rasa-sdk). `apply()` patches Sanic's HttpProtocol once per process; Rasa calls
it from rasa_plugins/__init__.py, the action server from actions/__init__.py.

Sanic's own REQUEST_TIMEOUT and RESPONSE_TIMEOUT measure from the last chunk received
(`HttpProtocol._time` is reset in `data_received`), and are checked only every half of the
shortest timeout (every 30 s in Rasa, whose keep-alive is 120 s), so a byte every few seconds
never times out. Here, once a request has started, `_time` stays at its first byte, and two
timers set at that byte answer 408 and close the connection if the headers are still
arriving HEADER seconds after `_time`, or the body BODY seconds after it. Websockets (socket.io) are
untouched. A connection on which no request starts is left to Sanic's keep-alive timeout.
Private Sanic members used: `HttpProtocol._http`, `._time`, `.loop`, `.data_received`,
`Http.stage`, `.request_body`, `.keep_alive`, `.upgrade_websocket`.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import Any, Callable

from sanic.http import Stage
from sanic.server.protocols.http_protocol import HttpProtocol

from common.logs import log_event
from common.request_deadlines import body_seconds, header_seconds, timeout_response

log = logging.getLogger(__name__)


def reading_headers(http: Any) -> bool:
    return getattr(http, "stage", None) is Stage.REQUEST


def reading_body(http: Any) -> bool:
    """Sanic reads a body in the handler stage, before the handler (slots start unset)."""
    return (
        getattr(http, "stage", None) is Stage.HANDLER
        and bool(getattr(http, "request_body", None))
        and not getattr(http, "upgrade_websocket", False)
    )


def cut_off(protocol: HttpProtocol, http: Any) -> None:
    """Answers 408 and closes. Written here rather than raised through the app: rasa-sdk's
    catch-all handler would log it as an error and answer 500."""
    protocol.transport.write(timeout_response())
    http.keep_alive = False
    http.request_body = None  # Sanic would otherwise wait for the rest of the body
    http.stage = Stage.FAILED  # nothing more is answered on this connection
    protocol.close()  # cancels the connection's task


def expire(protocol: HttpProtocol, deadline: float, still: Callable[[Any], bool]) -> None:
    """Cuts the connection off if the current request is `still` arriving `deadline` seconds
    after its first byte; looks again later if it started later than this timer thought."""
    http = getattr(protocol, "_http", None)
    transport = protocol.transport
    if http is None or transport is None or transport.is_closing() or not still(http):
        return
    left = deadline - (monotonic() - protocol._time)
    if left > 0:
        protocol.loop.call_later(left, expire, protocol, deadline, still)
        return
    log_event(log, "request_timeout", logging.WARNING, part=still.__name__.split("_")[-1])
    cut_off(protocol, http)


def apply() -> None:
    if getattr(HttpProtocol, "_request_deadlines", False):
        return
    headers, body = header_seconds(), body_seconds()
    received = HttpProtocol.data_received

    def data_received(self: HttpProtocol, data: bytes) -> None:
        http, started = getattr(self, "_http", None), self._time
        between = http is None or getattr(http, "stage", Stage.IDLE) is Stage.IDLE
        received(self, data)
        if not between:
            self._time = started  # a request's clock runs from its first byte
            return
        self.loop.call_later(headers, expire, self, headers, reading_headers)
        self.loop.call_later(body, expire, self, body, reading_body)

    HttpProtocol.data_received = data_received
    HttpProtocol._request_deadlines = True
