"""The HTTP API (FastAPI). Every route but /health (for load balancers) needs the service token,
the OpenAPI document at /openapi.json included."""

from __future__ import annotations

import hmac
import logging
from typing import Any, Dict, List, Optional

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, constr
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from account_backend import identity, queries
from account_backend.rate_limit import Limits, LookupLimiter
from identifiers import DOMAIN, EMAIL, MAX_EMAIL, USERNAME
from privacy.logs import log_event

log = logging.getLogger("account_backend")


class MicrosoftAccount(BaseModel):
    kind: str = Field(description='"msa" (personal Microsoft account) or "aad" (work/school)')
    email_masked: str
    domain: str


class Package(BaseModel):
    name: str
    sole_owner: bool


class Organization(BaseModel):
    name: str
    last_admin: bool


class Account(BaseModel):
    username: str
    is_organization: bool
    password_login: bool
    email_masked: str
    microsoft_account: Optional[MicrosoftAccount]
    packages: List[Package]
    organizations: List[Organization]


class LoginLink(BaseModel):
    linked: bool
    username: Optional[str] = Field(None, description="the NuGet account holding this login")


class Tenant(BaseModel):
    domain: str
    state: str = Field(description='"managed", "unmanaged" or "none"')


class EmailQuery(BaseModel):
    email: constr(max_length=MAX_EMAIL, regex=EMAIL)


class TranscriptLine(BaseModel):
    sender: constr(regex=r"^(user|bot)$") = Field(..., alias="from")
    text: constr(max_length=4000)


class SupportRequestIn(BaseModel):
    topic: Optional[constr(max_length=64, regex=r"^[a-z_]+$")] = None
    channel: Optional[constr(max_length=32, regex=r"^[a-z_]+$")] = None
    transcript: List[TranscriptLine] = Field(..., max_items=500)


class SupportRequestOut(BaseModel):
    reference: str


class IdentityIn(BaseModel):
    token: constr(max_length=2048)


class IdentityOut(BaseModel):
    username: str


CONVERSATION = Header(None, alias="X-Conversation-Id", max_length=128)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


class LookupLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


def create_app(
    engine: Engine,
    service_token: str,
    identity_secret: Optional[str],
    limits: Optional[Limits] = None,
) -> FastAPI:
    if not service_token:
        raise ValueError("a service token is required")
    limiter = LookupLimiter(engine, limits or Limits.from_env())
    app = FastAPI(
        title="nuget.org account backend",
        version="1.0",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )

    def authorised(authorization: Optional[str] = Header(None)) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token, service_token):
            raise HTTPException(status_code=401, detail="missing or wrong service token")

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(LookupLimited)
    async def limited(_request: Request, exc: LookupLimited) -> JSONResponse:
        log_event(log, "lookup_limited", logging.WARNING, retry_after=exc.retry_after)
        response = _error(429, "too many account look-ups; try again later")
        response.headers["Retry-After"] = str(int(exc.retry_after + 0.999))
        return response

    def admit(identifier: str, conversation: Optional[str]) -> None:
        """Counts one look-up of `identifier` for the calling conversation (header
        X-Conversation-Id, sent by the action server) or refuses it with 429."""
        retry_after = limiter.admit(conversation, identifier)
        if retry_after is not None:
            raise LookupLimited(retry_after)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) or "body" for e in exc.errors()})
        return _error(422, "invalid input: " + ", ".join(fields))

    @app.exception_handler(SQLAlchemyError)
    async def database_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log_event(log, "database_error", logging.ERROR, error=type(exc).__name__)
        return _error(503, "the account database is unavailable")

    @app.get("/health", include_in_schema=False)
    def health() -> Dict[str, str]:
        return {"status": "ok"}

    guarded = [Depends(authorised)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    def openapi() -> Dict[str, Any]:
        return app.openapi()

    @app.get("/v1/accounts/{username}", response_model=Account, dependencies=guarded)
    def get_account(
        username: str = Path(..., regex=USERNAME), conversation: Optional[str] = CONVERSATION
    ) -> Dict[str, Any]:
        admit(username, conversation)
        with engine.connect() as connection:
            account = queries.find_account(connection, username)
            if not account:
                raise HTTPException(status_code=404, detail="no such account")
            return queries.account_view(connection, account)

    @app.post("/v1/accounts/lookup", response_model=Account, dependencies=guarded)
    def lookup_account(
        query: EmailQuery, conversation: Optional[str] = CONVERSATION
    ) -> Dict[str, Any]:
        """The account whose Microsoft login (or account email) is the given address."""
        admit(query.email, conversation)
        with engine.connect() as connection:
            account = queries.find_account_by_email(connection, query.email)
            if not account:
                raise HTTPException(status_code=404, detail="no such account")
            return queries.account_view(connection, account)

    @app.post("/v1/microsoft-logins/lookup", response_model=LoginLink, dependencies=guarded)
    def login_link(query: EmailQuery, conversation: Optional[str] = CONVERSATION) -> Dict[str, Any]:
        """Whether a Microsoft account is already the login of a NuGet account."""
        admit(query.email, conversation)
        with engine.connect() as connection:
            owner = queries.login_owner(connection, query.email)
        return {"linked": owner is not None, "username": owner}

    @app.get("/v1/tenants/{domain}", response_model=Tenant, dependencies=guarded)
    def get_tenant(domain: str = Path(..., max_length=253, regex=DOMAIN)) -> Dict[str, Any]:
        with engine.connect() as connection:
            return {"domain": domain.lower(), "state": queries.tenant_state(connection, domain)}

    @app.post(
        "/v1/support-requests",
        response_model=SupportRequestOut,
        status_code=201,
        dependencies=guarded,
    )
    def create_support_request(
        request: SupportRequestIn, conversation: Optional[str] = CONVERSATION
    ) -> Dict[str, str]:
        lines = [{"from": line.sender, "text": line.text} for line in request.transcript]
        with engine.begin() as connection:
            reference = queries.create_support_request(
                connection, request.topic, request.channel, lines, conversation
            )
        log_event(log, "support_request_created", reference=reference, topic=request.topic)
        return {"reference": reference}

    @app.get("/v1/support-requests/{reference}", dependencies=guarded)
    def get_support_request(reference: str = Path(..., regex=r"^NGS-[0-9A-F]{8}$")):
        with engine.connect() as connection:
            found = queries.get_support_request(connection, reference)
        if not found:
            raise HTTPException(status_code=404, detail="no such support request")
        return found

    @app.post("/v1/identity/verify", response_model=IdentityOut, dependencies=guarded)
    def verify_identity(body: IdentityIn) -> Dict[str, str]:
        username = identity.verify(body.token, identity_secret) if identity_secret else None
        if not username:
            raise HTTPException(status_code=401, detail="identity token is not valid")
        return {"username": username}

    return app
