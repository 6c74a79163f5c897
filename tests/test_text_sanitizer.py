from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from rasa_plugins.nlu.text_sanitizer import TextSanitizer, sanitize


def test_control_characters_become_spaces_and_whitespace_collapses():
    assert sanitize("a\x00b\x1b[31m\n\n c\t", 100) == "a b [31m c"


def test_text_is_cut_to_the_limit():
    assert len(sanitize("x" * 20_000, 1000)) == 1000
    huge = sanitize("word " * 1_000_000 + "the end", 1000)
    assert len(huge) <= 1000 and huge.endswith("the end")


def test_a_question_after_a_pasted_stack_trace_survives_the_cut():
    frames = "".join(
        f"   at Contoso.Build.Step{i}.Run(Context c) in Step{i}.cs:line {i}\n" for i in range(200)
    )
    report = (
        "Publishing from our pipeline fails.\n"
        "error: Response status code does not indicate success: 403 (Forbidden).\n"
        + frames
        + "Why is my API key refused when pushing?"
    )
    cut = sanitize(report, 1000)
    assert len(cut) <= 1000
    assert "Why is my API key refused when pushing?" in cut
    assert "403 (Forbidden)" in cut
    assert "Step199" not in cut  # the frames went first


def test_a_long_text_keeps_its_beginning_and_its_end():
    text = "My question comes first. " + "filler words " * 400 + "And a last word."
    cut = sanitize(text, 1000)
    assert cut.startswith("My question comes first.")
    assert cut.endswith("And a last word.")
    assert len(cut) <= 1000


def test_other_scripts_and_emoji_are_kept():
    assert sanitize("如何删除我的帐户 😀", 100) == "如何删除我的帐户 😀"


def test_component_rewrites_message_text():
    component = TextSanitizer({"max_characters": 5})
    message = Message(data={"text": "  hello world  "})
    component.process([message])
    assert message.get("text") == "hello"
