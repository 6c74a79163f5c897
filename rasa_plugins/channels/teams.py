"""Microsoft Teams through the Bot Framework, for single-tenant (and multi-tenant) Azure bots.

credentials.yml names `rasa_plugins.channels.teams.TeamsChannel` with no keys: the bot's
identity comes from the environment (docs/channels/teams.md). Webhook: POST /webhooks/teams/webhook.
Without MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD the server still starts and this channel
answers 503, so `make run` and the tests work without Teams. The size limits of
rasa_plugins/channels/limits.py apply (bodies, message text, metadata).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from common.logs import log_event
from rasa_plugins.channels.botframework_auth import (
    AuthError,
    BotFrameworkSettings,
    JwtValidator,
    KeysUnavailable,
    TokenProvider,
)
from rasa_plugins.channels.limits import checked, limit_request_bodies
from rasa_plugins.channels.teams_output import TeamsOutput

log = logging.getLogger(__name__)
NOT_CONFIGURED = "Teams channel is not configured"
MENTION = re.compile(r"<at>.*?</at>", re.DOTALL)  # "@Bot" in channel messages

Handler = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class Answer:
    status: int
    text: str = ""


def message_text(activity: Dict[str, Any]) -> str:
    """The user's text without @mentions; a card click without text carries its payload."""
    text = activity.get("text")
    if not isinstance(text, str) or not text.strip():
        value = activity.get("value")
        text = value.get("payload") if isinstance(value, dict) else None
    return MENTION.sub("", str(text or "")).strip()


def message_metadata(activity: Dict[str, Any]) -> Dict[str, Any]:
    conversation = activity["conversation"]
    tenant = conversation.get("tenantId") or (
        (activity.get("channelData") or {}).get("tenant") or {}
    ).get("id")
    metadata = {
        "channel_id": activity.get("channelId"),
        "conversation_id": conversation["id"],
        "tenant_id": tenant,
    }
    if activity.get("attachments"):
        metadata["attachments"] = activity["attachments"]
    return metadata


def is_replyable(activity: Dict[str, Any]) -> bool:
    """Has what a reply needs: a sender, a conversation and the connector's URL."""
    sender, conversation = activity.get("from"), activity.get("conversation")
    return (
        isinstance(sender, dict)
        and isinstance(sender.get("id"), str)
        and isinstance(conversation, dict)
        and isinstance(conversation.get("id"), str)
        and isinstance(activity.get("serviceUrl"), str)
    )


class TeamsChannel(InputChannel):
    """Bot Framework activities in, replies out through the connector's REST API."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        if credentials:  # keys here would be ignored: say so rather than run half-configured
            log_event(log, "teams_credentials_ignored", logging.WARNING, keys=sorted(credentials))
        return cls(BotFrameworkSettings.from_env())

    def __init__(self, settings: BotFrameworkSettings) -> None:
        self.problem = settings.problem
        self.validator = JwtValidator(settings)
        self.tokens = TokenProvider(settings)
        if self.problem:
            log_event(log, "teams_not_configured", logging.WARNING, fix=self.problem)

    async def handle(
        self, authorization: Optional[str], activity: Any, on_new_message: Handler
    ) -> Answer:
        if self.problem:
            return Answer(503, f"{NOT_CONFIGURED}: {self.problem}")
        activity = activity if isinstance(activity, dict) else {}
        try:
            await self.validator.validate(
                authorization, activity.get("serviceUrl"), activity.get("channelId")
            )
        except AuthError as error:
            log_event(log, "teams_request_rejected", logging.WARNING, reason=str(error))
            return Answer(401, "Unauthorized")
        except KeysUnavailable:
            return Answer(503, "Cannot verify Bot Framework tokens right now")
        if activity.get("type") != "message":
            return Answer(200)  # conversationUpdate, typing, reactions: nothing to say
        if not is_replyable(activity):
            return Answer(400, "Malformed activity")
        try:
            await checked(on_new_message, self.name())(self.user_message(activity))
        except Exception as error:  # answer 500, never crash the webhook
            log_event(log, "teams_message_failed", logging.ERROR, error=type(error).__name__)
            return Answer(500, "Message could not be processed")
        return Answer(200)

    def user_message(self, activity: Dict[str, Any]) -> UserMessage:
        return UserMessage(
            text=message_text(activity),
            output_channel=TeamsOutput(self.tokens, activity),
            sender_id=activity["from"]["id"],
            input_channel=self.name(),
            message_id=activity.get("id"),
            metadata=message_metadata(activity),
        )

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        teams = Blueprint("teams_webhook", __name__)

        @teams.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if self.problem:
                return response.text(NOT_CONFIGURED, status=503)
            return response.json({"status": "ok"})

        @teams.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            answer = await self.handle(
                request.headers.get("Authorization"), _json_body(request), on_new_message
            )
            return response.text(answer.text, status=answer.status)

        return limit_request_bodies(teams)


def _json_body(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # Sanic raises its own error type on bad JSON
        return None
