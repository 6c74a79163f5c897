"""What the routes are given: the database engine, the service-token check, the look-up and
support-request limiters and the identity secret, all kept on `app.state` by the app factory."""

from __future__ import annotations

import hmac
from typing import Optional

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.engine import Engine

# The digests the action server sends with every look-up (rate limits): the conversation,
# and the client whose budget it spends (the signed-in user, else the conversation).
CONVERSATION = Header(None, alias="X-Conversation-Id", max_length=128)
CLIENT = Header(None, alias="X-Client-Id", max_length=128)


class LookupLimited(Exception):
    """A look-up over its budget; the app answers 429 with Retry-After."""

    event, message = "lookup_limited", "too many account look-ups; try again later"

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


class SupportLimited(LookupLimited):
    """A support request over its budget: 429 with Retry-After, nothing stored."""

    event, message = "support_request_limited", "too many support requests; try again later"


def engine(request: Request) -> Engine:
    return request.app.state.engine


def identity_secret(request: Request) -> Optional[str]:
    return request.app.state.identity_secret


# Route parameters (FastAPI reads them as defaults).
DATABASE = Depends(engine)
IDENTITY_SECRET = Depends(identity_secret)


def service_token(request: Request, authorization: Optional[str] = Header(None)) -> None:
    """Every route but /health needs `Authorization: Bearer <ACCOUNT_BACKEND_TOKEN>`."""
    scheme, _, token = (authorization or "").partition(" ")
    expected = request.app.state.service_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token, expected):
        raise HTTPException(status_code=401, detail="missing or wrong service token")


def admit(request: Request, conversation: Optional[str], client: Optional[str]) -> None:
    """Counts one look-up for the calling conversation and client, or refuses it."""
    retry_after = request.app.state.limiter.admit(conversation, client)
    if retry_after is not None:
        raise LookupLimited(retry_after)


def admit_support_request(
    request: Request, conversation: Optional[str], client: Optional[str]
) -> None:
    """Counts one support request for the calling conversation and client, or refuses it."""
    retry_after = request.app.state.support_limiter.admit(conversation, client)
    if retry_after is not None:
        raise SupportLimited(retry_after)
