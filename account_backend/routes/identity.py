"""Signed identities: the host page vouches for a signed-in user (account_backend/identity.py),
for one conversation (account_backend/bindings.py)."""

from __future__ import annotations

import logging
import time
from typing import Dict, Optional

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.engine import Engine

from account_backend import bindings, dependencies, identity
from account_backend.schemas import IdentityIn, IdentityOut
from common.logs import log_event

log = logging.getLogger("account_backend")
router = APIRouter(prefix="/v1/identity")


@router.post("/verify", response_model=IdentityOut)
def verify_identity(
    request: Request,
    body: IdentityIn,
    conversation: Optional[str] = dependencies.CONVERSATION,
    secret: Optional[str] = dependencies.IDENTITY_SECRET,
    engine: Engine = dependencies.DATABASE,
) -> Dict[str, str]:
    """The token's username, if it is valid and speaks for the calling conversation."""
    if not conversation:
        raise HTTPException(status_code=400, detail="X-Conversation-Id is required")
    lifetime = request.app.state.identity_lifetime
    username = identity.verify(body.token, secret, lifetime=lifetime) if secret else None
    if not username:
        raise HTTPException(status_code=401, detail="identity token is not valid")
    now = time.time()
    until = now + lifetime + identity.CLOCK_SKEW_SECONDS  # no token valid now outlives it
    if not bindings.bind(engine, body.token, conversation, until, now):
        log_event(log, "identity_token_refused", logging.WARNING, reason="other conversation")
        raise HTTPException(status_code=401, detail="identity token is not valid")
    return {"username": username}
