"""Retention of personal data: conversations (Rasa's SQL tracker store) and the account
backend's support requests and look-up attempts. See `python -m retention --help`."""
