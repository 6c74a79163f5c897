from __future__ import annotations

import time

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


# --- masking stays linear in the text's length -------------------------------------------

MEGABYTE = 1_000_000
ADVERSARIAL = {
    "letters": "a" * MEGABYTE,
    "at signs": "a@" * (MEGABYTE // 2),
    "dots": "a." * (MEGABYTE // 2),
    "at-label-dot": "@a." * (MEGABYTE // 3),
    "full local parts": ("a" * 64 + "@a") * (MEGABYTE // 66),
    "labels without a dot": ("a" * 64 + "@" + "a" * 63 + " ") * (MEGABYTE // 129),
    "one endless domain": "x@" + "y." * (MEGABYTE // 2),
    "addresses": "a@b.c " * (MEGABYTE // 6),
    "full-width at signs": "ö＠" * (MEGABYTE // 2),
    "full-width dots": "ö＠ä．" * (MEGABYTE // 4),
    "one endless unicode domain": "jö＠" + "ä．" * (MEGABYTE // 2),
    "combining marks": ("o\u0308" * 40 + "@e\u0301." + "x ") * (MEGABYTE // 88),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_a_megabyte_of_adversarial_text_is_masked_in_well_under_a_second(name):
    text = ADVERSARIAL[name]
    started = time.process_time()
    mask_text(text)
    elapsed = time.process_time() - started
    # A generous bound for an algorithmic property: the unbounded pattern took about 1 s for
    # 20,000 letters and grows with the square of the length (hours for a megabyte). CPU time
    # of this process, so other work on a shared machine does not count.
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"


@pytest.mark.parametrize(
    "text, masked",
    [
        ("account1@outlook.com", "a***1@outlook.com"),
        ("mail legacy.dev@example.org.", "mail l***v@example.org."),
        ("<builder@contoso.com>", "<b***r@contoso.com>"),
        ("a@b.c and x@y.z", "a***@b.c and x***@y.z"),
        ("first.last+nuget@mail.dept.example.co.uk", "f***t@mail.dept.example.co.uk"),
        ("no address @ here, nor@here", "no address @ here, nor@here"),
        ("jane@@example.com, a doubled at sign", "j***e@@example.com, a doubled at sign"),
    ],
)
def test_addresses_are_masked_as_before(text, masked):
    assert mask_text(text) == masked


# Addresses as people type them: letters of any script (RFC 6531), decomposed accents, and
# the full-width forms some keyboards give (＠ U+FF20, ．U+FF0E), small ﹫ U+FE6B.
@pytest.mark.parametrize(
    "text, masked",
    [
        ("jöhn.doe@exämple.de", "j***e@exämple.de"),
        ("write to jöhn.doe@exämple.de today", "write to j***e@exämple.de today"),
        ("account1＠outlook.com", "a***1＠outlook.com"),
        ("ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｊ***ｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
        ("jo\u0308hn@exa\u0308mple.de", "j***n@exa\u0308mple.de"),
        ("müller﹫exämple.de", "m***r﹫exämple.de"),
        ("用户名@例子.中国", "用***名@例子.中国"),
        ("Ελένη@παράδειγμα.ελ", "Ε***η@παράδειγμα.ελ"),
    ],
)
def test_unicode_addresses_are_masked(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("email", ["jöhn.doe@exämple.de", "account1＠outlook.com"])
def test_no_part_of_a_unicode_local_part_is_left(email):
    local = email.split("@")[0].split("＠")[0]
    assert local[1:-1] not in mask_text(f"<{email}>")


def test_mask_email_keeps_the_at_sign_that_was_typed():
    assert mask_email("jöhn.doe＠exämple.de") == "j***e＠exämple.de"
    assert mask_email("@outlook.com") == "***"


def test_only_the_last_64_characters_before_the_at_sign_are_a_local_part():
    text = "x" * 70 + "@outlook.com"
    assert mask_text(text) == "x" * 6 + "x***x@outlook.com"


def test_a_cut_text_keeps_an_address_across_the_cut_masked():
    text = "hello account1@outlook.com"
    for limit in range(len(text) + 3):
        cut = mask_text(text, limit=limit)
        assert len(cut) <= limit
        assert "account" not in cut and "ccount1" not in cut, (limit, cut)
        assert cut == mask_text(text)[:limit]
    assert mask_text("a" * 50_000, limit=2000) == "a" * 2000


def test_a_cut_reads_only_a_little_beyond_the_limit():
    text = "a" * 10_000_000
    started = time.process_time()
    assert mask_text(text, limit=2000) == "a" * 2000
    assert time.process_time() - started < 0.1
