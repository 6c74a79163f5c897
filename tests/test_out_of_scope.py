"""Refusals point somewhere useful: a question outside nuget.org accounts that names a known
area (knowledge/out_of_scope_areas.yml) gets that area's documentation page, any other gets
the documentation's start page, and both get the offer of a support request."""

from __future__ import annotations

import re

import pytest
import yaml

from actions import out_of_scope
from actions.engine import HANDOFF_CONFIRM, State
from tests.helpers import KNOWLEDGE, SOURCES
from tests.test_conversations import sender, texts

AREAS = {area.id: area for area in out_of_scope.areas()}
RAW = yaml.safe_load(out_of_scope.AREAS_FILE.read_text(encoding="utf-8"))["areas"]
# Questions the classifier takes for out of scope, one per area, and some for no area.
ASKED = {
    "restore_errors": "dotnet restore fails with NU1101 unable to find package",
    "publishing": "how do I publish a new version of my library",
    "visual_studio": "the package manager console in Visual Studio 2022 throws an error",
}
NO_AREA = [
    "what's the weather like in Seattle tomorrow?",
    "who won the football game yesterday",
    "can you restore my old photos",  # "restore" alone is not a package restore
]


def test_the_areas_file_is_in_the_knowledge_folder_with_a_page_for_each_area():
    assert out_of_scope.AREAS_FILE.parent == KNOWLEDGE
    assert set(AREAS) == set(ASKED)  # a conversation test below for each
    for raw in RAW:
        # the published-docs rule of sources.yml: learn.microsoft.com/nuget/ + path
        page = re.sub(r"^docs/|\.md$", "", raw["path"])
        assert raw["url"] == f"https://learn.microsoft.com/nuget/{page}", raw["id"]
        assert raw["keywords"] == [k.lower() for k in raw["keywords"]], raw["id"]


def test_a_page_the_knowledge_base_cites_has_its_address_there():
    cited = {source["path"]: source["url"] for source in SOURCES.values()}
    for raw in RAW:
        if raw["path"] in cited:
            assert cited[raw["path"]] == raw["url"], raw["id"]
    assert AREAS["publishing"].url == SOURCES["publish-a-package"]["url"]


@pytest.mark.parametrize(
    "text, area",
    [
        (ASKED["restore_errors"], "restore_errors"),
        ("package restore failed on the build server", "restore_errors"),
        ("Assets file project.assets.json not found", "restore_errors"),
        (ASKED["publishing"], "publishing"),
        ("what's the best way to upload a package I made", "publishing"),
        (ASKED["visual_studio"], "visual_studio"),
        ("how do I install a package in visual studio", "visual_studio"),
        # two areas named: the one with more keywords, else the one listed first
        ("package restore fails in Visual Studio", "restore_errors"),
        ("publish from Visual Studio with the package manager console", "visual_studio"),
        *[(text, None) for text in NO_AREA],
        ("", None),
    ],
)
def test_the_area_a_question_names(text, area):
    found = out_of_scope.area_of(text)
    assert (found.id if found else None) == area


def test_the_reply_links_the_area_and_offers_a_support_request():
    turn = out_of_scope.out_of_scope(State(), ASKED["visual_studio"])
    pointer, offer = turn.messages
    assert pointer.response == "utter_out_of_scope_area"
    assert dict(pointer.values)["url"] == AREAS["visual_studio"].url
    assert offer.response == "utter_offer_support_request"
    assert turn.state.awaiting == HANDOFF_CONFIRM
    general = out_of_scope.out_of_scope(State(), NO_AREA[0])
    assert [m.response for m in general.messages] == [
        "utter_out_of_scope",
        "utter_offer_support_request",
    ]


# ---- over the real servers (REST) ----


@pytest.mark.model
@pytest.mark.parametrize("area", sorted(ASKED))
def test_an_out_of_scope_question_in_a_known_area_gets_its_page(assistant, area):
    said = texts(assistant.say(sender(), ASKED[area]))
    assert "outside what I can help with" in said
    assert AREAS[area].url in said and f'"{AREAS[area].title}"' in said
    assert "Shall I open it?" in said  # the support request is offered
    assert "https://learn.microsoft.com/nuget/ " not in said  # not the generic pointer


@pytest.mark.model
def test_an_out_of_scope_question_in_no_known_area_gets_the_start_page(assistant):
    said = texts(assistant.say(sender(), NO_AREA[0]))
    assert "outside what I can help with" in said
    assert "https://learn.microsoft.com/nuget/" in said
    assert not any(area.url in said for area in AREAS.values())
    assert "Shall I open it?" in said
