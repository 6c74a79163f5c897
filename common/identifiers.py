"""What a NuGet username, an email address and a domain look like: one definition for the
account backend's input validation and the assistant's account form."""

USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
EMAIL = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$"
DOMAIN = r"^[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$"
MAX_EMAIL = 254
