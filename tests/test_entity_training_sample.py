"""The entity extractor's training sample: every annotated example, a fixed draw of the rest."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.nlu.entity_training_sample import EntityTrainingSample, sample


def _examples(plain: int, annotated: int) -> list:
    examples = [Message(data={TEXT: f"plain {i}", INTENT: "greet"}) for i in range(plain)]
    for i in range(annotated):
        entity = {"entity": "username", "value": f"user{i}", "start": 3, "end": 8}
        examples.insert(
            i * 7, Message(data={TEXT: f"it's user{i}", INTENT: "inform", ENTITIES: [entity]})
        )
    return examples


def test_sample_keeps_every_annotated_example_and_at_most_the_asked_number_of_others():
    examples = _examples(plain=500, annotated=20)
    kept = sample(examples, others=50, seed=0)
    annotated = [m for m in kept if m.get(ENTITIES)]
    assert len(annotated) == 20
    assert len(kept) - len(annotated) == 50
    positions = [examples.index(m) for m in kept]
    assert positions == sorted(positions)  # the original order


def test_sample_is_the_same_draw_for_the_same_seed_and_another_for_another():
    examples = _examples(plain=500, annotated=5)
    first, again = sample(examples, 50, seed=0), sample(examples, 50, seed=0)
    assert [m.get(TEXT) for m in first] == [m.get(TEXT) for m in again]
    other = sample(examples, 50, seed=1)
    assert [m.get(TEXT) for m in first] != [m.get(TEXT) for m in other]


def test_fewer_plain_examples_than_asked_keeps_them_all():
    examples = _examples(plain=10, annotated=3)
    assert len(sample(examples, others=3000, seed=0)) == 13


def test_training_data_keeps_its_regexes_and_prediction_is_untouched():
    regexes = [{"name": "email", "pattern": r"\S+@\S+"}]
    data = TrainingData(training_examples=_examples(plain=100, annotated=2), regex_features=regexes)
    step = EntityTrainingSample({"others": 10, "random_seed": 0})
    sampled = step.process_training_data(data)
    assert len(sampled.training_examples) == 12
    assert sampled.regex_features == regexes
    messages = [Message(data={TEXT: "hello"})]
    assert step.process(messages) is messages and messages[0].get(TEXT) == "hello"
