"""The support team's side: outcomes and feedback derived from the stored conversations, the
review queue, the figures, and the page that shows them (docs/team.md)."""
