from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from rasa_plugins.nlu.text_sanitizer import TextSanitizer, sanitize


def test_control_characters_become_spaces_and_whitespace_collapses():
    assert sanitize("a\x00b\x1b[31m\n\n c\t", 100) == "a b [31m c"


def test_text_is_cut_to_the_limit():
    assert sanitize("x" * 20_000, 1000) == "x" * 1000


def test_other_scripts_and_emoji_are_kept():
    assert sanitize("如何删除我的帐户 😀", 100) == "如何删除我的帐户 😀"


def test_component_rewrites_message_text():
    component = TextSanitizer({"max_characters": 5})
    message = Message(data={"text": "  hello world  "})
    component.process([message])
    assert message.get("text") == "hello"
