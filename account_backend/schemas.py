"""What the backend's routes take and give (pydantic models): the API's contract."""

from __future__ import annotations

from typing import List, Optional

from pydantic import BaseModel, Field, constr

from common.identifiers import EMAIL, MAX_EMAIL


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
