from __future__ import annotations

from account_backend import identity


def test_round_trip_and_expiry():
    token = identity.sign("SoleOwnerDev", "s3cret", ttl_seconds=60, now=1000)
    assert identity.verify(token, "s3cret", now=1030) == "SoleOwnerDev"
    assert identity.verify(token, "s3cret", now=1061) is None


def test_tampering_is_detected():
    token = identity.sign("SoleOwnerDev", "s3cret")
    payload, signature = token.split(".")
    other = identity.sign("FabrikamAdmin", "s3cret").split(".")[0]
    assert identity.verify(f"{other}.{signature}", "s3cret") is None
    assert identity.verify(token, "other") is None
    for junk in ("", ".", "a.b.c", "%%%.###"):
        assert identity.verify(junk, "s3cret") is None


def test_a_token_lives_at_most_the_allowed_lifetime():
    week = identity.sign("SoleOwnerDev", "s3cret", ttl_seconds=7 * 86400, now=1000)
    assert identity.verify(week, "s3cret", now=1030) is None
    assert identity.verify(week, "s3cret", now=1030, lifetime=7 * 86400) == "SoleOwnerDev"
    hour = identity.sign("SoleOwnerDev", "s3cret", ttl_seconds=3600, now=1000)
    assert identity.verify(hour, "s3cret", now=1030) == "SoleOwnerDev"
    assert identity.verify(hour, "s3cret", now=1030, lifetime=600) is None


def test_a_token_issued_ahead_of_the_clock_is_refused_beyond_the_skew():
    ahead = identity.sign("SoleOwnerDev", "s3cret", ttl_seconds=600, now=1000 + 30)
    assert identity.verify(ahead, "s3cret", now=1000) == "SoleOwnerDev"  # within the skew
    later = identity.sign("SoleOwnerDev", "s3cret", ttl_seconds=600, now=1000 + 600)
    assert identity.verify(later, "s3cret", now=1000) is None


def test_two_tokens_are_never_the_same():
    assert identity.sign("SoleOwnerDev", "s3cret", now=1000) != identity.sign(
        "SoleOwnerDev", "s3cret", now=1000
    )


def test_the_maximum_lifetime_comes_from_the_environment():
    assert identity.max_lifetime({}) == 3600
    assert identity.max_lifetime({"IDENTITY_MAX_LIFETIME_SECONDS": "900"}) == 900
