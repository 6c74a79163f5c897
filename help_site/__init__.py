"""The help-site page with the chat widget, and the small static server that serves it."""
