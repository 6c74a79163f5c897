"""Button payloads skip the NLU models and parse exactly as the full pipeline parses them
(rasa_plugins/intent_payloads.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest
from rasa.core.channels import UserMessage

import rasa_plugins  # noqa: F401  (applies the patches, as loading the model does)
from rasa_plugins import intent_payloads, patches
from rasa_plugins.nlu.linear_intent_classifier import LinearIntentClassifier

pytestmark = pytest.mark.model


def _schema(agent):
    runner = agent.processor.graph_runner
    return runner._graph_schema.minimal_graph_schema([agent.processor.model_metadata.nlu_target])


def _payloads(agent):
    """Every button payload the domain's responses offer, and the shapes actions send."""
    found = {
        button["payload"]
        for response in agent.domain.responses.values()
        for variant in response
        for button in variant.get("buttons", [])
    }
    intents = sorted(agent.domain.intents)
    found |= {f"/{name}" for name in intents}
    found |= {f"/{intents[0]}{json.dumps({'question': 'q1', 'choice': 'yes'})}"}
    return sorted(found)


ODD = [
    "/no_such_intent",
    "/affirm{not json",
    "/affirm@0.7",
    '/affirm{"no_such_entity": "x"}',
    "   /affirm   ",
    "/affirm\x00\x07",
    "/affirm " + "x" * 3000,  # the sanitizer cuts it before the handler sees it
    '/affirm{"question": "' + "x" * 3000 + '"}',  # a payload the cut changes
    '/affirm{"question":   "a\tb"}',  # whitespace the sanitizer collapses
    "/",
    "//",
    "I want to /affirm that",
    "my api key expired, how do I get a new one",
    "",
]


def _parse(agent, text):
    return asyncio.run(agent.processor.parse_message(UserMessage(text)))


def test_the_model_graph_has_the_shortcut(agent):
    shortcut = intent_payloads.find(_schema(agent))
    assert shortcut is not None
    assert shortcut.handler == agent.processor.model_metadata.nlu_target
    assert "TextSanitizer" in shortcut.sanitizer


def test_payloads_and_odd_texts_parse_as_the_full_pipeline_parses_them(agent, monkeypatch):
    texts = _payloads(agent) + ODD
    assert len(texts) > 40
    assert patches._payload_shortcut
    shortcut = [_parse(agent, text) for text in texts]
    monkeypatch.setattr(patches, "_payload_shortcut", False)
    assert shortcut == [_parse(agent, text) for text in texts]


def test_only_real_payloads_skip_the_classifier(agent, monkeypatch):
    nodes = agent.processor.graph_runner._instantiated_nodes
    step = next(
        n for n, node in _schema(agent).nodes.items() if node.uses is LinearIntentClassifier
    )
    calls, stock = [], nodes[step]

    def counted(*inputs):
        calls.append(step)
        return stock(*inputs)

    monkeypatch.setitem(nodes, step, counted)
    assert _parse(agent, '/affirm{"question": "q1"}')["intent"]["name"] == "affirm"
    assert calls == []
    for text in ("/no_such_intent", "/affirm " + "x" * 3000, "i need a new api key"):
        _parse(agent, text)
    assert len(calls) == 3


def test_another_step_between_sanitizer_and_handler_turns_the_shortcut_off(agent):
    schema = _schema(agent)
    step = next(n for n, node in schema.nodes.items() if node.uses is LinearIntentClassifier)

    class TextRewriter(LinearIntentClassifier):  # a step that could change the text
        pass

    nodes = dict(schema.nodes)
    nodes[step] = dataclasses.replace(nodes[step], uses=TextRewriter)
    assert intent_payloads.find(dataclasses.replace(schema, nodes=nodes)) is None
