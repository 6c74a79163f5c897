"""Account state -> finding, without Rasa or HTTP."""

from __future__ import annotations

import pytest

from actions import diagnosis
from actions.backend_client import Account
from actions.diagnosis import Identifier, parse_identifier


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
    )
    return Account(**{**base, **changes})


PASSWORD_ONLY = account(
    username="LegacyDev",
    password_login=True,
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
    ],
)
def test_account_findings(topic, acct, expected):
    name, values = diagnosis.account_finding(topic, acct, acct.username)
    assert name == expected
    assert "@" not in values["username"]


def test_linked_values_are_masked_and_named():
    linked = account()
    _, values = diagnosis.account_finding("find_linked_microsoft_account", linked, linked.username)
    assert values == {
        "username": "MyNuGetAccount1",
        "login_kind": "personal Microsoft account",
        "login_email_masked": "a***1@outlook.com",
    }


def test_unknown_account_gives_general_steps():
    assert diagnosis.account_finding("recover_password_login", None, "Anyone") is None


@pytest.mark.parametrize("topic", ["recover_password_login", "delete_account"])
def test_account_details_only_for_the_verified_owner(topic):
    sole = account(username="SoleOwnerDev", sole_owner_packages=["A", "B"])
    assert diagnosis.account_finding(topic, sole, None) is None
    assert diagnosis.account_finding(topic, sole, "SomeoneElse") is None
    assert diagnosis.account_finding(topic, sole, "soleownerdev") is not None


def test_deletion_names_the_packages_left_without_another_owner():
    sole = account(username="SoleOwnerDev", sole_owner_packages=["A", "B"])
    assert diagnosis.deletion_finding(sole) == (
        "sole_owner",
        {"package_count": "2", "packages": "A, B"},
    )


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
    assert diagnosis.target_finding("a@b.com", "Me", "me")[0] == "target_free"


@pytest.mark.parametrize(
    "state, name", [("unmanaged", "unmanaged"), ("managed", "managed"), ("none", "no_tenant")]
)
def test_tenant(state, name):
    assert diagnosis.tenant_finding("contoso.com", state) == (name, {"domain": "contoso.com"})


def test_domain_of():
    assert diagnosis.domain_of(Identifier("email", "x@Contoso.com")) == "contoso.com"
    assert diagnosis.domain_of(Identifier("domain", "contoso.com")) == "contoso.com"
    assert diagnosis.domain_of(Identifier("username", "x")) is None


def test_every_finding_the_diagnosis_can_name_exists_in_its_playbook():
    from actions.playbooks import playbooks

    named = {
        "recover_password_login": {"password_only", "linked"},
        "find_linked_microsoft_account": {"password_only", "linked"},
        "recover_without_microsoft_account": {"password_only", "linked"},
        "transform_to_organization": {"password_only", "linked", "already_organization"},
        "delete_account": {"last_admin", "sole_owner", "clear"},
        "change_microsoft_account": {"target_free", "linked_elsewhere"},
        "microsoft_account_linked_elsewhere": {"target_free", "linked_elsewhere"},
        "unmanaged_aad_tenant": {"unmanaged", "managed", "no_tenant"},
    }
    for topic, names in named.items():
        assert set(playbooks()[topic].findings) == names, topic
