"""Bot Framework authentication: the bot's own access token, and the check of incoming JWTs.

Plain classes over aiohttp and PyJWT, testable without Rasa. Rasa's stock connector asks
the multi-tenant `botframework.com` tenant for tokens, which a single-tenant bot (the only
kind Azure still creates) is refused; here the tenant comes from the configuration.
Protocol: https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

import aiohttp
import jwt
from yarl import URL

from common.logs import log_event

log = logging.getLogger(__name__)

LOGIN_URL = "https://login.microsoftonline.com"
MULTI_TENANT_TENANT = "botframework.com"
SCOPE = "https://api.botframework.com/.default"
DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256", "RS384", "RS512")
CLOCK_SKEW_SECONDS = 300  # what the Bot Framework SDKs allow
HTTP_TIMEOUT_SECONDS = 10.0
SINGLE_TENANT, MULTI_TENANT = "singletenant", "multitenant"
TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$")  # a GUID or a domain: URL-safe


class AuthError(Exception):
    """The request does not carry a valid Bot Framework token (answer 401)."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched, so no token can be checked now (answer 503)."""


class TokenUnavailable(Exception):
    """The bot could not get its own access token from Microsoft Entra ID."""


def token_url_for(tenant: str) -> str:
    return f"{LOGIN_URL}/{tenant}/oauth2/v2.0/token"


@dataclass(frozen=True)
class BotFrameworkSettings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    tenant_id: str = ""
    app_type: str = ""
    openid_metadata_url: str = DEFAULT_OPENID_METADATA_URL
    token_url_override: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> BotFrameworkSettings:
        tenant = env.get("MICROSOFT_APP_TENANT_ID", "").strip()
        default_type = "SingleTenant" if tenant else "MultiTenant"
        return cls(
            app_id=env.get("MICROSOFT_APP_ID", "").strip(),
            app_password=env.get("MICROSOFT_APP_PASSWORD", ""),
            tenant_id=tenant,
            app_type=env.get("MICROSOFT_APP_TYPE", "").strip() or default_type,
            openid_metadata_url=env.get("BOTFRAMEWORK_OPENID_METADATA_URL", "").strip()
            or DEFAULT_OPENID_METADATA_URL,
            token_url_override=env.get("BOTFRAMEWORK_TOKEN_URL", "").strip(),
        )

    @property
    def problem(self) -> Optional[str]:
        """What is missing or wrong, naming variables only (never values); None when usable."""
        if not (self.app_id and self.app_password):
            return "set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD"
        if self.app_type.lower() not in (SINGLE_TENANT, MULTI_TENANT):
            return "MICROSOFT_APP_TYPE must be SingleTenant or MultiTenant"
        if self.app_type.lower() == SINGLE_TENANT and not self.tenant_id:
            return "a SingleTenant bot needs MICROSOFT_APP_TENANT_ID"
        if self.tenant_id and not TENANT_ID.match(self.tenant_id):
            return "MICROSOFT_APP_TENANT_ID must be a tenant id (GUID) or domain"
        return None

    @property
    def token_url(self) -> str:
        if self.token_url_override:
            return self.token_url_override
        single = self.app_type.lower() == SINGLE_TENANT
        return token_url_for(self.tenant_id if single else MULTI_TENANT_TENANT)


async def fetch_json(method: str, url: Union[str, URL], **kwargs: Any) -> Tuple[int, Any]:
    """(status, parsed body or None). A session per call: no loop-bound state to share."""
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.request(method, url, **kwargs) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return response.status, body


class TokenProvider:
    """The bot's OAuth client-credentials token, cached until shortly before it expires."""

    def __init__(
        self,
        settings: BotFrameworkSettings,
        clock: Callable[[], float] = time.monotonic,
        margin_seconds: float = 300.0,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._margin = margin_seconds
        self._token: Optional[str] = None
        self._renew_at = 0.0

    async def token(self) -> str:
        if self._token is None or self._clock() >= self._renew_at:
            self._token, lifetime = await self._request()
            # Renew `margin` early, but never later than halfway through a short lifetime.
            self._renew_at = self._clock() + max(lifetime - self._margin, lifetime / 2)
        return self._token

    def invalidate(self) -> None:
        """Forget the token (the connector refused it)."""
        self._token = None

    async def _request(self) -> Tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._settings.app_id,
            "client_secret": self._settings.app_password,
            "scope": SCOPE,
        }
        try:
            status, body = await fetch_json("POST", self._settings.token_url, data=form)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TokenUnavailable(type(error).__name__) from error
        if status != 200 or not isinstance(body, dict) or "access_token" not in body:
            # Entra's `error` is a code such as invalid_client: useful, and no secret.
            code = body.get("error") if isinstance(body, dict) else None
            log_event(log, "botframework_token_failed", logging.ERROR, status=status, error=code)
            raise TokenUnavailable(f"token endpoint answered {status}")
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0
        return str(body["access_token"]), lifetime


@dataclass(frozen=True)
class SigningKey:
    key: Any  # a cryptography public key
    endorsements: Optional[Tuple[str, ...]]  # channel ids this key may sign for, if listed


def parse_jwks(jwks: Any) -> Dict[str, SigningKey]:
    """kid -> key, skipping keys that are not usable RSA keys."""
    keys: Dict[str, SigningKey] = {}
    for entry in jwks.get("keys", []) if isinstance(jwks, dict) else []:
        if not isinstance(entry, dict) or not entry.get("kid") or entry.get("kty") != "RSA":
            continue
        try:
            public_key = jwt.PyJWK(entry).key
        except (jwt.PyJWTError, ValueError, TypeError):
            continue
        endorsements = entry.get("endorsements")
        listed = tuple(map(str, endorsements)) if isinstance(endorsements, list) else None
        keys[str(entry["kid"])] = SigningKey(public_key, listed)
    return keys


def bearer_token(authorization: Optional[str]) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("no bearer token")
    return token.strip()


class JwtValidator:
    """Checks the JWT the Bot Framework Service sends with every activity."""

    def __init__(
        self,
        settings: BotFrameworkSettings,
        clock: Callable[[], float] = time.monotonic,
        keys_ttl_seconds: float = 24 * 3600,
        min_refetch_seconds: float = 60.0,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._ttl = keys_ttl_seconds
        self._min_refetch = min_refetch_seconds
        self._keys: Dict[str, SigningKey] = {}
        self._fetched_at: Optional[float] = None  # last successful fetch
        self._tried_at: Optional[float] = None  # last attempt, for the rate limit

    async def validate(
        self,
        authorization: Optional[str],
        service_url: Optional[str],
        channel_id: Optional[str] = None,
    ) -> Dict[str, Any]:
        """The token's claims; raises AuthError (reject) or KeysUnavailable (try later)."""
        token = bearer_token(authorization)
        algorithm, kid = _checked_header(token)
        key = await self._key(kid)
        claims = self._decode(token, key, algorithm)
        claimed_url = claims.get("serviceurl", claims.get("serviceUrl"))
        if claimed_url is not None and claimed_url != service_url:
            raise AuthError("serviceUrl does not match the token")
        if channel_id and key.endorsements is not None and channel_id not in key.endorsements:
            raise AuthError("signing key not endorsed for this channel")
        return claims

    def _decode(self, token: str, key: SigningKey, algorithm: str) -> Dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self._settings.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise AuthError(type(error).__name__) from error

    async def _key(self, kid: str) -> SigningKey:
        # Microsoft rotates keys: an unknown kid triggers a refetch, rate-limited so that
        # forged kids cannot turn every request into a round trip to the metadata endpoint.
        if (kid not in self._keys or self._stale()) and self._may_fetch():
            await self._refresh()
        if kid in self._keys:
            return self._keys[kid]
        if not self._keys:
            raise KeysUnavailable("no signing keys")
        raise AuthError("unknown signing key")

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._ttl

    def _may_fetch(self) -> bool:
        return self._tried_at is None or self._clock() - self._tried_at >= self._min_refetch

    async def _refresh(self) -> None:
        self._tried_at = self._clock()
        try:
            keys = await self._fetch_keys()
        except (aiohttp.ClientError, TimeoutError, KeysUnavailable) as error:
            # Keep the keys we have; without any, _key answers KeysUnavailable.
            log_event(log, "botframework_keys_failed", logging.WARNING, error=type(error).__name__)
            return
        self._keys, self._fetched_at = keys, self._clock()

    async def _fetch_keys(self) -> Dict[str, SigningKey]:
        status, metadata = await fetch_json("GET", self._settings.openid_metadata_url)
        if status != 200 or not isinstance(metadata, dict) or not metadata.get("jwks_uri"):
            raise KeysUnavailable(f"OpenID metadata answered {status}")
        status, jwks = await fetch_json("GET", str(metadata["jwks_uri"]))
        keys = parse_jwks(jwks) if status == 200 else {}
        if not keys:
            raise KeysUnavailable(f"JWKS answered {status} with no usable key")
        return keys


def _checked_header(token: str) -> Tuple[str, str]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise AuthError("malformed token") from error
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALGORITHMS:  # rules out "none" and HMAC tokens before any key lookup
        raise AuthError("token algorithm not allowed")
    if not isinstance(kid, str) or not kid:
        raise AuthError("token names no signing key")
    return algorithm, kid
