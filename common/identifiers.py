"""What a NuGet username, an email address and a domain look like: one definition for the
account backend's input validation and the assistant's account form (common/masking.py reads
addresses more widely, as people type them). And where a signed identity travels: the field of
a message's metadata that holds it, and its longest accepted length."""

LOCAL_CHAR = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]"  # of an address's local part (RFC 5322 atext)
MAX_LOCAL = 64  # characters of a local part (RFC 5321)
LABEL = r"[A-Za-z0-9-]{1,63}"  # one label of a domain name
MAX_LABELS = 126  # labels of a domain that fits in MAX_EMAIL

USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
EMAIL = rf"^{LOCAL_CHAR}{{1,{MAX_LOCAL}}}@{LABEL}(\.{LABEL})+$"
DOMAIN = rf"^{LABEL}(\.{LABEL})+$"
MAX_EMAIL = 254

# The signed identity a host page vouches for (account_backend/identity.py), in message metadata:
# read by the action server, verified by the backend, never stored (rasa_plugins/at_rest.py).
IDENTITY_TOKEN_FIELD = "identity_token"
MAX_IDENTITY_TOKEN = 2048  # characters; a longer token is not read
