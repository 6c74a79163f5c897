"""The entity extractor stores its trained CRFs and loads them without training again."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import (
    LexicalSyntacticFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from rasa_plugins.nlu.crf_entity_extractor import ORDER_FILE, StoredCRFEntityExtractor

TRAINING = """
version: "3.1"
nlu:
- intent: give_username
  examples: |
    - my username is [alice](username)
    - it is [bob_dev](username)
    - the account is called [carol](username)
    - username [dave42](username)
    - I am [erin.k](username) on nuget
    - call me [frank](username)
    - my user name: [grace-h](username)
    - [heidi](username) is my username
- intent: greet
  examples: |
    - hello there
    - good morning
    - hi, I need help
    - hey
"""


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _prepared(messages, tokenizer, featurizer):
    tokenizer.process(messages)
    featurizer.process(messages)
    return messages


def test_trained_extractor_stores_its_crf_and_loads_it_with_the_same_entities(tmp_path):
    data = RasaYAMLReader().reads(TRAINING)
    storage = LocalModelStorage(tmp_path)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer_resource = Resource("featurizer")
    featurizer = LexicalSyntacticFeaturizer.create(
        LexicalSyntacticFeaturizer.get_default_config(), storage, featurizer_resource, _context()
    )
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)

    resource = Resource("entities")
    config = {**CRFEntityExtractor.get_default_config(), "max_iterations": 30}
    extractor = StoredCRFEntityExtractor.create(config, storage, resource, _context())
    extractor.train(data)
    with storage.read_from(resource) as directory:
        stored = sorted(path.name for path in directory.iterdir())
    assert stored == ["crf_entity.crfsuite", ORDER_FILE]  # no training data kept

    texts = ["my username is zoe_m", "hello there"]
    fresh = [Message(data={"text": text}) for text in texts]
    before = extractor.process(_prepared(fresh, tokenizer, featurizer))
    loaded = StoredCRFEntityExtractor.load(config, storage, resource, _context())
    again = [Message(data={"text": text}) for text in texts]
    after = loaded.process(_prepared(again, tokenizer, featurizer))

    assert [e["value"] for e in before[0].get("entities")] == ["zoe_m"]
    assert before[1].get("entities", []) == []
    for old, new in zip(before, after, strict=True):
        assert new.get("entities", []) == old.get("entities", [])


def test_extractor_trained_without_entities_loads_as_an_empty_extractor(tmp_path):
    storage = LocalModelStorage(tmp_path)
    loaded = StoredCRFEntityExtractor.load(
        CRFEntityExtractor.get_default_config(), storage, Resource("none"), _context()
    )
    message = Message(data={"text": "my username is zoe_m"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    assert loaded.process([message])[0].get("entities", []) == []
