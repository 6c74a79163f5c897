from __future__ import annotations

import pytest

from common.masking import mask_email, mask_text


@pytest.mark.parametrize(
    "email, masked",
    [
        ("account1@outlook.com", "a***1@outlook.com"),
        ("jo@outlook.com", "j***@outlook.com"),
        ("j@outlook.com", "j***@outlook.com"),
        ("legacy.dev@example.org", "l***v@example.org"),
        ("not-an-email", "***"),
    ],
)
def test_mask_email_shows_first_and_last_character_only(email, masked):
    assert mask_email(email) == masked


def test_mask_text_masks_every_address_and_keeps_the_rest():
    text = "move me from account1@outlook.com to builder@contoso.com, please"
    assert mask_text(text) == "move me from a***1@outlook.com to b***r@contoso.com, please"
