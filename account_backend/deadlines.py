"""The request deadlines of common/uvicorn_deadlines.py, logged as the backend's."""

from __future__ import annotations

import logging

from common import uvicorn_deadlines


class DeadlineH11Protocol(uvicorn_deadlines.DeadlineH11Protocol):
    logger = logging.getLogger("account_backend")
