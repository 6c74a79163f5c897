"""Signed identities: the host page vouches for a signed-in user (account_backend/identity.py)."""

from __future__ import annotations

from typing import Dict, Optional

from fastapi import APIRouter, HTTPException

from account_backend import dependencies, identity
from account_backend.schemas import IdentityIn, IdentityOut

router = APIRouter(prefix="/v1/identity")


@router.post("/verify", response_model=IdentityOut)
def verify_identity(
    body: IdentityIn, secret: Optional[str] = dependencies.IDENTITY_SECRET
) -> Dict[str, str]:
    username = identity.verify(body.token, secret) if secret else None
    if not username:
        raise HTTPException(status_code=401, detail="identity token is not valid")
    return {"username": username}
