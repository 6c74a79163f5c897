"""Request deadlines (common/request_deadlines.py) for the uvicorn servers: the account
backend and the team console.

uvicorn has no timeout while a request arrives: its keep-alive timer stops at the first byte,
and a connection that was just opened has none at all. `DeadlineH11Protocol` is its h11
protocol (`uvicorn.run(http=...)`) with two timers: the headers must be complete HEADER
seconds after the connection opened or the previous answer was sent, the whole request BODY
seconds after that. Past one, the client gets a 408 and the connection is closed; the app then
sees a disconnected client and its answer goes nowhere.
uvicorn members used: `H11Protocol.connection_made`, `.connection_lost`, `.handle_events`,
`.on_response_complete`, `.conn`, `.cycle`, `.transport`, `.loop`.
"""

from __future__ import annotations

import asyncio
import logging
from time import monotonic
from typing import Any, Optional

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from common.logs import log_event
from common.request_deadlines import body_seconds, header_seconds, timeout_response


class DeadlineH11Protocol(H11Protocol):
    logger = logging.getLogger("uvicorn_deadlines")  # a server's subclass names its own

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._timer: Optional[asyncio.TimerHandle] = None
        self._phase: Optional[Any] = None  # the h11 state the timer is for
        self._started = monotonic()
        self._follow()

    def handle_events(self) -> None:
        super().handle_events()
        self._follow()

    def on_response_complete(self) -> None:
        self._started = monotonic()  # the next request's clock
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._arm(None)
        super().connection_lost(exc)

    def _follow(self) -> None:
        """Keeps one timer, for the part of the request that is arriving now, if any."""
        state = self.conn.their_state
        if state is not self._phase:
            self._arm(state if state in (h11.IDLE, h11.SEND_BODY) else None)

    def _arm(self, phase: Optional[Any]) -> None:
        if getattr(self, "_timer", None) is not None:
            self._timer.cancel()
            self._timer = None
        self._phase = phase
        if phase is not None:
            limit = header_seconds() if phase is h11.IDLE else body_seconds()
            delay = max(0.0, self._started + limit - monotonic())
            self._timer = self.loop.call_later(delay, self._expire, phase)

    def _expire(self, phase: Any) -> None:
        self._timer = None
        if self.transport.is_closing() or self.conn.their_state is not phase:
            return
        if self.cycle is None or not getattr(self.cycle, "response_started", False):
            self.transport.write(timeout_response())
        log_event(self.logger, "request_timeout", logging.WARNING, part=_part(phase))
        self.transport.close()


def _part(phase: Any) -> str:
    return "headers" if phase is h11.IDLE else "body"
