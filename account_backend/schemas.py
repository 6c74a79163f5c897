"""What the backend's routes take and give (pydantic models): the API's contract."""

from __future__ import annotations

from datetime import date
from typing import List, Literal, Optional

from pydantic import BaseModel, Field, constr

from common.identifiers import EMAIL, MAX_EMAIL, MAX_IDENTITY_TOKEN


class MicrosoftAccount(BaseModel):
    kind: str = Field(description='"msa" (personal Microsoft account) or "aad" (work/school)')
    email_masked: str
    domain: str


class Package(BaseModel):
    name: str
    sole_owner: bool
    other_owners: List[str] = Field(description="the other owners' usernames (public on nuget.org)")


class ReceivedInvitation(BaseModel):
    package: str
    from_username: str


class SentInvitation(BaseModel):
    package: str
    to_username: str


class OwnershipInvitations(BaseModel):
    """Pending ownership invitations, not yet confirmed by the invited account."""

    received: List[ReceivedInvitation]
    sent: List[SentInvitation]


class Organization(BaseModel):
    name: str
    role: Literal["admin", "collaborator"]
    last_admin: bool = Field(description="an admin, and the organization's only one")


class ApiKey(BaseModel):
    """A key's metadata; its value is never stored, so it cannot be shown."""

    name: str
    scopes: List[str] = Field(description='e.g. "push only new package versions", "unlist"')
    glob_patterns: List[str]
    expires_on: Optional[date] = Field(description="None: no expiry date (legacy keys)")
    legacy: bool


class Account(BaseModel):
    username: str
    is_organization: bool
    password_login: bool
    email_masked: str
    email_confirmed: bool
    locked: bool
    microsoft_account: Optional[MicrosoftAccount]
    packages: List[Package]
    ownership_invitations: OwnershipInvitations
    organizations: List[Organization]
    api_keys: List[ApiKey]


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
    # The address the user gave for the reply, with their consent; stored only here.
    contact_email: Optional[constr(max_length=MAX_EMAIL, regex=EMAIL)] = None


class SupportRequestOut(BaseModel):
    reference: str


class IdentityIn(BaseModel):
    token: constr(max_length=MAX_IDENTITY_TOKEN)


class IdentityOut(BaseModel):
    username: str
