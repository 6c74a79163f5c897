"""Button payloads skip the NLU models: the `intent_payloads` fix of `patches.FIXES`.

A button sends a payload such as `/affirm{"question": "q1"}`. Rasa 3.6 runs it through the
whole NLU pipeline, and only then does the last node, `RegexMessageHandler`, see the leading
"/" and replace the message with a new one that holds the payload's intent and entities alone:
everything computed before is thrown away. The intent classifier already skips payloads
(linear_intent_classifier.py, which also covers a run without this fix); the tokenizer, the
featurizer, the CRF and the other extractors still ran, 0.6 ms of a button turn's 0.9 ms of
NLU. Most turns of a walk-through are button presses.

Here the graph runner asks first: when the message, as the text sanitizer leaves it, is a
payload the handler will unpack (the pattern matches and the intent is in the domain), the
handler runs at once on the sanitized message. Its answer is the one the full pipeline gives:
the handler builds its new message from the text alone, and no step between the sanitizer and
the handler changes the text or has an effect beyond the message. That holds for the steps in
`SKIPPABLE` only; a pipeline with any other step between them gets no shortcut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection, Dict, List, Optional, Tuple

from rasa.engine.graph import GraphSchema
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

# Steps that read the message and add features or predictions to it, and nothing else.
SKIPPABLE = frozenset(
    {
        "WhitespaceTokenizer",
        "LinearIntentClassifier",
        "EntityTrainingSample",
        "LexicalSyntacticFeaturizer",
        "StoredCRFEntityExtractor",
        "CRFEntityExtractor",
        "RegexEntityExtractor",
        "FallbackClassifier",
    }
)
SANITIZER = "TextSanitizer"
Compute = Callable[[str], Tuple[str, Any]]


@dataclass(frozen=True)
class Shortcut:
    handler: str  # the RegexMessageHandler node
    handler_input: str  # the node whose messages it is given
    sanitizer: str  # the node whose messages it is given instead
    domain: str  # the node providing its domain


def find(schema: GraphSchema) -> Optional[Shortcut]:
    """The shortcut this graph allows, if any: the handler fed by a chain of `SKIPPABLE`
    steps that starts at the text sanitizer."""
    for name, node in schema.nodes.items():
        if node.uses is RegexMessageHandler and set(node.needs) == {"messages", "domain"}:
            step = node.needs["messages"]
            while step in schema.nodes and schema.nodes[step].uses.__name__ in SKIPPABLE:
                step = schema.nodes[step].needs.get("messages", "")
            found = schema.nodes.get(step)
            if found is not None and found.uses.__name__ == SANITIZER:
                return Shortcut(name, node.needs["messages"], step, node.needs["domain"])
    return None


def payload_intent(text: str, intents: Optional[Collection[str]]) -> Optional[str]:
    """The intent a "/intent{...}" payload names, if it is one of `intents` (any, for None):
    what makes `RegexMessageHandler` replace a message, checked with its pattern and without
    its warnings. The intent classifier skips such texts too."""
    match = YAMLStoryReader._regex_message_pattern().match(text.strip())
    name = match.group(INTENT_NAME_KEY).strip() if match else None
    return name if name is not None and (intents is None or name in intents) else None


def _is_payload(message: Message, domain: Optional[Domain]) -> bool:
    text = message.get(TEXT)
    intents = None if domain is None else domain.intents
    return isinstance(text, str) and payload_intent(text, intents) is not None


def handler_output(
    shortcut: Shortcut, nodes: Dict[str, Any], compute: Compute
) -> Optional[Tuple[str, Any]]:
    """The handler's output for messages that are all payloads, or None to run the chain."""
    messages: List[Message] = compute(shortcut.sanitizer)[1]
    domain = compute(shortcut.domain)
    if not messages or not all(_is_payload(m, domain[1]) for m in messages):
        return None
    return nodes[shortcut.handler]((shortcut.handler_input, messages), domain)
