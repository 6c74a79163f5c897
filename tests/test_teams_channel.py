"""The Teams (Bot Framework) channel against a loopback stand-in for Microsoft's endpoints:
OpenID metadata + JWKS (keys generated here), the Entra token endpoint, and the connector.

Unit tests drive the auth classes and the channel's handler directly; the `model` tests
post signed and unsigned activities to a real `rasa run` and watch what reaches the
stand-in connector."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from rasa_plugins.channels.botframework_auth import (
    ISSUER,
    SCOPE,
    AuthError,
    BotFrameworkSettings,
    JwtValidator,
    KeysUnavailable,
    TokenProvider,
    TokenUnavailable,
)
from rasa_plugins.channels.limits import MAX_MESSAGE_CHARS, TOO_LONG
from rasa_plugins.channels.teams import TeamsChannel, message_metadata, message_text
from rasa_plugins.channels.teams_output import HERO_CARD as HERO
from rasa_plugins.channels.teams_output import card_action, reply_envelope, reply_url
from tests.helpers import feedback_buttons, parsed_payload
from tools.servers import MODEL, free_port, start_assistant, stop

APP_ID = "00000000-1111-2222-3333-444444444444"
APP_PASSWORD = "test-client-secret"
TENANT = "11111111-2222-3333-4444-555555555555"
KID = "standin-key"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private_key: Any, kid: str, endorsements: Optional[List[str]] = None) -> Dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    jwk.update(kid=kid, use="sig")
    if endorsements is not None:
        jwk["endorsements"] = endorsements
    return jwk


class StandIn:
    """Microsoft's endpoints on loopback; records what the bot sent them."""

    def __init__(self) -> None:
        self.jwks: List[Dict] = [public_jwk(KEY, KID, ["msteams"])]
        self.access_token = "standin-access-" + uuid.uuid4().hex
        self.expires_in = 3600
        self.token_status = 200
        self.connector_statuses: List[int] = []  # answered first, then 200
        self.metadata_requests = 0
        self.token_requests: List[Dict[str, str]] = []
        self.posts: List[Dict[str, Any]] = []
        handler = type("Handler", (_Handler,), {"standin": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        serve = self.server.serve_forever  # a short poll: shutdown() returns quickly
        threading.Thread(target=serve, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def metadata_url(self) -> str:
        return self.url + "/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.url}/{TENANT}/oauth2/v2.0/token"

    def settings(self, **overrides: str) -> BotFrameworkSettings:
        env = {
            "MICROSOFT_APP_ID": APP_ID,
            "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
            "MICROSOFT_APP_TENANT_ID": TENANT,
            "BOTFRAMEWORK_OPENID_METADATA_URL": self.metadata_url,
            "BOTFRAMEWORK_TOKEN_URL": self.token_url,
            **overrides,
        }
        return BotFrameworkSettings.from_env(env)


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        s = self.standin
        if self.path == "/v1/.well-known/openidconfiguration":
            s.metadata_requests += 1
            self._json(200, {"issuer": ISSUER, "jwks_uri": s.url + "/v1/.well-known/keys"})
        elif self.path == "/v1/.well-known/keys":
            self._json(200, {"keys": s.jwks})
        else:
            self._json(404, {})

    def do_POST(self) -> None:
        s = self.standin
        body = self._body()
        if self.path.endswith("/oauth2/v2.0/token"):
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            s.token_requests.append({**form, "path": self.path})
            if s.token_status != 200:
                self._json(s.token_status, {"error": "invalid_client"})
                return
            self._json(
                200,
                {
                    "token_type": "Bearer",
                    "expires_in": s.expires_in,
                    "access_token": s.access_token,
                },
            )
        elif self.path.startswith("/v3/conversations/"):
            status = s.connector_statuses.pop(0) if s.connector_statuses else 200
            auth = self.headers.get("Authorization")
            s.posts.append(
                {
                    "path": self.path,
                    "authorization": auth,
                    "activity": json.loads(body),
                    "status": status,
                }
            )
            self._json(status, {"id": f"reply-{len(s.posts)}"})
        else:
            self._json(404, {})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def standin():
    s = StandIn()
    yield s
    s.close()


def claims(service_url: str, **overrides: Any) -> Dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": APP_ID,
        "nbf": now - 60,
        "exp": now + 3600,
        "serviceurl": service_url,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: Dict[str, Any], key: Any = KEY, kid: str = KID, alg: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


def bearer(token: str) -> str:
    return f"Bearer {token}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- settings --------------------------------------------------------------------------


def test_single_tenant_token_url_is_derived_from_the_tenant():
    env = {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "x",
        "MICROSOFT_APP_TENANT_ID": TENANT,
    }
    settings = BotFrameworkSettings.from_env(env)
    assert settings.problem is None and settings.app_type == "SingleTenant"
    assert settings.token_url == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    assert settings.openid_metadata_url == (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )


def test_multi_tenant_uses_the_botframework_tenant():
    base = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "x"}
    expected = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert BotFrameworkSettings.from_env(base).token_url == expected
    explicit = {**base, "MICROSOFT_APP_TENANT_ID": TENANT, "MICROSOFT_APP_TYPE": "MultiTenant"}
    assert BotFrameworkSettings.from_env(explicit).token_url == expected


def test_token_url_override_wins():
    env = {"MICROSOFT_APP_TENANT_ID": TENANT, "BOTFRAMEWORK_TOKEN_URL": "http://127.0.0.1:1/t"}
    assert BotFrameworkSettings.from_env(env).token_url == "http://127.0.0.1:1/t"


FULL = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "s3cret-value"}


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({}, "MICROSOFT_APP_ID"),
        ({"MICROSOFT_APP_ID": APP_ID}, "MICROSOFT_APP_PASSWORD"),
        ({**FULL, "MICROSOFT_APP_TYPE": "SingleTenant"}, "MICROSOFT_APP_TENANT_ID"),
        ({**FULL, "MICROSOFT_APP_TYPE": "UserAssignedMSI"}, "MICROSOFT_APP_TYPE"),
        ({**FULL, "MICROSOFT_APP_TENANT_ID": "evil/../path"}, "MICROSOFT_APP_TENANT_ID"),
    ],
)
def test_incomplete_settings_name_the_variable_not_the_secret(env, fragment):
    settings = BotFrameworkSettings.from_env(env)
    assert fragment in settings.problem and "s3cret-value" not in settings.problem
    assert "s3cret-value" not in repr(settings)


# --- outgoing token --------------------------------------------------------------------


def test_token_is_fetched_with_client_credentials_and_cached(standin):
    clock = FakeClock()
    provider = TokenProvider(standin.settings(), clock=clock)
    assert asyncio.run(provider.token()) == standin.access_token
    assert standin.token_requests == [
        {
            "grant_type": "client_credentials",
            "client_id": APP_ID,
            "client_secret": APP_PASSWORD,
            "scope": SCOPE,
            "path": f"/{TENANT}/oauth2/v2.0/token",
        }
    ]
    clock.now += 3600 - 300 - 1  # just before the renewal margin
    assert asyncio.run(provider.token()) == standin.access_token
    assert len(standin.token_requests) == 1
    clock.now += 1
    standin.access_token = "renewed"
    assert asyncio.run(provider.token()) == "renewed"
    assert len(standin.token_requests) == 2


def test_refused_credentials_are_token_unavailable(standin):
    standin.token_status = 401
    with pytest.raises(TokenUnavailable):
        asyncio.run(TokenProvider(standin.settings()).token())


# --- incoming JWT ----------------------------------------------------------------------


def validate(validator: JwtValidator, token: str, service_url: str, channel="msteams") -> Dict:
    return asyncio.run(validator.validate(bearer(token), service_url, channel))


def test_a_correctly_signed_token_is_accepted(standin):
    validator = JwtValidator(standin.settings())
    got = validate(validator, sign(claims(standin.url)), standin.url)
    assert got["aud"] == APP_ID and got["iss"] == ISSUER


def test_a_token_expired_within_the_clock_skew_is_accepted(standin):
    token = sign(claims(standin.url, exp=int(time.time()) - 60))
    assert validate(JwtValidator(standin.settings()), token, standin.url)["aud"] == APP_ID


def _bad_tokens(url: str) -> Dict[str, str]:
    now = int(time.time())
    hmac_secret = "a-shared-secret-that-is-long-enough-for-hs256"
    return {
        "unsigned (alg none)": jwt.encode(
            claims(url), None, algorithm="none", headers={"kid": KID}
        ),
        "hmac with a guessed secret": sign(claims(url), hmac_secret, alg="HS256"),
        "wrong key under the known kid": sign(claims(url), OTHER_KEY),
        "unknown kid": sign(claims(url), OTHER_KEY, kid="not-published"),
        "wrong audience": sign(claims(url, aud="some-other-bot")),
        "no audience": sign(claims(url, aud=None)),
        "wrong issuer": sign(claims(url, iss="https://sts.windows.net/attacker/")),
        "expired": sign(claims(url, exp=now - 3600, nbf=now - 7200)),
        "no expiry": sign(claims(url, exp=None)),
        "serviceUrl of another host": sign(claims("https://attacker.example/")),
        "tampered payload": _tampered(sign(claims(url)), claims(url, aud="x")),
        "not a jwt": "definitely-not-a-jwt",
    }


def _tampered(token: str, payload: Dict[str, Any]) -> str:
    header, _, signature = token.split(".")
    body = jwt.utils.base64url_encode(json.dumps(payload).encode()).decode()
    return f"{header}.{body}.{signature}"


@pytest.mark.parametrize("case", list(_bad_tokens("http://x")))
def test_bad_tokens_are_rejected(standin, case):
    validator = JwtValidator(standin.settings())
    with pytest.raises(AuthError):
        validate(validator, _bad_tokens(standin.url)[case], standin.url)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_missing_or_non_bearer_authorization_is_rejected(standin, header):
    with pytest.raises(AuthError):
        asyncio.run(JwtValidator(standin.settings()).validate(header, standin.url, "msteams"))


def test_token_for_another_service_url_than_the_activity_is_rejected(standin):
    token = sign(claims(standin.url))
    with pytest.raises(AuthError, match="serviceUrl"):
        validate(JwtValidator(standin.settings()), token, "https://attacker.example/")


def test_key_not_endorsed_for_the_channel_is_rejected(standin):
    token = sign(claims(standin.url))
    with pytest.raises(AuthError, match="endorsed"):
        validate(JwtValidator(standin.settings()), token, standin.url, channel="webchat")


def test_keys_are_cached_and_refetched_for_a_new_kid(standin):
    clock = FakeClock()
    validator = JwtValidator(standin.settings(), clock=clock)
    validate(validator, sign(claims(standin.url)), standin.url)
    validate(validator, sign(claims(standin.url)), standin.url)
    assert standin.metadata_requests == 1

    standin.jwks.append(public_jwk(OTHER_KEY, "rotated", ["msteams"]))
    rotated = sign(claims(standin.url), OTHER_KEY, kid="rotated")
    with pytest.raises(AuthError, match="unknown signing key"):  # rate limit: no refetch yet
        validate(validator, rotated, standin.url)
    assert standin.metadata_requests == 1
    clock.now += 61
    assert validate(validator, rotated, standin.url)["aud"] == APP_ID
    assert standin.metadata_requests == 2


def test_unreachable_metadata_is_keys_unavailable_not_acceptance(standin):
    settings = standin.settings(
        BOTFRAMEWORK_OPENID_METADATA_URL=f"http://127.0.0.1:{free_port()}/m"
    )
    with pytest.raises(KeysUnavailable):
        validate(JwtValidator(settings), sign(claims(standin.url)), standin.url)


# --- rendering -------------------------------------------------------------------------


def test_buttons_are_card_actions_that_come_back_as_the_payload():
    assert card_action({"title": "Next step", "payload": "/next_step"}) == {
        "type": "messageBack",
        "title": "Next step",
        "displayText": "Next step",
        "text": "/next_step",
        "value": {"payload": "/next_step"},
    }
    assert card_action({"title": "yes", "payload": "yes"}) == {
        "type": "imBack",
        "title": "yes",
        "value": "yes",
    }
    assert card_action({"title": "Docs", "url": "https://learn.microsoft.com/nuget"})["type"] == (
        "openUrl"
    )


def test_the_feedback_buttons_are_card_actions_whose_click_is_their_payload():
    for button, helpful in zip(feedback_buttons(), ("yes", "no"), strict=True):
        action = card_action(button)
        assert action == {
            "type": "messageBack",
            "title": button["title"],
            "displayText": button["title"],
            "text": button["payload"],
            "value": {"payload": button["payload"]},
        }
        # Teams sends the action's text as the message (or only its value): either way the
        # bot gets the payload, which Rasa reads as the feedback it says
        for clicked in ({"text": action["text"]}, {"text": "", "value": action["value"]}):
            text = message_text(activity("https://x/", **clicked))
            intent, entities = parsed_payload(text)
            assert intent == "feedback" and entities["helpful"] == helpful and entities["question"]


def activity(service_url: str, text: str = "forgot my password", **overrides: Any) -> Dict:
    base = {
        "type": "message",
        "id": "1700000000000",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:user-1", "name": "A User", "aadObjectId": "aad-1"},
        "recipient": {"id": f"28:{APP_ID}", "name": "NuGet help"},
        "conversation": {
            "id": "a:1conv;messageid=1",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "text": text,
    }
    base.update(overrides)
    return base


def test_replies_go_to_the_reply_url_from_the_bot_to_the_user():
    incoming = activity("https://smba.trafficmanager.net/emea/")
    assert reply_url(incoming) == (
        "https://smba.trafficmanager.net/emea/v3/conversations/a%3A1conv%3Bmessageid%3D1"
        "/activities/1700000000000"
    )
    envelope = reply_envelope(incoming)
    assert envelope["from"]["id"] == f"28:{APP_ID}" and envelope["recipient"]["id"] == "29:user-1"
    assert envelope["replyToId"] == "1700000000000"
    without_id = {k: v for k, v in incoming.items() if k != "id"}
    assert reply_url(without_id).endswith("/v3/conversations/a%3A1conv%3Bmessageid%3D1/activities")


def test_mentions_are_dropped_and_metadata_carries_conversation_and_tenant():
    incoming = activity("https://x/", text="<at>NuGet help</at> forgot my password")
    assert message_text(incoming) == "forgot my password"
    assert message_text(activity("https://x/", text="", value={"payload": "/deny"})) == "/deny"
    assert message_metadata(incoming) == {
        "channel_id": "msteams",
        "conversation_id": "a:1conv;messageid=1",
        "tenant_id": TENANT,
    }


# --- the channel's handler, without Rasa -----------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.messages: List[Any] = []

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)


def handle(channel: TeamsChannel, authorization: Optional[str], body: Any, on_new=None):
    recorder = on_new or Recorder()
    return asyncio.run(channel.handle(authorization, body, recorder)), recorder


def test_unconfigured_channel_answers_503_and_processes_nothing():
    channel = TeamsChannel(BotFrameworkSettings.from_env({}))
    answer, recorder = handle(channel, "Bearer whatever", activity("https://x/"))
    assert answer.status == 503 and answer.text.startswith("Teams channel is not configured")
    assert recorder.messages == []


def test_unsigned_activity_is_401_and_not_processed(standin):
    channel = TeamsChannel(standin.settings())
    unsigned = jwt.encode(claims(standin.url), None, algorithm="none", headers={"kid": KID})
    for header in (None, bearer(unsigned)):
        answer, recorder = handle(channel, header, activity(standin.url))
        assert answer.status == 401 and recorder.messages == []
    assert standin.posts == [] and standin.token_requests == []


def test_conversation_update_is_acknowledged_and_ignored(standin):
    channel = TeamsChannel(standin.settings())
    update = activity(standin.url, type="conversationUpdate", membersAdded=[{"id": "29:user-1"}])
    answer, recorder = handle(channel, bearer(sign(claims(standin.url))), update)
    assert answer.status == 200 and recorder.messages == []


def test_signed_but_malformed_or_failing_messages_are_not_200(standin):
    channel = TeamsChannel(standin.settings())
    token = bearer(sign(claims(standin.url)))
    no_sender = {k: v for k, v in activity(standin.url).items() if k != "from"}
    answer, recorder = handle(channel, token, no_sender)
    assert answer.status == 400 and recorder.messages == []

    async def broken(message: Any) -> None:
        raise RuntimeError("boom")

    answer, _ = handle(channel, token, activity(standin.url), broken)
    assert answer.status == 500 and standin.posts == []


def test_signed_message_reaches_rasa_and_the_reply_reaches_the_connector(standin):
    channel = TeamsChannel(standin.settings())

    async def reply(message: Any) -> None:
        buttons = [{"title": "Next step", "payload": "/next_step"}]
        await message.output_channel.send_response(message.sender_id, {"text": "hi [x](https://y)"})
        await message.output_channel.send_response(
            message.sender_id, {"text": "Step 1", "buttons": buttons}
        )

    recorder = Recorder()

    async def on_new(message: Any) -> None:
        await recorder(message)
        await reply(message)

    answer, _ = handle(channel, bearer(sign(claims(standin.url))), activity(standin.url), on_new)
    assert answer.status == 200
    (message,) = recorder.messages
    assert (message.text, message.sender_id, message.input_channel) == (
        "forgot my password",
        "29:user-1",
        "teams",
    )
    assert message.metadata["tenant_id"] == TENANT
    text, card = standin.posts
    path = "/v3/conversations/a%3A1conv%3Bmessageid%3D1/activities/1700000000000"
    assert text["path"] == card["path"] == path
    assert text["authorization"] == card["authorization"] == bearer(standin.access_token)
    assert text["activity"]["text"] == "hi [x](https://y)"
    assert text["activity"]["textFormat"] == "markdown"
    assert text["activity"]["recipient"]["id"] == "29:user-1"
    content = card["activity"]["attachments"][0]["content"]
    assert content["text"] == "Step 1" and content["buttons"][0]["text"] == "/next_step"
    assert len(standin.token_requests) == 1  # cached for the second reply


def test_a_refused_connector_token_is_renewed_once(standin):
    channel = TeamsChannel(standin.settings())
    standin.connector_statuses = [401]

    async def on_new(message: Any) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "hi"})

    answer, _ = handle(channel, bearer(sign(claims(standin.url))), activity(standin.url), on_new)
    assert answer.status == 200
    assert [p["status"] for p in standin.posts] == [401, 200]
    assert len(standin.token_requests) == 2


def test_a_too_long_teams_message_is_answered_and_not_passed_on(standin):
    channel = TeamsChannel(standin.settings())
    token = bearer(sign(claims(standin.url)))
    too_long = activity(standin.url, text="x" * (MAX_MESSAGE_CHARS + 1))
    answer, recorder = handle(channel, token, too_long)
    assert answer.status == 200 and recorder.messages == []
    (reply,) = standin.posts
    assert reply["activity"]["text"] == TOO_LONG
    assert reply["activity"]["recipient"]["id"] == "29:user-1"


def test_oversized_teams_metadata_is_dropped(standin):
    channel = TeamsChannel(standin.settings())
    token = bearer(sign(claims(standin.url)))
    attachments = [{"contentType": "text/html", "content": "<p>" + "y" * 5000 + "</p>"}]
    answer, recorder = handle(channel, token, activity(standin.url, attachments=attachments))
    assert answer.status == 200
    (message,) = recorder.messages
    assert message.text == "forgot my password" and message.metadata is None
    _, small = handle(channel, token, activity(standin.url))
    assert small.messages[0].metadata["tenant_id"] == TENANT


# --- end to end: a real `rasa run` -----------------------------------------------------


@pytest.mark.model
def test_the_default_server_starts_with_teams_unconfigured(assistant):
    if os.environ.get("MICROSOFT_APP_ID"):
        pytest.skip("this shell configures Teams")
    response = requests.post(f"{assistant.url}/webhooks/teams/webhook", json={}, timeout=10)
    assert response.status_code == 503
    assert response.text.startswith("Teams channel is not configured")
    assert assistant.say("teams-unconfigured", "hello")  # the other channels still answer


@pytest.fixture(scope="module")
def teams_stack(backend, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test trains it)")
    s = StandIn()
    env = {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
        "MICROSOFT_APP_TENANT_ID": TENANT,
        "MICROSOFT_APP_TYPE": "SingleTenant",
        "BOTFRAMEWORK_OPENID_METADATA_URL": s.metadata_url,
        "BOTFRAMEWORK_TOKEN_URL": s.token_url,
    }
    assistant, processes = start_assistant(tmp_path_factory.mktemp("teams"), backend, env)
    yield assistant, s
    stop(processes)
    s.close()


def post_activity(url: str, body: Dict, authorization: Optional[str]) -> requests.Response:
    headers = {"Authorization": authorization} if authorization else {}
    return requests.post(f"{url}/webhooks/teams/webhook", json=body, headers=headers, timeout=60)


def turn(stack, user: str, text: str, message_id: str) -> List[Dict[str, Any]]:
    """Posts a signed message; returns the activities the connector got for it."""
    assistant, s = stack
    before = len(s.posts)
    body = activity(s.url, text, id=message_id, **{"from": {"id": user}})
    response = post_activity(assistant.url, body, bearer(sign(claims(s.url))))
    assert response.status_code == 200, response.text
    return s.posts[before:]


def shown_text(posted: Dict[str, Any]) -> str:
    """What Teams shows of a posted activity: its text, or its hero card's text."""
    activity = posted["activity"]
    cards = [a["content"] for a in activity.get("attachments", []) if a["contentType"] == HERO]
    return activity.get("text") or (cards[0].get("text", "") if cards else "")


def card_buttons(posted: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    attachments = posted["activity"].get("attachments", [])
    return {b["title"]: b for a in attachments for b in a["content"].get("buttons", [])}


@pytest.mark.model
def test_teams_conversation_end_to_end(teams_stack):
    _, s = teams_stack
    user = "29:e2e-" + uuid.uuid4().hex[:8]
    tenant_question = "login fails with my company email, unmanaged azure ad tenant"
    (ask,) = turn(teams_stack, user, tenant_question, "m1")
    assert ask["authorization"] == bearer(s.access_token)
    assert ask["path"].endswith("/activities/m1")
    assert ask["activity"]["recipient"]["id"] == user and ask["activity"]["replyToId"] == "m1"
    assert "Which email address (or domain) fails to sign in?" in shown_text(ask)
    assert s.token_requests[0]["client_id"] == APP_ID
    assert s.token_requests[0]["client_secret"] == APP_PASSWORD
    assert s.token_requests[0]["scope"] == SCOPE

    replies = turn(teams_stack, user, "skip", "m2")
    step = replies[-1]
    assert step["activity"]["attachments"][0]["contentType"] == HERO
    assert shown_text(step).startswith("Step 1 of 2")
    next_step = card_buttons(step)["Next step"]
    assert next_step["type"] == "messageBack" and next_step["displayText"] == "Next step"

    # A click on "Next step": Teams sends the action's text as the message text.
    (step_2,) = turn(teams_stack, user, next_step["text"], "m3")
    assert shown_text(step_2).startswith("Step 2 of 2")
    assert "https://docs.microsoft.com/en-us/azure/" in shown_text(step_2)  # links stay in markdown
    assert len(s.token_requests) == 1  # one token for the whole conversation


@pytest.mark.model
def test_did_this_help_is_answered_by_a_card_click_in_teams(teams_stack):
    user = "29:feedback-" + uuid.uuid4().hex[:8]
    step = turn(teams_stack, user, "how do I create a nuget account?", "f1")[-1]
    assert shown_text(step).startswith("Step 1 of")
    asked = turn(teams_stack, user, card_buttons(step)["That worked"]["text"], "f2")[-1]
    assert "Did this help?" in shown_text(asked)
    buttons = card_buttons(asked)
    assert list(buttons) == ["👍 Yes, it helped", "👎 No"]
    assert all(b["type"] == "messageBack" for b in buttons.values())
    (prompt,) = turn(teams_stack, user, buttons["👎 No"]["text"], "f3")
    assert "What was missing or wrong?" in shown_text(prompt)
    replies = turn(teams_stack, user, card_buttons(prompt)["Skip"]["text"], "f4")
    assert "Shall I open it?" in shown_text(replies[-1])


@pytest.mark.model
def test_unsigned_or_forged_activities_are_rejected_end_to_end(teams_stack):
    assistant, s = teams_stack
    body = activity(s.url, "forgot my password", id="forged", **{"from": {"id": "29:forger"}})
    unsigned = jwt.encode(claims(s.url), None, algorithm="none", headers={"kid": KID})
    before = len(s.posts)
    for authorization in (None, bearer(unsigned), bearer(sign(claims(s.url), OTHER_KEY))):
        response = post_activity(assistant.url, body, authorization)
        assert response.status_code == 401
    update = activity(s.url, type="conversationUpdate", id="cu")
    assert post_activity(assistant.url, update, bearer(sign(claims(s.url)))).status_code == 200
    time.sleep(1)  # anything posted in the background would have arrived by now
    assert len(s.posts) == before
