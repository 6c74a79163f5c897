"""The app factory: state, error answers, and the routes behind the service token.

Every route but /health (for load balancers) needs the service token, the OpenAPI document
at /openapi.json included.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from account_backend.dependencies import LookupLimited, service_token
from account_backend.identity import max_lifetime
from account_backend.rate_limit import SUPPORT_LIMITS, Limits, LookupLimiter
from account_backend.routes import accounts, identity, support
from common.logs import log_event

log = logging.getLogger("account_backend")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
    return _error(exc.status_code, str(exc.detail))


async def _limited(_request: Request, exc: LookupLimited) -> JSONResponse:
    log_event(log, exc.event, logging.WARNING, retry_after=exc.retry_after)
    response = _error(429, exc.message)
    response.headers["Retry-After"] = str(int(exc.retry_after + 0.999))
    return response


async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = sorted({".".join(str(p) for p in e["loc"][1:]) or "body" for e in exc.errors()})
    return _error(422, "invalid input: " + ", ".join(fields))


async def _database_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
    log_event(log, "database_error", logging.ERROR, error=type(exc).__name__)
    return _error(503, "the account database is unavailable")


def create_app(
    engine: Engine,
    service_token_value: str,
    identity_secret: Optional[str],
    limits: Optional[Limits] = None,
    support_limits: Optional[Limits] = None,
    identity_lifetime: Optional[int] = None,
) -> FastAPI:
    if not service_token_value:
        raise ValueError("a service token is required")
    app = FastAPI(
        title="nuget.org account backend",
        version="1.0",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.service_token = service_token_value
    app.state.identity_secret = identity_secret
    # the longest an identity token may live, iat to exp (IDENTITY_MAX_LIFETIME_SECONDS)
    app.state.identity_lifetime = identity_lifetime or max_lifetime()
    app.state.limiter = LookupLimiter(engine, limits or Limits.from_env())
    support_budget = support_limits or Limits.from_env("SUPPORT", SUPPORT_LIMITS)
    app.state.support_limiter = LookupLimiter(engine, support_budget, scope="support-request:")
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(LookupLimited, _limited)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(SQLAlchemyError, _database_error)

    @app.get("/health", include_in_schema=False)
    def health() -> Dict[str, str]:
        return {"status": "ok"}

    guarded = [Depends(service_token)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    def openapi() -> Dict[str, Any]:
        return app.openapi()

    for router in (accounts.router, support.router, identity.router):
        app.include_router(router, dependencies=guarded)
    return app
