"""Rasa input channels of this assistant (the classes named in credentials.yml)."""
