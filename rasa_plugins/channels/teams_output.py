"""Replies to Microsoft Teams: Rasa messages as Bot Framework activities, posted to the
connector (the activity's serviceUrl) with the bot's bearer token."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp
from rasa.core.channels.channel import OutputChannel
from yarl import URL

from common.logs import log_event
from rasa_plugins.channels.botframework_auth import TokenProvider, TokenUnavailable, fetch_json

log = logging.getLogger(__name__)
HERO_CARD = "application/vnd.microsoft.card.hero"


def reply_url(activity: Dict[str, Any]) -> str:
    """Reply to the incoming activity (threads in channels); a plain post when it has no id."""
    base = str(activity["serviceUrl"]).rstrip("/")
    url = f"{base}/v3/conversations/{quote(str(activity['conversation']['id']), safe='')}"
    url += "/activities"
    if activity.get("id"):
        url += "/" + quote(str(activity["id"]), safe="")
    return url


def reply_envelope(activity: Dict[str, Any]) -> Dict[str, Any]:
    """The addressing every reply to `activity` carries: from the bot, to the user."""
    envelope: Dict[str, Any] = {
        "type": "message",
        "from": activity.get("recipient") or {},
        "recipient": activity.get("from") or {},
        "conversation": {"id": activity["conversation"]["id"]},
    }
    if activity.get("id"):
        envelope["replyToId"] = activity["id"]
    return envelope


def card_action(button: Dict[str, Any]) -> Dict[str, Any]:
    """A Rasa button as a card action whose click comes back to the bot as a message."""
    title = str(button.get("title", ""))
    if button.get("url"):
        return {"type": "openUrl", "title": title, "value": str(button["url"])}
    payload = str(button.get("payload") or title)
    if payload == title:
        return {"type": "imBack", "title": title, "value": payload}
    # messageBack: the chat shows the title, the bot receives the payload as the text.
    return {
        "type": "messageBack",
        "title": title,
        "displayText": title,
        "text": payload,
        "value": {"payload": payload},
    }


def text_activity(text: str) -> Dict[str, Any]:
    # Markdown: Teams renders links, `code` and lists of the playbook texts.
    return {"text": text, "textFormat": "markdown"}


def card_activity(text: str, buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
    card = {"text": text, "buttons": [card_action(button) for button in buttons]}
    return {"attachments": [{"contentType": HERO_CARD, "content": card}]}


def image_activity(url: str) -> Dict[str, Any]:
    card = {"images": [{"url": url}]}
    return {"attachments": [{"contentType": HERO_CARD, "content": card}]}


class TeamsOutput(OutputChannel):
    """Posts the bot's messages of one turn as replies to the incoming activity."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    def __init__(self, tokens: TokenProvider, activity: Dict[str, Any]) -> None:
        self._tokens = tokens
        # Pre-encoded: Teams conversation ids hold ':' and ';' that must reach the
        # connector as %3A/%3B (as the Bot Framework SDKs send them), not normalised back.
        self._url = URL(reply_url(activity), encoded=True)
        self._envelope = reply_envelope(activity)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.post(text_activity(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.post(card_activity(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.post(image_activity(image))

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        await self.post(json_message)  # a Bot Framework activity fragment, sent as it is

    async def post(self, content: Dict[str, Any]) -> None:
        """One activity. A refused token is renewed once; other failures are logged."""
        activity = {**self._envelope, **content}
        for attempt in (1, 2):
            status = await self._post_once(activity)
            if status == 401 and attempt == 1:
                self._tokens.invalidate()
                continue
            if status is not None and status >= 300:
                log_event(log, "teams_reply_failed", logging.ERROR, status=status)
            return

    async def _post_once(self, activity: Dict[str, Any]) -> Optional[int]:
        try:
            headers = {"Authorization": f"Bearer {await self._tokens.token()}"}
            status, _ = await fetch_json("POST", self._url, json=activity, headers=headers)
            return status
        except (TokenUnavailable, aiohttp.ClientError, TimeoutError) as error:
            log_event(log, "teams_reply_failed", logging.ERROR, error=type(error).__name__)
            return None
