"""`make chat SIGN_IN=<demo username>`: the terminal chat speaks for a signed-in user.

`rasa shell` posts each typed message to its own `cmdline` channel without metadata, so a
terminal user could not reach the checks that need a signed-in user (README, "Walk-through with
the demo accounts"). scripts/chat.sh mints a token for the demo account the developer names
(tools/demo_identity.py, signed with the checkout's IDENTITY_SECRET) and passes it in
`CHAT_IDENTITY_TOKEN`; here the `cmdline` channel attaches it to every message, as the help
site's widget does for its signed-in user. No other channel is touched, and without the
variable nothing is.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional

from common.identifiers import IDENTITY_TOKEN_FIELD, MAX_IDENTITY_TOKEN

ENV = "CHAT_IDENTITY_TOKEN"


def apply(environ: Optional[Mapping[str, str]] = None) -> bool:
    """Makes the `cmdline` channel send the token in ENV, if one is set; True when it does."""
    token = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not token or len(token) >= MAX_IDENTITY_TOKEN:  # the action server would not read it
        return False
    from rasa.core.channels.console import CmdlineInput

    stock = CmdlineInput.get_metadata

    def get_metadata(self: CmdlineInput, request: Any) -> Dict[str, Any]:
        return {**(stock(self, request) or {}), IDENTITY_TOKEN_FIELD: token}

    CmdlineInput.get_metadata = get_metadata
    return True
