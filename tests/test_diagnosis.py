"""Account state -> finding, without Rasa or HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actions import diagnosis
from actions.backend_client import Account
from actions.diagnosis import ApiKey, Identifier, Invitation, Membership, parse_identifier

TODAY = date(2026, 3, 10)


def account(**changes) -> Account:
    base = dict(
        username="MyNuGetAccount1",
        is_organization=False,
        password_login=False,
        email_masked="a***1@outlook.com",
        login_kind="msa",
        login_email_masked="a***1@outlook.com",
        login_domain="outlook.com",
        sole_owner_packages=[],
        co_owned_packages=["P"],
        last_admin_of=[],
        other_owners={"P": ["CoOwnerDev"]},
        api_keys=[],
        invitations_received=[],
        invitations_sent=[],
        email_confirmed=True,
        memberships=[],
        locked=False,
    )
    return Account(**{**base, **changes})


def finding(topic, acct):
    """The finding for the account's own verified owner, on TODAY."""
    return diagnosis.account_finding(topic, acct, acct.username, TODAY)


PASSWORD_ONLY = account(
    username="LegacyDev",
    password_login=True,
    login_kind=None,
    login_email_masked=None,
    login_domain=None,
)


ORGANIZATION = account(
    username="FabrikamOrg",
    is_organization=True,
    login_kind=None,
    login_email_masked=None,
    login_domain=None,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("account1@outlook.com", Identifier("email", "account1@outlook.com")),
        (" <builder@contoso.com>. ", Identifier("email", "builder@contoso.com")),
        ("LegacyDev", Identifier("username", "LegacyDev")),
        ("my.pkg_author-2", Identifier("username", "my.pkg_author-2")),
        ("Contoso.COM", Identifier("domain", "contoso.com")),
        ("skip", Identifier("skip")),
        ("I don't know", None),
        ("don't know", Identifier("skip")),
        ("two words", None),
        ("<script>alert(1)</script>", None),
        ("' OR 1=1 --", None),
        ("a" * 300 + "@x.com", None),
        ("", None),
        ("😀", None),
    ],
)
def test_parse_identifier(text, expected):
    assert parse_identifier(text) == expected


@pytest.mark.parametrize(
    "topic, acct, expected",
    [
        ("recover_password_login", PASSWORD_ONLY, "password_only"),
        ("recover_password_login", account(), "linked"),
        ("find_linked_microsoft_account", account(), "linked"),
        ("recover_without_microsoft_account", PASSWORD_ONLY, "password_only"),
        ("transform_to_organization", PASSWORD_ONLY, "password_only"),
        ("transform_to_organization", account(is_organization=True), "already_organization"),
        # an organization is not a password account: its members sign in with their own
        ("find_linked_microsoft_account", ORGANIZATION, "organization"),
        ("recover_password_login", ORGANIZATION, "organization"),
        ("recover_without_microsoft_account", ORGANIZATION, "organization"),
        ("transform_to_organization", ORGANIZATION, "already_organization"),
    ],
)
def test_account_findings(topic, acct, expected):
    name, values = finding(topic, acct)
    assert name == expected
    assert "@" not in values["username"]


def test_linked_values_are_masked_and_named():
    linked = account()
    _, values = finding("find_linked_microsoft_account", linked)
    assert values == {
        "username": "MyNuGetAccount1",
        "login_kind": "personal Microsoft account",
        "login_email_masked": "a***1@outlook.com",
    }


def test_unknown_account_gives_general_steps():
    assert diagnosis.account_finding("recover_password_login", None, "Anyone", TODAY) is None


@pytest.mark.parametrize(
    "topic",
    [
        "recover_password_login",
        "delete_account",
        "push_forbidden_api_key",
        "manage_package_owners",
        "confirm_or_change_email",
        "manage_organization_members",
        "account_locked_or_signin_error",
    ],
)
@pytest.mark.parametrize("locked", [False, True])
def test_account_details_only_for_the_verified_owner(topic, locked):
    sole = account(username="SoleOwnerDev", sole_owner_packages=["A", "B"], locked=locked)
    assert diagnosis.account_finding(topic, sole, None, TODAY) is None
    assert diagnosis.account_finding(topic, sole, "SomeoneElse", TODAY) is None
    assert diagnosis.account_finding(topic, sole, "soleownerdev", TODAY) is not None


def test_deletion_names_the_packages_left_without_another_owner():
    sole = account(username="SoleOwnerDev", sole_owner_packages=["A", "B"])
    assert diagnosis.deletion_finding(sole) == (
        "sole_owner",
        {"counted_packages": "2 packages", "packages": "A, B"},
    )


def test_counts_are_said_in_the_right_number():
    one = account(username="SoleOwnerDev", sole_owner_packages=["A"])
    assert diagnosis.deletion_finding(one)[1]["counted_packages"] == "1 package"
    assert finding("manage_api_keys", account(api_keys=[key(days=200)]))[1] == {
        "counted_keys": "1 API key"
    }


def test_last_admin_comes_before_sole_owner():
    admin = account(
        username="FabrikamAdmin", last_admin_of=["FabrikamOrg"], sole_owner_packages=["X"]
    )
    assert diagnosis.deletion_finding(admin)[0] == "last_admin"
    clear = account(co_owned_packages=["P"])
    assert diagnosis.deletion_finding(clear)[0] == "clear"


def test_target_login():
    assert diagnosis.target_finding("account2@outlook.com", "MyNuGetAccount2", None) == (
        "linked_elsewhere",
        {"target_masked": "a***2@outlook.com"},
    )
    assert diagnosis.target_finding("account3@outlook.com", None, None)[0] == "target_free"


def test_the_signed_in_accounts_own_login_is_nothing_to_change():
    assert diagnosis.target_finding("account1@outlook.com", "Me", "me") == (
        "own_login",
        {"target_masked": "a***1@outlook.com"},
    )
    # without a verified user, any owner is another account
    assert diagnosis.target_finding("a@b.com", "Me", None)[0] == "linked_elsewhere"


@pytest.mark.parametrize(
    "state, name", [("unmanaged", "unmanaged"), ("managed", "managed"), ("none", "no_tenant")]
)
def test_tenant(state, name):
    assert diagnosis.tenant_finding("contoso.com", state) == (name, {"domain": "contoso.com"})


def test_domain_of():
    assert diagnosis.domain_of(Identifier("email", "x@Contoso.com")) == "contoso.com"
    assert diagnosis.domain_of(Identifier("domain", "contoso.com")) == "contoso.com"
    assert diagnosis.domain_of(Identifier("username", "x")) is None


# --- the newer account states ------------------------------------------------------------


def key(name="ci-push", days=None, legacy=False) -> ApiKey:
    """A key expiring `days` after TODAY (negative: expired), or never (None)."""
    expires = TODAY + timedelta(days=days) if days is not None else None
    return ApiKey(name, ["push new packages and package versions"], ["*"], expires, legacy)


@pytest.mark.parametrize(
    "topic",
    [
        "recover_password_login",
        "transform_to_organization",
        "delete_account",
        "push_forbidden_api_key",
        "manage_api_keys",
        "manage_package_owners",
        "confirm_or_change_email",
        "manage_organization_members",
        "account_locked_or_signin_error",
        "a_topic_added_later",
    ],
)
def test_a_locked_account_comes_first_whatever_the_topic(topic):
    locked = account(locked=True, api_keys=[key(days=-1)], last_admin_of=["FabrikamOrg"])
    assert finding(topic, locked) == ("locked", {})


def test_not_locked():
    assert finding("account_locked_or_signin_error", account()) == ("not_locked", {})


@pytest.mark.parametrize("topic", ["push_forbidden_api_key", "manage_api_keys"])
@pytest.mark.parametrize(
    "keys, expected",
    [
        ([key(days=-3)], ("key_expired", {"key_name": "ci-push", "expired_on": "2026-03-07"})),
        ([key(days=-1)], ("key_expired", {"key_name": "ci-push", "expired_on": "2026-03-09"})),
        # valid on its expiry date: expiring, not expired
        ([key(days=0)], ("key_expiring", {"key_name": "ci-push", "expires_on": "2026-03-10"})),
        # ten days inclusive, then current
        ([key(days=10)], ("key_expiring", {"key_name": "ci-push", "expires_on": "2026-03-20"})),
        ([key(days=11)], ("keys_current", {"counted_keys": "1 API key"})),
        ([key("old", legacy=True)], ("legacy_key", {"key_name": "old"})),
        ([key("a", days=300), key("b")], ("keys_current", {"counted_keys": "2 API keys"})),
        ([], ("no_keys", {})),
    ],
)
def test_key_findings(topic, keys, expected):
    assert finding(topic, account(api_keys=keys)) == expected


def test_expired_before_expiring_before_legacy_and_the_first_of_each():
    keys = [key("legacy", legacy=True), key("soon", days=2), key("gone", -5), key("also", -9)]
    assert finding("manage_api_keys", account(api_keys=keys))[1]["key_name"] == "gone"
    assert finding("manage_api_keys", account(api_keys=keys[:2]))[1]["key_name"] == "soon"
    later = [key("soon", days=4), key("sooner", days=1)]
    assert finding("manage_api_keys", account(api_keys=later))[1]["key_name"] == "soon"


def test_the_expiry_window_moves_with_today():
    expiring = account(api_keys=[key(days=11)])
    tomorrow = TODAY + timedelta(days=1)
    name, _ = diagnosis.account_finding("manage_api_keys", expiring, expiring.username, tomorrow)
    assert name == "key_expiring"


def test_owner_findings():
    received = [Invitation("Northwind.Toolkit", "InvitingDev"), Invitation("X.Y", "Other")]
    sent = [Invitation("Mine.Core", "InvitedDev"), Invitation("Mine.Core", "Someone")]
    topic = "manage_package_owners"
    assert finding(topic, account(invitations_received=received, invitations_sent=sent)) == (
        "invitation_pending",
        {"packages": "Northwind.Toolkit, X.Y"},
    )
    # one package offered to two users is named once
    assert finding(topic, account(invitations_sent=sent, sole_owner_packages=["A"])) == (
        "invitation_sent",
        {"packages": "Mine.Core"},
    )
    assert finding(topic, account(sole_owner_packages=["A", "B"])) == (
        "sole_owner",
        {"counted_packages": "2 packages", "packages": "A, B"},
    )
    assert finding(topic, account()) == ("owners_ok", {})


def test_email_findings_show_the_address_masked():
    assert finding("confirm_or_change_email", account(email_confirmed=False)) == (
        "email_unconfirmed",
        {"email_masked": "a***1@outlook.com"},
    )
    # a backend at fault that sent the full address: masked here all the same
    unmasked = account(email_masked="account1@outlook.com")
    assert finding("confirm_or_change_email", unmasked) == (
        "email_confirmed",
        {"email_masked": "a***1@outlook.com"},
    )


def test_organization_findings():
    memberships = [Membership("FabrikamOrg", "admin"), Membership("Other", "collaborator")]
    assert finding("manage_organization_members", account(memberships=memberships)) == (
        "organizations",
        {"memberships": "FabrikamOrg (admin), Other (collaborator)"},
    )
    assert finding("manage_organization_members", account()) == ("no_organizations", {})


def test_a_member_who_administers_no_organization_is_a_collaborator():
    only_collaborator = [Membership("FabrikamOrg", "collaborator"), Membership("B", "collaborator")]
    assert finding("manage_organization_members", account(memberships=only_collaborator)) == (
        "collaborator",
        {"memberships": "FabrikamOrg (collaborator), B (collaborator)"},
    )


def test_user_chosen_names_are_bounded_and_never_carry_an_address():
    long_name = "deploy for jane.doe@contoso.com " + "x" * 300
    name, values = finding("manage_api_keys", account(api_keys=[key(long_name, days=-1)]))
    assert name == "key_expired"
    assert len(values["key_name"]) <= diagnosis.MAX_NAME
    assert "jane.doe@" not in values["key_name"] and "j***e@contoso.com" in values["key_name"]
    many = [f"Package.{n}" for n in range(8)]
    packages = finding("manage_package_owners", account(sole_owner_packages=many))[1]
    assert packages == {
        "counted_packages": "8 packages",
        "packages": "Package.0, Package.1, Package.2, Package.3, Package.4 and 3 more",
    }
    huge = [Invitation("P" * 500 + str(n), "U") for n in range(50)]
    shown = finding("manage_package_owners", account(invitations_received=huge))[1]["packages"]
    assert len(shown) <= diagnosis.MAX_LISTED * (diagnosis.MAX_NAME + 2) + len(" and 45 more")


# Every finding the diagnosis can name for each topic. "locked" can come for any of them; a
# playbook without it gives the general steps (engine.apply_finding).
KEY_FINDINGS = {"key_expired", "key_expiring", "legacy_key", "keys_current", "no_keys"}
# the typed target's, and before the question the account's own (actions/account_check.py)
LOGIN_FINDINGS = {"target_free", "linked_elsewhere", "own_login", "password_only", "organization"}
FINDINGS = {
    "recover_password_login": {"password_only", "linked", "organization"},
    "find_linked_microsoft_account": {"password_only", "linked", "organization"},
    "recover_without_microsoft_account": {"password_only", "linked", "organization"},
    "transform_to_organization": {"password_only", "linked", "already_organization"},
    "delete_account": {"last_admin", "sole_owner", "clear"},
    "change_microsoft_account": LOGIN_FINDINGS,
    "microsoft_account_linked_elsewhere": LOGIN_FINDINGS,
    "unmanaged_aad_tenant": {"unmanaged", "managed", "no_tenant"},
    "push_forbidden_api_key": KEY_FINDINGS,
    "manage_api_keys": KEY_FINDINGS,
    "manage_package_owners": {"invitation_pending", "invitation_sent", "sole_owner", "owners_ok"},
    "confirm_or_change_email": {"email_unconfirmed", "email_confirmed"},
    "manage_organization_members": {
        "organizations",
        "collaborator",
        "no_organizations",
        "organization",
    },
    "account_locked_or_signin_error": {"not_locked"},
}
ANY_ACCOUNT_TOPIC = {"locked"}


def test_every_finding_the_diagnosis_can_name_exists_in_its_playbook():
    from actions.playbooks import playbooks

    for topic, names in FINDINGS.items():
        if topic not in playbooks():
            continue  # the playbooks of the newer topics are being written
        written = set(playbooks()[topic].findings)
        assert names <= written <= names | ANY_ACCOUNT_TOPIC, topic
