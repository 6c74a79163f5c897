"""The glossary that gives other languages' account words their English glosses."""

from __future__ import annotations

import pytest

from rasa_plugins.nlu import glossary
from rasa_plugins.nlu.linear_model import normalise

TABLE = glossary.parse(
    {
        "concepts": [
            {"gloss": "account", "terms": ["cuenta", "konto", "アカウント", "계정*", "conta"]},
            {"gloss": "password", "terms": ["contraseña", "mot de passe", "парол*"]},
        ]
    }
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("¿cómo elimino mi cuenta?", ["account"]),
        ("olvidé la contraseña de mi cuenta", ["account", "password"]),
        ("j'ai oublié mon mot de passe", ["password"]),
        ("забыл пароль", ["password"]),  # a stem matches its inflected forms
        ("не помню пароля", ["password"]),
        ("nugetのアカウントを削除したい", ["account"]),  # unspaced scripts: anywhere
        ("계정에 로그인할 수 없어요", ["account"]),  # Hangul particles attach to the noun
    ],
)
def test_terms_in_other_languages_bring_their_gloss(text, expected):
    assert glossary.glosses(text, TABLE) == expected


@pytest.mark.parametrize(
    "text",
    [
        "please contact support",  # "conta" is a whole word only, never the start of "contact"
        "kontoauszug",  # not a word of the glossary, though it starts with one
        "my account password",  # English brings nothing: the model knows it already
    ],
)
def test_words_that_only_resemble_a_term_bring_nothing(text):
    assert glossary.glosses(text, TABLE) == []


def test_a_message_gains_at_most_a_bounded_number_of_glosses():
    many = glossary.parse({"concepts": [{"gloss": f"g{i}", "terms": [f"w{i}"]} for i in range(40)]})
    text = " ".join(f"w{i}" for i in range(40))
    assert len(glossary.glosses(text, many)) == glossary.MAX_GLOSSES


def test_a_malformed_glossary_is_refused():
    with pytest.raises(ValueError):
        glossary.parse({"terms": ["cuenta"]})


# The project's own glossary file.


@pytest.mark.parametrize(
    "text, gloss",
    [
        ("¿Cómo elimino mi cuenta de nuget.org?", "account"),
        ("Ich habe mein Passwort vergessen", "password"),
        ("nuget.orgのアカウントを削除したい", "account"),
        ("Microsoft hesabım silindi", "microsoft account"),
        ("비밀번호를 잊어버렸어요", "password"),
    ],
)
def test_the_project_glossary_covers_common_languages(text, gloss):
    assert gloss in glossary.glosses(text.lower())


def test_the_project_glossary_leaves_english_alone():
    english = [
        "how do i delete my nuget account",
        "my api key expired and push fails with 403",
        "please contact support about my package owner invitation",
        "which microsoft account is linked to my username",
    ]
    for text in english:
        assert glossary.glosses(text) == [], text


def test_the_project_glossary_glosses_none_of_the_knowledge_bases_english_questions():
    """Every `asks` of knowledge/ is English: a term that fires on one is an English word."""
    from actions.knowledge import load_knowledge

    knowledge = load_knowledge()
    asks = [
        ask
        for topic in knowledge.topics.values()
        for entry in (*topic.facts.values(), *topic.not_in_docs)
        for ask in entry.asks
    ]
    assert len(asks) > 500
    fired = {ask: glossary.glosses(ask.lower()) for ask in asks if glossary.glosses(ask.lower())}
    assert not fired


def test_normalise_appends_the_glosses_after_the_text():
    assert normalise("Olvidé mi CONTRASEÑA").startswith("olvidé mi contraseña ")
    assert normalise("Olvidé mi CONTRASEÑA").endswith("password")
    assert normalise("forgot my password") == "forgot my password"
