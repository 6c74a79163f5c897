"""The action server's package (`python -m rasa_sdk --actions actions`).

rasa-sdk imports it before its Sanic server starts, so this is where that server gets the
request deadlines (common/sanic_deadlines.py): a slow client is cut off; and its access
rules (server_access.py): loopback unless configured, the shared token when one is set.
"""

from actions import server_access
from common import sanic_deadlines

sanic_deadlines.apply()
server_access.register()
