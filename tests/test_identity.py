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
