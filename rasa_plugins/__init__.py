"""Everything Rasa loads by dotted name: channels (credentials.yml), NLU components
(config.yml), the tracker and lock stores (endpoints.yml), and the patches to Rasa 3.6.

Every Rasa process imports this package before it loads any of those, so this is the one
place the patches are applied: `patches.apply()` checks the Rasa version, honours
`RASA_SPEEDUPS` and logs one line naming what it applied (see rasa_plugins/patches.py, whose
docstring is also the list of private Rasa members to check on an upgrade). The request
deadlines of common/sanic_deadlines.py are applied here too, whatever RASA_SPEEDUPS says:
they are a protection, not a speed fix. The terminal chat's sign-in
(rasa_plugins/terminal_identity.py) is switched on here too; it acts only when scripts/chat.sh
sets its variable.
"""

from common import sanic_deadlines
from rasa_plugins import patches, terminal_identity

patches.apply()
sanic_deadlines.apply()
terminal_identity.apply()
