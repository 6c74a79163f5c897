"""Accounts, Microsoft logins and tenants: the look-ups the account check makes."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from fastapi import APIRouter, HTTPException, Path, Request
from sqlalchemy.engine import Engine

from account_backend import dependencies, queries
from account_backend.schemas import Account, EmailQuery, LoginLink, Tenant
from common.identifiers import DOMAIN, USERNAME

router = APIRouter(prefix="/v1")


def _account_view(engine: Engine, find: Callable[[Any, str], Any], key: str) -> Dict[str, Any]:
    """The account `find` gives for `key`, as the API shows it; 404 when there is none."""
    with engine.connect() as connection:
        account = find(connection, key)
        if not account:
            raise HTTPException(status_code=404, detail="no such account")
        return queries.account_view(connection, account)


@router.get("/accounts/{username}", response_model=Account)
def get_account(
    request: Request,
    username: str = Path(..., regex=USERNAME),
    conversation: Optional[str] = dependencies.CONVERSATION,
    client: Optional[str] = dependencies.CLIENT,
    engine: Engine = dependencies.DATABASE,
) -> Dict[str, Any]:
    dependencies.admit(request, conversation, client)
    return _account_view(engine, queries.find_account, username)


@router.post("/accounts/lookup", response_model=Account)
def lookup_account(
    request: Request,
    query: EmailQuery,
    conversation: Optional[str] = dependencies.CONVERSATION,
    client: Optional[str] = dependencies.CLIENT,
    engine: Engine = dependencies.DATABASE,
) -> Dict[str, Any]:
    """The account whose Microsoft login (or account email) is the given address."""
    dependencies.admit(request, conversation, client)
    return _account_view(engine, queries.find_account_by_email, query.email)


@router.post("/microsoft-logins/lookup", response_model=LoginLink)
def login_link(
    request: Request,
    query: EmailQuery,
    conversation: Optional[str] = dependencies.CONVERSATION,
    client: Optional[str] = dependencies.CLIENT,
    engine: Engine = dependencies.DATABASE,
) -> Dict[str, Any]:
    """Whether a Microsoft account is already the login of a NuGet account."""
    dependencies.admit(request, conversation, client)
    with engine.connect() as connection:
        owner = queries.login_owner(connection, query.email)
    return {"linked": owner is not None, "username": owner}


@router.get("/tenants/{domain}", response_model=Tenant)
def get_tenant(
    request: Request,
    domain: str = Path(..., max_length=253, regex=DOMAIN),
    conversation: Optional[str] = dependencies.CONVERSATION,
    client: Optional[str] = dependencies.CLIENT,
    engine: Engine = dependencies.DATABASE,
) -> Dict[str, Any]:
    dependencies.admit(request, conversation, client)
    with engine.connect() as connection:
        return {"domain": domain.lower(), "state": queries.tenant_state(connection, domain)}
