"""The learning curve's training samples: stratified, reproducible, never empty per intent."""

from collections import Counter

from tools.bench.curve import stratified_sample

PAIRS = [(f"a{i}", "a") for i in range(40)] + [(f"b{i}", "b") for i in range(10)] + [("c", "c")]


def test_each_intent_keeps_its_share() -> None:
    counts = Counter(intent for _, intent in stratified_sample(PAIRS, 0.5, seed=0))
    assert counts == {"a": 20, "b": 5, "c": 1}  # the lone example is kept, not rounded away


def test_the_same_seed_draws_the_same_sample_and_another_seed_another() -> None:
    first = stratified_sample(PAIRS, 0.5, seed=0)
    assert first == stratified_sample(PAIRS, 0.5, seed=0)
    assert first != stratified_sample(PAIRS, 0.5, seed=1)
    assert first == [pair for pair in PAIRS if pair in first]  # the data's own order


def test_the_whole_data_is_not_sampled() -> None:
    assert stratified_sample(PAIRS, 1.0, seed=3) == PAIRS
