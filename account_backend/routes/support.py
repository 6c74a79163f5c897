"""Support requests: opened by the assistant with the (masked) conversation transcript and,
when the user chose to give one, the address the help desk replies to (unmasked: it is what
the reply needs; it is never logged).

Their creation is limited per conversation, per client and in total (rate_limit.py), and each
transcript line is stored as plain text (common/plain_text.py): whatever tool the help desk
reads it with, markup a user typed is shown as text and never runs."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from fastapi import APIRouter, HTTPException, Path, Request
from sqlalchemy.engine import Engine

from account_backend import dependencies, queries
from account_backend.schemas import SupportRequestIn, SupportRequestOut
from common.logs import log_event
from common.plain_text import plain_text

log = logging.getLogger("account_backend")
router = APIRouter(prefix="/v1/support-requests")


@router.post("", response_model=SupportRequestOut, status_code=201)
def create_support_request(
    request: SupportRequestIn,
    http: Request,
    conversation: Optional[str] = dependencies.CONVERSATION,
    client: Optional[str] = dependencies.CLIENT,
    engine: Engine = dependencies.DATABASE,
) -> Dict[str, str]:
    dependencies.admit_support_request(http, conversation, client)
    lines = [{"from": line.sender, "text": plain_text(line.text)} for line in request.transcript]
    with engine.begin() as connection:
        reference = queries.create_support_request(
            connection, request.topic, request.channel, lines, conversation, request.contact_email
        )
    # whether there is an address, never the address
    contact = request.contact_email is not None
    log_event(
        log, "support_request_created", reference=reference, topic=request.topic, contact=contact
    )
    return {"reference": reference}


@router.get("/{reference}")
def get_support_request(
    reference: str = Path(..., regex=r"^NGS-[0-9A-F]{8}$"),
    engine: Engine = dependencies.DATABASE,
) -> Dict[str, Any]:
    with engine.connect() as connection:
        found = queries.get_support_request(connection, reference)
    if not found:
        raise HTTPException(status_code=404, detail="no such support request")
    return found
